/**
 * npm run bench:soak — a long run at a steady rate under the ceiling: a real `fortiems ingest` process (syslog TCP on
 * 127.0.0.1 → OpenSearch sink with its default settings, a fresh namespace), fed EMS core lines at SOAK_RATE events/s
 * for SOAK_MINUTES. Every SOAK_REPORT_SECONDS it prints one line: events/s sent and indexed (the sink's
 * `fortiems_component_sent_events_total`), the receive-to-searchable latency of sampled lines (count, p50, p99, max;
 * how many are still pending and the age of the oldest), the pipeline's RSS (VmRSS, VmHWM from /proc) and heap, its
 * queue and buffer gauges and `fortiems_unaccounted_events`; then a summary comparing the last interval with the first
 * (and the second: the first holds the warm-up). Latency and memory should stay flat. Asserts nothing.
 *
 * Latency: every SOAK_SAMPLE_EVERY-th line (default 100) carries a marker, `soakmark=m<seq>` appended to its key=value
 * body (it lands in the `fortiems.extra` flat_object); its send time is kept and one `_search` per SOAK_POLL_MS
 * (default 100 ms) looks for every pending marker. The index refreshes at its own interval: nothing here forces a
 * refresh. A line counts as searchable when the answer that found it arrives, so the figures are an upper bound within
 * one poll interval plus a search round trip; they are reported in the interval in which the line was found. The clock
 * starts when the line is handed to the TCP sender, which is the pipeline's receive time unless the socket pushes back.
 *
 * Settings: SOAK_MINUTES (default 10), SOAK_RATE (default 2000 events/s), SOAK_REPORT_SECONDS (default 60),
 * SOAK_SAMPLE_EVERY (100), SOAK_POLL_MS (100). OPENSEARCH_URL selects a cluster, else a managed node is started in a
 * temporary folder and stopped at the end. Ctrl-C ends the run early, with the same clean-up: the pipeline stopped
 * (SIGTERM), the namespace's data streams and dead-letter index deleted, a node it started stopped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { provideOpenSearch } from '../../app/opensearch/target.js';
import { installMappings } from '../../ingest/sinks/search/install-mappings.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import { openDestination } from '../../syslog/index.js';
import { type IngestProcess, startIngestProcess, writeIngestConfig } from '../support/ingest-process.js';
import { emsLines, type MetricSample, percentile, processMemoryMiB, scrapeMetrics, sumMetric } from './bench-support.js';

function setting(name: string, fallback: number, { integer = false } = {}): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value)))
    throw new Error(`${name}=${raw}: expected a positive ${integer ? 'integer' : 'number'}`);
  return value;
}

const MINUTES = setting('SOAK_MINUTES', 10);
const RATE = setting('SOAK_RATE', 2000);
const REPORT_SECONDS = setting('SOAK_REPORT_SECONDS', 60);
const SAMPLE_EVERY = setting('SOAK_SAMPLE_EVERY', 100, { integer: true });
const POLL_MS = setting('SOAK_POLL_MS', 100);
/** Distinct lines generated once and cycled through; each sent line is still its own event (ids are given on arrival). */
const CORPUS_LINES = 20_000;
const SEND_TICK_MS = 10;
/** After the last line: how long to wait for the sink to confirm everything and for pending markers to be found. */
const DRAIN_MS = 120_000;
/** At most this many markers per `_search` (the oldest first). */
const MAX_MARKERS_PER_SEARCH = 2000;
const MARKER_FIELD = 'fortiems.extra.soakmark';
const SINK_ID = 'opensearch';
/** bin/fortiems.js, from dist/tests/bench/. */
const CLI = join(import.meta.dirname, '..', '..', '..', 'bin', 'fortiems.js');

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const MiB = 1024 * 1024;

interface Interval {
  /** Seconds since the start of sending, at the end of the interval. */
  at: number;
  seconds: number;
  sent: number;
  indexed: number;
  latencies: number[];
  pending: number;
  oldestPendingMs: number;
  rss: number;
  hwm: number;
  heap: number;
  queue: number;
  bufferEvents: number;
  bufferBytes: number;
  unaccounted: number;
}

/** The run's shared state: the sender, the latency poller and the reporter read and write it. */
class Soak {
  stopping = false;
  sendingDone = false;
  sent = 0;
  /** marker → send time (performance.now()). */
  readonly pending = new Map<string, number>();
  /** Latencies (ms) found since the last report. */
  found: number[] = [];
  readonly allLatencies: number[] = [];
  searchErrors = 0;
  lastSearchError = '';

  constructor(
    readonly ingest: IngestProcess,
    readonly client: ReturnType<typeof createOpenSearchClient>,
    readonly namespace: string,
    readonly lines: readonly string[],
  ) {}

  /** Sends at RATE lines/s until `endAt` (performance.now()) or a stop; pushes back when the socket does. */
  async send(endAt: number): Promise<void> {
    const destination = openDestination(`tcp://127.0.0.1:${this.ingest.ports.tcp}?framing=octet`, {
      maxQueuedMessages: 100_000,
      closeTimeoutMs: 15_000,
    });
    const started = performance.now();
    try {
      while (!this.stopping) {
        const now = performance.now();
        if (now >= endAt) break;
        const due = Math.floor(((now - started) / 1000) * RATE);
        while (this.sent < due && !this.stopping) {
          const seq = this.sent++;
          let line = this.lines[seq % this.lines.length] as string;
          if (seq % SAMPLE_EVERY === 0) {
            const marker = `m${seq}`;
            line += ` soakmark=${marker}`;
            this.pending.set(marker, performance.now());
          }
          const pushedBack = destination.write(line);
          if (pushedBack) await pushedBack;
        }
        await sleep(SEND_TICK_MS);
      }
    } finally {
      await destination.close();
      const { dropped } = destination.stats();
      if (dropped > 0) console.log(`sender: ${dropped} lines dropped by the TCP destination`);
      this.sendingDone = true;
    }
  }

  /** One `_search` per POLL_MS for the pending markers, until sending is done and none is pending (or `giveUpAt`). */
  async poll(giveUpAt: () => number): Promise<void> {
    while (!this.stopping && !(this.sendingDone && this.pending.size === 0) && performance.now() < giveUpAt()) {
      const tick = performance.now();
      if (this.pending.size > 0) {
        const markers: string[] = [];
        for (const marker of this.pending.keys()) {
          markers.push(marker);
          if (markers.length >= MAX_MARKERS_PER_SEARCH) break;
        }
        try {
          const response = await this.client.search(
            {
              index: `logs-fortiems.*-${this.namespace}`,
              allow_no_indices: true,
              ignore_unavailable: true,
              body: { size: markers.length, _source: [MARKER_FIELD], query: { terms: { [MARKER_FIELD]: markers } } },
            } as never,
            { requestTimeout: 10_000 },
          );
          const answeredAt = performance.now();
          const hits = (response.body as { hits: { hits: { _source?: { fortiems?: { extra?: { soakmark?: string } } } }[] } }).hits.hits;
          for (const hit of hits) {
            const marker = hit._source?.fortiems?.extra?.soakmark;
            const sentAt = marker === undefined ? undefined : this.pending.get(marker);
            if (marker === undefined || sentAt === undefined) continue;
            this.pending.delete(marker);
            this.found.push(answeredAt - sentAt);
            this.allLatencies.push(answeredAt - sentAt);
          }
        } catch (error) {
          this.searchErrors++;
          this.lastSearchError = (error as Error).message;
        }
      }
      await sleep(Math.max(0, POLL_MS - (performance.now() - tick)));
    }
  }

  oldestPendingMs(): number {
    const first = this.pending.values().next();
    return first.done ? 0 : performance.now() - first.value;
  }
}

function gauges(samples: readonly MetricSample[]) {
  const sink = { component_id: SINK_ID, component_kind: 'sink' };
  return {
    indexed: sumMetric(samples, 'fortiems_component_sent_events_total', sink),
    heap: sumMetric(samples, 'nodejs_heap_size_used_bytes') / MiB,
    queue: sumMetric(samples, 'fortiems_pipeline_queue_events'),
    bufferEvents: sumMetric(samples, 'fortiems_buffer_events', sink),
    bufferBytes: sumMetric(samples, 'fortiems_buffer_bytes', sink),
    unaccounted: sumMetric(samples, 'fortiems_unaccounted_events', { component_id: SINK_ID }),
  };
}

const COLUMNS = [
  ['t s', 6],
  ['sent/s', 8],
  ['indexed/s', 10],
  ['lat n', 6],
  ['p50 ms', 8],
  ['p99 ms', 8],
  ['max ms', 8],
  ['pending', 8],
  ['oldest ms', 10],
  ['RSS MiB', 8],
  ['HWM MiB', 8],
  ['heap MiB', 9],
  ['queue', 7],
  ['buf ev', 8],
  ['buf KiB', 9],
  ['unacc', 7],
] as const;

function row(values: readonly (string | number)[]): string {
  return values
    .map((value, i) => {
      const text = typeof value === 'number' ? (Number.isNaN(value) ? '-' : String(Math.round(value))) : value;
      return text.padStart(COLUMNS[i]?.[1] ?? 8);
    })
    .join(' ');
}

function printInterval(interval: Interval): void {
  const sorted = [...interval.latencies].sort((a, b) => a - b);
  console.log(
    row([
      interval.at,
      interval.sent / interval.seconds,
      interval.indexed / interval.seconds,
      sorted.length,
      percentile(sorted, 50),
      percentile(sorted, 99),
      sorted.length > 0 ? (sorted[sorted.length - 1] as number) : Number.NaN,
      interval.pending,
      interval.oldestPendingMs,
      interval.rss,
      interval.hwm,
      interval.heap,
      interval.queue,
      interval.bufferEvents,
      interval.bufferBytes / 1024,
      interval.unaccounted,
    ]),
  );
}

async function measure(soak: Soak, startedAt: number, previous: { at: number; sent: number; indexed: number }): Promise<Interval> {
  const samples = await scrapeMetrics(soak.ingest.httpUrl);
  const now = performance.now();
  const memory = processMemoryMiB(soak.ingest.child.pid as number);
  const g = gauges(samples);
  const at = (now - startedAt) / 1000;
  const interval: Interval = {
    at,
    seconds: Math.max(0.001, at - previous.at),
    sent: soak.sent - previous.sent,
    indexed: g.indexed - previous.indexed,
    latencies: soak.found,
    pending: soak.pending.size,
    oldestPendingMs: soak.oldestPendingMs(),
    rss: memory.rss,
    hwm: memory.hwm,
    heap: g.heap,
    queue: g.queue,
    bufferEvents: g.bufferEvents,
    bufferBytes: g.bufferBytes,
    unaccounted: g.unaccounted,
  };
  soak.found = [];
  previous.at = at;
  previous.sent = soak.sent;
  previous.indexed = g.indexed;
  return interval;
}

function summary(
  intervals: readonly Interval[],
  soak: Soak,
  final: { totalIndexed: number; unaccounted: number; bufferEvents: number } | undefined,
): void {
  const fmt = (value: number, digits = 0) => (Number.isNaN(value) ? '-' : value.toFixed(digits));
  const stats = (interval: Interval) => {
    const sorted = [...interval.latencies].sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
  };
  console.log('');
  console.log('summary');
  const last = intervals[intervals.length - 1];
  // The first interval holds the warm-up (V8's JIT, OpenSearch's first segments): compare the last interval with it,
  // and, when there are three or more, with the second one as well.
  const baselines: [string, Interval | undefined][] = [
    ['first', intervals[0]],
    ['second', intervals.length >= 3 ? intervals[1] : undefined],
  ];
  for (const [label, base] of baselines) {
    if (!base || !last) continue;
    const a = stats(base);
    const b = stats(last);
    console.log(
      `  ${label} → last interval: latency p50 ${fmt(a.p50)} → ${fmt(b.p50)} ms (drift ${fmt(b.p50 - a.p50)} ms), p99 ${fmt(a.p99)} → ${fmt(b.p99)} ms (drift ${fmt(b.p99 - a.p99)} ms); RSS ${fmt(base.rss)} → ${fmt(last.rss)} MiB (drift ${fmt(last.rss - base.rss, 1)} MiB); heap used ${fmt(base.heap)} → ${fmt(last.heap)} MiB`,
    );
  }
  if (last) {
    const rates = intervals.map((interval) => interval.indexed / interval.seconds);
    const rss = intervals.map((interval) => interval.rss);
    console.log(
      `  per interval: indexed/s min ${fmt(Math.min(...rates))}, max ${fmt(Math.max(...rates))} (target ${RATE}); RSS min ${fmt(Math.min(...rss))}, max ${fmt(Math.max(...rss))} MiB; peak (VmHWM) ${fmt(last.hwm)} MiB`,
    );
  }
  const all = [...soak.allLatencies].sort((a, b) => a - b);
  console.log(
    `  whole run: ${soak.sent} lines sent, ${all.length} sampled latencies: p50 ${fmt(percentile(all, 50))} ms, p99 ${fmt(percentile(all, 99))} ms, max ${fmt(all[all.length - 1] ?? Number.NaN)} ms; ${soak.pending.size} sampled lines never found`,
  );
  if (final)
    console.log(
      `  after the drain: indexed ${final.totalIndexed} of ${soak.sent} sent, fortiems_unaccounted_events ${final.unaccounted}, buffer ${final.bufferEvents} events`,
    );
  if (soak.searchErrors > 0) console.log(`  latency searches that failed: ${soak.searchErrors} (last: ${soak.lastSearchError})`);
}

/** Whether `promise` settled within `ms` (the timer is cleared either way, so nothing keeps the process alive). */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function stopPipeline(ingest: IngestProcess): Promise<void> {
  if (ingest.child.exitCode !== null || ingest.child.signalCode !== null) return;
  ingest.child.kill('SIGTERM');
  if (await settlesWithin(ingest.exited, 30_000)) return;
  console.log('fortiems ingest did not stop within 30 s of SIGTERM: SIGKILL');
  ingest.child.kill('SIGKILL');
  await settlesWithin(ingest.exited, 5000);
}

async function main(): Promise<void> {
  const namespace = `soak${Date.now().toString(36)}`;
  const dir = mkdtempSync(join(tmpdir(), 'fortiems-bench-soak-'));
  const instanceDir = mkdtempSync(join(tmpdir(), 'fortiems-bench-opensearch-'));
  const soakRef: { current?: Soak } = {};
  let interrupted = false;
  let cleaningUp = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    console.log(`\n${signal}: stopping the run and cleaning up`);
    if (soakRef.current) soakRef.current.stopping = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let opensearch: Awaited<ReturnType<typeof provideOpenSearch>> | undefined;
  let client: ReturnType<typeof createOpenSearchClient> | undefined;
  let ingest: IngestProcess | undefined;
  try {
    opensearch = await provideOpenSearch({ instanceDir, port: 0, heap: '2g', log: (line) => console.log(line) });
    if (interrupted) return;
    client = createOpenSearchClient(opensearch);
    console.log(
      `soak: ${MINUTES} min at ${RATE} events/s, a report every ${REPORT_SECONDS} s, latency sampled on 1 line in ${SAMPLE_EVERY} (poll ${POLL_MS} ms); OpenSearch ${opensearch.url} (${opensearch.source}); namespace ${namespace}`,
    );
    const lines = await emsLines(CORPUS_LINES, 15);
    // The sink installs the templates before its first delivery; doing it here lets the latency searches start at once.
    await installMappings(client, { namespace });
    const config = writeIngestConfig(dir, { syslog: ['tcp'], opensearchUrl: opensearch.url, namespace, sinkId: SINK_ID });
    ingest = await startIngestProcess(config, { listens: ['tcp'], cli: CLI });
    const pid = ingest.child.pid as number;
    ingest.child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    const idle = processMemoryMiB(pid);
    console.log(`fortiems ingest pid ${pid}, RSS at start ${idle.rss.toFixed(0)} MiB`);
    if (interrupted) return;

    const soak = new Soak(ingest, client, namespace, lines);
    soakRef.current = soak;
    void ingest.exited.then((code) => {
      if (cleaningUp) return;
      console.log(`fortiems ingest exited during the run (code ${code}): stopping`);
      soak.stopping = true;
    });
    console.log(row(COLUMNS.map(([name]) => name)));
    const startedAt = performance.now();
    const endAt = startedAt + MINUTES * 60_000;
    let drainDeadline = endAt + DRAIN_MS;
    const previous = { at: 0, sent: 0, indexed: 0 };
    const intervals: Interval[] = [];

    // One report per full interval up to the end of sending; what follows the last one is printed after the drain.
    const reporter = (async () => {
      for (let next = startedAt + REPORT_SECONDS * 1000; next <= endAt + 1 && !soak.stopping; next += REPORT_SECONDS * 1000) {
        while (!soak.stopping && performance.now() < next) await sleep(Math.min(250, next - performance.now()));
        if (soak.stopping) break;
        try {
          const interval = await measure(soak, startedAt, previous);
          intervals.push(interval);
          printInterval(interval);
        } catch (error) {
          console.log(`metrics scrape failed: ${(error as Error).message}`);
        }
      }
    })();
    const sender = soak.send(endAt).then(() => {
      drainDeadline = performance.now() + DRAIN_MS;
    });
    const poller = soak.poll(() => drainDeadline);
    await Promise.all([sender, reporter, poller.catch((error) => console.log(`latency poller: ${(error as Error).message}`))]);

    // Drain: the sink confirms what was sent; the remaining markers are found (the poller runs until then).
    let final: Interval | undefined;
    if (!soak.stopping) {
      while (performance.now() < drainDeadline && !soak.stopping) {
        const indexed = await scrapeMetrics(ingest.httpUrl).then(
          (samples) => gauges(samples).indexed,
          () => 0,
        );
        if (indexed >= soak.sent) break;
        await sleep(250);
      }
      await poller;
      final = await measure(soak, startedAt, previous);
      console.log('from the last report until everything sent was indexed (the drain):');
      printInterval(final);
    }
    summary(intervals, soak, final && { totalIndexed: previous.indexed, unaccounted: final.unaccounted, bufferEvents: final.bufferEvents });
  } finally {
    cleaningUp = true;
    if (ingest) await stopPipeline(ingest).catch((error) => console.log(`stopping fortiems ingest: ${(error as Error).message}`));
    if (client) {
      await client.indices
        .deleteDataStream({ name: `logs-fortiems.*-${namespace}` }, { ignore: [404] })
        .catch((error) => console.log(`deleting the data streams: ${(error as Error).message}`));
      await client.indices
        .delete({ index: `fortiems-dead-letter-${namespace}` }, { ignore: [404] })
        .catch((error) => console.log(`deleting the dead-letter index: ${(error as Error).message}`));
      await client.close();
    }
    if (opensearch) await opensearch.release().catch((error) => console.log(`stopping OpenSearch: ${(error as Error).message}`));
    rmSync(dir, { recursive: true, force: true });
    rmSync(instanceDir, { recursive: true, force: true });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

await main();
