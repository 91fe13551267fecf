import { spawn } from 'node:child_process';
import { ActionableError } from '../../platform/errors.js';

export interface MavenResult {
  exitCode: number;
  output: string;
}

/** Runs `mvn` in batch mode and collects its output; a missing `mvn` becomes an actionable error. */
export function runMaven(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<MavenResult> {
  const mvn = env.FORTIEMS_MVN || 'mvn';
  return new Promise((resolve, reject) => {
    const child = spawn(mvn, ['-B', '--no-transfer-progress', ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        reject(
          new ActionableError(
            `Maven (${mvn}) is not installed; it is needed once, to fetch OpenSearch from Maven Central`,
            'install it (Debian: apt-get install maven), or set OPENSEARCH_URL to an existing cluster',
          ),
        );
      } else reject(error);
    });
    child.on('close', (code) => resolve({ exitCode: code ?? 1, output: Buffer.concat(chunks).toString('utf8') }));
  });
}

export function tailLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}
