/**
 * npm run bench:workers — the pipeline's full path per line (parse + event id + enrich (GeoIP) + bulk encoding, into a
 * search sink's buffer) with `pipeline.workers` 0 (on the event loop's thread), 1 and 2, interleaved over several
 * rounds. Prints lines/s, the CPU time of the whole process per line, and how busy the main thread's event loop was
 * (what the workers take off it); asserts nothing. BENCH_LINES (default 200,000), BENCH_ROUNDS (3), BENCH_WORKERS
 * (the settings to compare, default "0,1,2"), BENCH_GEOIP=0 (enrichment off).
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { runSimulation } from '../../ems-core/simulation/runner.js';
import { Simulation } from '../../ems-core/simulation/simulation.js';
import { createEnrichStage } from '../../ingest/enrich/enrich-stage.js';
import { Pipeline } from '../../ingest/pipeline/pipeline.js';
import type { RawLine } from '../../ingest/pipeline/raw-line.js';
import { createSearchSink } from '../../ingest/sinks/search/create-search-sink.js';
import { ComponentTelemetry } from '../../platform/telemetry/component-telemetry.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import { formatLine } from '../../syslog/index.js';
import { WriteOnlyBuffer } from '../support/write-only-buffer.js';

const COUNT = Number(process.env.BENCH_LINES ?? 200_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SETTINGS = (process.env.BENCH_WORKERS ?? '0,1,2').split(',').map(Number);
const GEOIP = process.env.BENCH_GEOIP !== '0';
const MONDAY = Date.parse('2026-11-23T00:00:00Z');

/** A buffer that counts what it is given and keeps nothing: the spool's cost is bench:spool's business. */
class CountingBuffer extends WriteOnlyBuffer {
  payloads = 0;
  bytes = 0;
  constructor() {
    super((payloads) => {
      this.payloads += payloads.length;
      for (const payload of payloads) this.bytes += payload.length;
    });
  }
}

async function corpus(): Promise<string[]> {
  const lines: string[] = [];
  const sim = new Simulation({ seed: 1, start: MONDAY, endpoints: 2000 });
  await runSimulation(sim, (line) => void lines.push(formatLine(line, { format: 'rfc3164', hostname: 'ems01.corp.example.com' })), {
    count: COUNT,
  });
  return lines;
}

interface Figures {
  rssMiB: number;
  linesPerSecond: number;
  cpuMicrosPerLine: number;
  eventLoopBusy: number;
}

async function run(lines: readonly string[], workers: number): Promise<Figures> {
  const registry = new MetricsRegistry();
  const buffer = new CountingBuffer();
  const sink = createSearchSink('opensearch', { type: 'opensearch', url: 'http://127.0.0.1:9', namespace: 'bench' }, { buffer, registry });
  const enrichOptions = { geoip: GEOIP };
  const enrich = createEnrichStage(enrichOptions);
  enrich.preload();
  const pipeline = new Pipeline({
    namespace: 'bench',
    queueEvents: 20_000,
    enrich,
    enrichOptions,
    workers,
    sinks: [sink],
    telemetry: new ComponentTelemetry(registry, { id: 'parse', kind: 'transform', type: 'parse' }),
  });
  pipeline.start();
  // Workers load their modules and GeoIP first: one small batch, not timed.
  await pipeline.submit([{ line: lines[0] as string, receivedAt: MONDAY, sourceId: 'bench', zone: 'UTC' }]);
  const receivedAt = Date.now();
  const cpu = process.cpuUsage();
  const loop = performance.eventLoopUtilization();
  const started = performance.now();
  // As a TCP source delivers: chunks of lines, waiting while the pipeline pushes back.
  for (let i = 0; i < lines.length; i += 500) {
    const chunk: RawLine[] = lines.slice(i, i + 500).map((line) => ({ line, receivedAt, sourceId: 'bench', zone: 'UTC' }));
    const pushedBack = pipeline.deliver(chunk);
    if (pushedBack) await pushedBack;
  }
  // The whole process, workers included (they are threads of it), at the end of the run.
  const rssMiB = process.memoryUsage().rss / 1048576;
  await pipeline.stop();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const busy = performance.eventLoopUtilization(loop).utilization;
  if (buffer.payloads !== lines.length + 1) throw new Error(`expected ${lines.length + 1} payloads, got ${buffer.payloads}`);
  return {
    rssMiB,
    linesPerSecond: lines.length / seconds,
    cpuMicrosPerLine: (used.user + used.system) / lines.length,
    eventLoopBusy: busy,
  };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

const lines = await corpus();
console.log(
  `corpus: ${lines.length.toLocaleString('en')} EMS lines (RFC 3164); ${ROUNDS} rounds, interleaved; Node ${process.version}, ${availableParallelism()} cores`,
);
console.log(`full path per line: parse + id + ${GEOIP ? 'enrich (GeoIP)' : 'no enrichment'} + bulk encoding into a search sink buffer`);
const results = new Map<number, Figures[]>(SETTINGS.map((workers) => [workers, []]));
for (let round = 1; round <= ROUNDS; round++) {
  for (const workers of SETTINGS) {
    const figures = await run(lines, workers);
    results.get(workers)?.push(figures);
    console.log(
      `  round ${round} workers ${workers}: ${Math.round(figures.linesPerSecond).toLocaleString('en').padStart(8)} lines/s, ` +
        `${figures.cpuMicrosPerLine.toFixed(1)} µs CPU/line, event loop ${(figures.eventLoopBusy * 100).toFixed(0)}% busy, ` +
        `rss ${figures.rssMiB.toFixed(0)} MiB`,
    );
  }
}
const baseline = median((results.get(SETTINGS[0] as number) ?? []).map((figures) => figures.linesPerSecond));
console.log('medians (min–max):');
for (const [workers, figures] of results) {
  const rates = figures.map((entry) => entry.linesPerSecond);
  console.log(
    `  workers ${workers}: ${Math.round(median(rates)).toLocaleString('en').padStart(8)} lines/s ` +
      `(${Math.round(Math.min(...rates)).toLocaleString('en')}–${Math.round(Math.max(...rates)).toLocaleString('en')}), ` +
      `×${(median(rates) / baseline).toFixed(2)} of workers ${SETTINGS[0]}, ` +
      `${median(figures.map((entry) => entry.cpuMicrosPerLine)).toFixed(1)} µs CPU/line, ` +
      `event loop ${(median(figures.map((entry) => entry.eventLoopBusy)) * 100).toFixed(0)}% busy`,
  );
}
