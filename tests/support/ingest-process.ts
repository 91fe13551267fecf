import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const CLI = join(import.meta.dirname, '..', '..', 'bin', 'fortiems.js');

export interface IngestProcess {
  child: ChildProcess;
  /** Resolves with the exit code once the process ended. */
  exited: Promise<number | null>;
  httpUrl: string;
  /** The ports the syslog sources print at start (`syslog udp://…`, `syslog tcp://…`), for those asked for. */
  ports: { udp?: number; tcp?: number };
}

/**
 * `fortiems ingest --config FILE` as a real process (built CLI); resolves once it printed its HTTP URL and the ports of
 * the syslog sources named in `listens`. Fails with everything it printed when it exits or is silent for 60 s.
 */
export async function startIngestProcess(
  configFile: string,
  options: {
    env?: NodeJS.ProcessEnv;
    listens?: readonly ('udp' | 'tcp')[];
    /** bin/fortiems.js; benchmarks run from dist/, where the default (next to this source file) does not resolve. */
    cli?: string;
  } = {},
): Promise<IngestProcess> {
  const child = spawn(process.execPath, [options.cli ?? CLI, 'ingest', '--config', configFile], {
    env: { ...process.env, FORTIEMS_LOG_LEVEL: 'warn', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  const listening = await new Promise<Omit<IngestProcess, 'child' | 'exited'>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fortiems ingest did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const http = /http (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      const ports: IngestProcess['ports'] = {};
      for (const mode of options.listens ?? []) {
        const port = new RegExp(`syslog ${mode}://127\\.0\\.0\\.1:(\\d+)`).exec(output);
        if (!port) return;
        ports[mode] = Number(port[1]);
      }
      if (!http) return;
      clearTimeout(timer);
      resolve({ httpUrl: http[1] as string, ports });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fortiems ingest exited (${code}):\n${output}`));
    });
  });
  return { child, exited, ...listening };
}

/**
 * `<dir>/fortiems.yaml` for a `fortiems ingest` on loopback: the given syslog sources and HTTP on free ports (the
 * process prints them), one OpenSearch sink (`opensearch` unless `sinkId` says otherwise), spools under `<dir>/data`.
 * `geoip: false` turns GeoIP off and `workers` sets `pipeline.workers`; left out, the defaults apply.
 */
export function writeIngestConfig(
  dir: string,
  options: {
    syslog: readonly ('udp' | 'tcp')[];
    opensearchUrl: string;
    namespace: string;
    sinkId?: string;
    geoip?: boolean;
    /** `pipeline.workers`; left out, the default (`auto`). */
    workers?: number;
  },
): string {
  const file = join(dir, 'fortiems.yaml');
  const sources = options.syslog.map((mode) => `  syslog_${mode}: { type: syslog, mode: ${mode}, address: "127.0.0.1:0" }\n`).join('');
  const settings = [
    ...(options.geoip === undefined ? [] : [`  enrich: { geoip: ${options.geoip} }\n`]),
    ...(options.workers === undefined ? [] : [`  workers: ${options.workers}\n`]),
  ];
  const pipeline = settings.length > 0 ? `pipeline:\n${settings.join('')}` : '';
  writeFileSync(
    file,
    `data_dir: ${JSON.stringify(join(dir, 'data'))}
sources:
${sources}${pipeline}sinks:
  ${options.sinkId ?? 'opensearch'}: { type: opensearch, url: ${JSON.stringify(options.opensearchUrl)}, namespace: ${options.namespace} }
http:
  address: "127.0.0.1:0"
`,
  );
  return file;
}
