import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ActionableError } from '../../platform/errors.js';
import { compareVersions, matchesRequest, type VersionRequest } from './versions.js';

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
            `Maven (${mvn}) is not installed; it is needed once, to fetch OpenSearch or Kafka from Maven Central`,
            'install it (Debian: apt-get install maven), or point fortiems at existing servers (OPENSEARCH_URL, KAFKA_BROKERS)',
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

export interface MavenDependency {
  group: string;
  artifact: string;
  /** An exact version or a Maven range (`[4.1.0,4.2.0)`). */
  version: string;
  type?: string;
}

/**
 * A throwaway project whose only job is to let Maven resolve versions (ranges too) and copy artifacts with
 * `dependency:copy-dependencies`; the plugin version is pinned so every machine resolves the same way.
 */
export function resolverPom(name: string, dependencies: MavenDependency[]): string {
  const entries = dependencies
    .map(
      (d) => `    <dependency>
      <groupId>${d.group}</groupId>
      <artifactId>${d.artifact}</artifactId>
      <version>${d.version}</version>${d.type ? `\n      <type>${d.type}</type>` : ''}
    </dependency>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>fortiems.local</groupId>
  <artifactId>${name}-fetch</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
  <dependencies>
${entries}
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <version>3.8.1</version>
      </plugin>
    </plugins>
  </build>
</project>
`;
}

/**
 * The cache keeps one folder per version under `root`; `read` says whether a folder holds a complete, verified entry.
 * Returns the newest entry that satisfies the request.
 */
export async function newestCached<T>(
  root: string,
  request: VersionRequest,
  read: (versionDir: string) => Promise<T | undefined>,
): Promise<T | undefined> {
  if (!existsSync(root)) return undefined;
  const versions = (await readdir(root)).filter((name) => /^\d+\.\d+\.\d+$/.test(name) && matchesRequest(name, request));
  versions.sort(compareVersions).reverse();
  for (const version of versions) {
    const found = await read(join(root, version));
    if (found) return found;
  }
  return undefined;
}
