/**
 * What `bench:ingest` and `bench:peers` share: the plain bulk ceiling of our own documents, `fortiems ingest` as a
 * process fed over syslog TCP, fresh namespaces per run and their removal, and a process's CPU time and peak RSS from
 * /proc. Not a benchmark itself (no main).
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@opensearch-project/opensearch';
import { createEnrichStage } from '../../ingest/enrich/enrich-stage.js';
import { receiveEventId, setEventId } from '../../ingest/pipeline/event-ids.js';
import { encodeBulkCreate } from '../../ingest/sinks/search/bulk-encoding.js';
import { installMappings } from '../../ingest/sinks/search/install-mappings.js';
import { parseLine } from '../../parsers/parse-line.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import { sendLines as sendEveryLine } from '../support/send-lines.js';
import { processMemoryMiB } from './bench-support.js';

/** The sink's batch size and concurrency, for the pipeline and its ceiling alike. */
export const BATCH = 2000;
export const CONCURRENCY = 2;
export const CLI = join(import.meta.dirname, '..', '..', '..', 'bin', 'fortiems.js');

/**
 * A namespace no earlier run used (`prefix` + time + random, `^[a-z0-9_]+$`): ids are deterministic, so a run against
 * namespaces that already hold its documents would get 409s on its creates.
 */
export function freshNamespace(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/** Deletes the data streams (and any index) of a namespace; a missing one is not an error. */
export async function deleteNamespace(client: Client, namespace: string): Promise<void> {
  await client.indices.deleteDataStream({ name: `*-${namespace}` }).catch(() => undefined);
  await client.indices
    .delete({ index: `*-${namespace}`, expand_wildcards: 'all', ignore_unavailable: true } as never)
    .catch(() => undefined);
}

/** The ceiling: the documents the pipeline would index, bulk-loaded directly with the sink's batch size and concurrency. */
export async function plainBulk(url: string, lines: readonly string[], namespace: string): Promise<number> {
  const enrich = createEnrichStage({ geoip: true });
  enrich.preload();
  const payloads: Buffer[] = [];
  for (const line of lines) {
    const event = parseLine(line, { receivedAt: Date.now(), namespace });
    // As the pipeline does where a line enters (ingest/pipeline/process-stage.ts): the bulk encoder needs event.id.
    setEventId(event.document, receiveEventId());
    enrich.enrich(event);
    payloads.push(encodeBulkCreate(event));
  }
  const bodies: Buffer[] = [];
  for (let i = 0; i < payloads.length; i += BATCH) bodies.push(Buffer.concat(payloads.slice(i, i + BATCH)));
  const client = createOpenSearchClient({ url });
  let next = 0;
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++] as Buffer;
          const response = await client.bulk({ body, filter_path: 'errors,items.*.status' } as never);
          if ((response.body as { errors?: boolean }).errors) throw new Error('the ceiling run had item errors');
        }
      }),
    );
  } finally {
    await client.close();
  }
  const seconds = (performance.now() - started) / 1000;
  return lines.length / seconds;
}

/** Peak resident set (VmHWM) of a live process, MiB; 0 once it is gone. */
export function peakRssMiB(pid: number): number {
  try {
    return processMemoryMiB(pid).hwm;
  } catch {
    return 0;
  }
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** User + system CPU seconds a live process has used so far (/proc/PID/stat); 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces), from field 3 on: utime is field 14, stime field 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

async function sinkSentEvents(httpUrl: string): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n'))
    if (line.startsWith('fortiems_component_sent_events_total{') && line.includes('component_kind="sink"'))
      sum += Number(line.split(' ').pop());
  return sum;
}

/**
 * `pipeline.workers` for the benchmarked process: `BENCH_WORKERS` (a count, or `auto`); unset leaves the default
 * (auto: the cores minus one, at least one), as a new user would run it.
 */
export const BENCH_WORKERS = process.env.BENCH_WORKERS;

async function startPipeline(
  dir: string,
  url: string,
  namespace: string,
  options: Pick<EndToEndOptions, 'tapToken'> = {},
): Promise<{ child: ChildProcess; httpUrl: string; tcpPort: number }> {
  const workers =
    BENCH_WORKERS === undefined ? '' : `pipeline: { workers: ${BENCH_WORKERS === 'auto' ? 'auto' : Number(BENCH_WORKERS)} }\n`;
  const config = join(dir, `fortiems-${namespace}.yaml`);
  writeFileSync(
    config,
    `data_dir: ${JSON.stringify(join(dir, `data-${namespace}`))}
sources:
  syslog_tcp: { type: syslog, mode: tcp, address: "127.0.0.1:0" }
sinks:
  opensearch: { type: opensearch, url: ${JSON.stringify(url)}, namespace: ${namespace}, concurrency: ${CONCURRENCY}, batch: { max_events: ${BATCH} } }
http:
  address: "127.0.0.1:0"
${options.tapToken ? `  tap_token: ${JSON.stringify(options.tapToken)}\n` : ''}${workers}`,
  );
  const child = spawn(process.execPath, [CLI, 'ingest', '--config', config], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, FORTIEMS_LOG_LEVEL: 'warn' },
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`fortiems ingest did not start in 60 s: ${output}`));
    }, 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const http = /http (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      const tcp = /syslog tcp:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (http && tcp) {
        clearTimeout(timer);
        resolve({ child, httpUrl: http[1] as string, tcpPort: Number(tcp[1]) });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fortiems ingest exited (${code}): ${output}`));
    });
  });
}

/** Sends every line to a syslog TCP listener, waiting whenever the sender's queue pushes back; resolves once all went out. */
export function sendLines(url: string, lines: readonly string[]): Promise<void> {
  return sendEveryLine(url, lines, { maxQueuedMessages: 100_000, closeTimeoutMs: 300_000 });
}

export interface EndToEndResult {
  /** Events per second from the first line sent to the last one acknowledged by OpenSearch. */
  rate: number;
  /** Lines per second the sender managed. */
  sendRate: number;
  /** Peak RSS of the pipeline process, MiB. */
  rssMiB: number;
  /** CPU seconds (user + system) the pipeline process used over the run, start-up excluded. */
  cpuSeconds: number;
}

export interface EndToEndOptions {
  timeoutMs?: number;
  /** `http.tap_token`, for a tap opened in `onStarted`. */
  tapToken?: string;
  /** Run once the process listens, before the first line is sent (bench:tap attaches its tap readers here). */
  onStarted?: (httpUrl: string) => Promise<void>;
  /** Run once the sink acknowledged the last event, before the process stops (a last /metrics scrape). */
  onDelivered?: (httpUrl: string) => Promise<void>;
}

/**
 * `fortiems ingest` (syslog TCP in, OpenSearch out, in `namespace`) fed `lines`, octet-counted; timed from the first line
 * sent to the sink's acknowledgement of the last. Gives up after `timeoutMs`. Stops the process before it returns.
 */
export async function pipelineEndToEnd(
  dir: string,
  url: string,
  lines: readonly string[],
  namespace: string,
  options: EndToEndOptions = {},
): Promise<EndToEndResult> {
  const timeoutMs = options.timeoutMs ?? 30 * 60_000;
  const { child, httpUrl, tcpPort } = await startPipeline(dir, url, namespace, options);
  const pid = child.pid as number;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await options.onStarted?.(httpUrl);
    // The sink installs the templates before its first delivery: do it now, so it is not timed.
    const client = createOpenSearchClient({ url });
    await installMappings(client, { namespace });
    await client.close();
    const cpuAtStart = cpuSeconds(pid);
    const started = performance.now();
    await sendLines(`tcp://127.0.0.1:${tcpPort}?framing=octet`, lines);
    const sendSeconds = (performance.now() - started) / 1000;
    let rssMiB = 0;
    while ((await sinkSentEvents(httpUrl)) < lines.length) {
      if (performance.now() - started > timeoutMs)
        throw new Error(`fortiems ingest did not deliver ${lines.length} events in ${timeoutMs / 1000} s`);
      rssMiB = Math.max(rssMiB, peakRssMiB(pid));
      // Each /metrics render costs the pipeline about 2 ms of CPU: polled every 50 ms it took 5% of the process's CPU
      // in the profile. Every 200 ms it costs about 1%, and the rate's error stays under 1% on a run of 20 s or more.
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuSeconds(pid) - cpuAtStart;
    rssMiB = Math.max(rssMiB, peakRssMiB(pid));
    await options.onDelivered?.(httpUrl);
    return { rate: lines.length / seconds, sendRate: lines.length / sendSeconds, rssMiB, cpuSeconds: cpu };
  } finally {
    child.kill('SIGTERM');
    const stopped = await Promise.race([exited.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 30_000))]);
    if (!stopped) {
      child.kill('SIGKILL');
      await exited;
    }
  }
}
