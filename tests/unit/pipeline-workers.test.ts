/**
 * Parse workers (`pipeline.workers`): the payloads the sinks' buffers receive are byte for byte those of the in-thread
 * path, for the EMS corpus and for hostile input, with the same telemetry and the order of the queue; a worker killed
 * mid-batch loses nothing. Workers run the built code (dist/): `npm run build` first (`npm test` does).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyslogSinkConfig } from '../../ingest/config/types.js';
import { createEnrichStage, type EnrichStageOptions } from '../../ingest/enrich/enrich-stage.js';
import { createSyslogSink } from '../../ingest/forward/create-syslog-sink.js';
import { Pipeline } from '../../ingest/pipeline/pipeline.js';
import type { RawLine } from '../../ingest/pipeline/raw-line.js';
import { createSearchSink } from '../../ingest/sinks/search/create-search-sink.js';
import type { Sink } from '../../ingest/sinks/sink.js';
import { BufferedSink } from '../../ingest/sinks/sink-helper.js';
import { ComponentTelemetry, METRIC_NAMES } from '../../platform/telemetry/component-telemetry.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import { emsCorpus, VARIANT_LINES } from '../support/parser-corpus.js';
import { WriteOnlyBuffer } from '../support/write-only-buffer.js';

const RECEIVED_AT = Date.parse('2026-11-23T10:00:05Z');

/** A buffer that keeps (copies of) what it is given, in order. */
class CaptureBuffer extends WriteOnlyBuffer {
  readonly bytes: Buffer[] = [];
  readonly payloads: string[] = [];
  constructor() {
    super((payloads) => {
      for (const payload of payloads) {
        this.bytes.push(Buffer.from(payload));
        this.payloads.push(payload.toString('utf8'));
      }
    });
  }
}

/** A tiny deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TROUBLE = ['"', '=', ' ', '\\', '<', '>', ':', '[', ']', '-', '\t', '\r', '\n', '\0', '\ufeff', '1', 'é', '👩‍💻', '\ud800', '\udfff'];

/** Lines that try to break things: mutated real lines, lone surrogates, control characters, huge values, framing errors. */
function hostileLines(seeds: readonly string[], count: number): RawLine[] {
  const next = random(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const lines: RawLine[] = [];
  for (let i = 0; i < count; i++) {
    let line = pick(seeds);
    const edits = 1 + Math.floor(next() * 6);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(next() * (line.length + 1));
      const cut = next() < 0.3 ? Math.floor(next() * 20) : 0;
      line = line.slice(0, at) + pick(TROUBLE).repeat(1 + Math.floor(next() * 3)) + line.slice(at + cut);
    }
    if (i % 97 === 0) line = `${line} msg="${'A'.repeat(20_000)}"`;
    if (i % 131 === 0) line = '';
    const raw: RawLine = {
      line,
      receivedAt: RECEIVED_AT + i,
      sourceId: i % 2 ? 'syslog_tcp' : 'http',
      zone: i % 3 ? 'UTC' : 'Europe/Paris',
      id: `hostile-${i}`,
    };
    if (i % 53 === 0) raw.framingError = pick(['message_too_large', 'truncated_frame', 'invalid_octet_count']);
    lines.push(raw);
  }
  return lines;
}

const CEF_FILTERED: SyslogSinkConfig = {
  type: 'syslog',
  address: '127.0.0.1:9',
  format: 'cef',
  filter: { query: 'NOT event.outcome:success' },
};

interface Run {
  search: Buffer;
  syslog: Buffer;
  searchCount: number;
  counts: Record<string, number>;
  enrich: Record<string, number>;
  /** Events the workers enriched: all of them when the workers did the work. */
  workerEvents: number;
  workerCrashes: number;
}

async function runPipeline(
  lines: readonly RawLine[],
  workers: number,
  options: { enrich?: EnrichStageOptions & { geoip?: boolean }; chunk?: number; onStarted?: (pipeline: Pipeline) => void } = {},
): Promise<Run> {
  const registry = new MetricsRegistry();
  const searchBuffer = new CaptureBuffer();
  const syslogBuffer = new CaptureBuffer();
  const sinks: Sink[] = [
    createSearchSink(
      'opensearch',
      { type: 'opensearch', url: 'http://127.0.0.1:9', namespace: 'workers' },
      { buffer: searchBuffer, registry },
    ),
    createSyslogSink('siem', CEF_FILTERED, { buffer: syslogBuffer, registry, dataDir: '/nonexistent' }),
  ];
  const enrichOptions = options.enrich ?? { geoip: true };
  let workerCrashes = 0;
  const pipeline = new Pipeline({
    namespace: 'workers',
    queueEvents: 100_000,
    enrich: createEnrichStage(enrichOptions),
    enrichOptions,
    workers,
    onWorkerCrash: () => workerCrashes++,
    sinks,
    telemetry: new ComponentTelemetry(registry, { id: 'parse', kind: 'transform', type: 'parse' }),
    batchEvents: 250,
  });
  pipeline.start();
  options.onStarted?.(pipeline);
  const chunk = options.chunk ?? 200;
  const copies = lines.map((line) => ({ ...line }));
  const submitted: Promise<void>[] = [];
  for (let i = 0; i < copies.length; i += chunk) submitted.push(pipeline.submit(copies.slice(i, i + chunk)));
  await Promise.all(submitted);
  const enrich = pipeline.enrichMetrics() ?? {};
  const workerEvents = pipeline.workerPool()?.enrichMetrics().enrich_events_total ?? 0;
  await pipeline.stop();
  const total = (name: string, labels: Record<string, string>) => registry.get(name)?.total(labels) ?? 0;
  const counts: Record<string, number> = {};
  for (const id of ['parse', 'opensearch', 'siem']) {
    counts[`${id}.received`] = total(METRIC_NAMES.receivedEvents, { component_id: id });
    counts[`${id}.received_bytes`] = total(METRIC_NAMES.receivedBytes, { component_id: id });
    counts[`${id}.sent`] = total(METRIC_NAMES.sentEvents, { component_id: id });
    counts[`${id}.pipeline_error`] = total(METRIC_NAMES.errors, { component_id: id, error_type: 'pipeline_error' });
    counts[`${id}.filtered`] = total(METRIC_NAMES.discarded, { component_id: id, reason: 'filtered' });
    counts[`${id}.encode_error`] = total(METRIC_NAMES.discarded, { component_id: id, reason: 'encode_error' });
  }
  return {
    search: Buffer.concat(searchBuffer.bytes),
    syslog: Buffer.concat(syslogBuffer.bytes),
    searchCount: searchBuffer.payloads.length,
    counts,
    enrich,
    workerEvents,
    workerCrashes,
  };
}

/** The counters that must not depend on where enrichment ran (gauges and the inventory's timing may). */
const enrichTotals = (metrics: Record<string, number>) =>
  Object.fromEntries(Object.entries(metrics).filter(([name]) => name === 'enrich_events_total' || name === 'enrich_geoip_enriched_total'));

/**
 * A sink whose workers encode with `tests/support/stuck-encoder.mjs` (`config` is its configuration; `name` another
 * export, to make a recipe that cannot load), and this thread the same way without its loop and mark.
 */
function testSink(registry: MetricsRegistry, config: Record<string, unknown>, name = 'stuckEncoder') {
  const buffer = new CaptureBuffer();
  const sink = new BufferedSink({
    id: 'stuck',
    buffer,
    encode: (event) => Buffer.from(`${(event.document.event as { id: string }).id}\n`),
    encoderRecipe: { module: new URL('../support/stuck-encoder.mjs', import.meta.url).href, name, id: 'stuck', config },
    driver: { type: 'none', send: async () => ({ outcomes: [], bytes: 0 }), deadLetter: async () => {} },
    telemetry: new ComponentTelemetry(registry, { id: 'stuck', kind: 'sink', type: 'none' }),
    batch: { maxEvents: 100, maxBytes: 1_000_000, timeoutMs: 10 },
    concurrency: 1,
  });
  return { sink, buffer };
}

describe('parse workers', () => {
  let ems: RawLine[];
  let hostile: RawLine[];

  beforeAll(async () => {
    const corpus = await emsCorpus({ seed: 15, count: 3000, timeZones: ['UTC', 'Europe/Paris', 'America/New_York'] });
    ems = corpus.map((entry, i) => ({
      line: entry.line,
      receivedAt: RECEIVED_AT + i,
      sourceId: 'syslog_tcp',
      zone: 'UTC',
      id: `ems-${i}`,
    }));
    hostile = hostileLines([...corpus.slice(0, 50).map((entry) => entry.line), ...Object.values(VARIANT_LINES)], 2000);
  });

  it.each([
    ['the EMS corpus', () => ems],
    ['the hostile-input corpus', () => hostile],
  ])('gives the sinks byte-identical payloads and the same counts with workers 0, 1 and 2: %s', async (_name, lines) => {
    const inThread = await runPipeline(lines(), 0);
    expect(inThread.searchCount).toBe(lines().length);
    expect(inThread.syslog.length).toBeGreaterThan(0);
    expect(inThread.counts['siem.filtered']).toBeGreaterThan(0);
    for (const workers of [1, 2]) {
      const run = await runPipeline(lines(), workers);
      expect(run.workerCrashes).toBe(0);
      expect(run.workerEvents).toBe(lines().length);
      expect(run.search.equals(inThread.search), `search payloads with workers: ${workers}`).toBe(true);
      expect(run.syslog.equals(inThread.syslog), `syslog payloads with workers: ${workers}`).toBe(true);
      expect(run.counts).toEqual(inThread.counts);
      expect(enrichTotals(run.enrich)).toEqual(enrichTotals(inThread.enrich));
    }
  });

  it('accounts for every line exactly with workers: 2 (received = indexed-to-buffer + filtered per sink) and keeps the queue order', async () => {
    const run = await runPipeline([...ems, ...hostile], 2, { chunk: 37 });
    const lines = ems.length + hostile.length;
    expect(run.counts['parse.received']).toBe(lines);
    expect(run.counts['parse.sent']).toBe(lines);
    expect(run.counts['opensearch.received']).toBe(lines);
    expect(run.searchCount + (run.counts['opensearch.encode_error'] ?? 0)).toBe(lines);
    expect(run.counts['siem.received']).toBe(lines);
    // Order: the ids in the search sink's buffer are the submitted ids, in submission order.
    const ids = [...run.search.toString().matchAll(/"_id":"([^"]+)"/g)].map((match) => match[1]);
    expect(ids).toEqual([...ems, ...hostile].map((line) => line.id));
  });

  it('a sink swap re-arms the workers: batches taken before it reach the old sink in its format, after it the new one in its own', async () => {
    const registry = new MetricsRegistry();
    const before = new CaptureBuffer();
    const after = new CaptureBuffer();
    const cef = createSyslogSink(
      'siem',
      { type: 'syslog', address: '127.0.0.1:9', format: 'cef' },
      { buffer: before, registry, dataDir: '/nonexistent' },
    );
    const json = createSyslogSink(
      'siem',
      { type: 'syslog', address: '127.0.0.1:9', format: 'json' },
      { buffer: after, registry, dataDir: '/nonexistent' },
    );
    const pipeline = new Pipeline({
      namespace: 'workers',
      queueEvents: 100_000,
      enrich: undefined,
      workers: 2,
      sinks: [cef],
      telemetry: new ComponentTelemetry(registry, { id: 'parse', kind: 'transform', type: 'parse' }),
      batchEvents: 100,
    });
    pipeline.start();
    const first = ems.slice(0, 1000).map((line) => ({ ...line }));
    const second = ems.slice(1000, 2000).map((line) => ({ ...line }));
    const submitted = Array.from({ length: 10 }, (_, i) => pipeline.submit(first.slice(i * 100, i * 100 + 100)));
    // Swapped once the first batches have reached the old sink, while later ones are in the workers or queued.
    while (before.payloads.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    const swapped = pipeline.replaceSinks(async () => [json]);
    await Promise.all([...submitted, swapped]);
    await pipeline.submit(second);
    await pipeline.stop();
    expect(before.payloads.length).toBeGreaterThan(0);
    expect(before.payloads.length + after.payloads.length).toBe(2000);
    expect(before.payloads.every((payload) => payload.includes('CEF:0|'))).toBe(true);
    expect(after.payloads.every((payload) => payload.startsWith('{'))).toBe(true);
    // The new sink got exactly the lines the old one did not, in order.
    const ids = [...first, ...second].map((line) => line.id);
    expect(after.payloads.map((payload) => (JSON.parse(payload) as { event: { id: string } }).event.id)).toEqual(
      ids.slice(before.payloads.length),
    );
  });

  it('a worker stuck on a batch is terminated after the batch timeout: the batch is processed here once, in order, and a fresh worker takes over', async () => {
    const lines = ems.slice(0, 1500).map((line) => ({ ...line }));
    const stuckOn = lines[600]?.id as string;
    const registry = new MetricsRegistry();
    const { sink, buffer } = testSink(registry, { stuckOn });
    const crashes: Error[] = [];
    const pipeline = new Pipeline({
      namespace: 'workers',
      queueEvents: 100_000,
      enrich: undefined,
      workers: 1,
      // Long enough that a healthy batch on a loaded machine (a fresh worker loading its tables) never reaches it: only the stuck one.
      workerBatchTimeoutMs: 4000,
      onWorkerCrash: (error) => crashes.push(error),
      sinks: [sink],
      telemetry: new ComponentTelemetry(registry, { id: 'parse', kind: 'transform', type: 'parse' }),
      batchEvents: 250,
    });
    pipeline.start();
    await Promise.all(Array.from({ length: 6 }, (_, i) => pipeline.submit(lines.slice(i * 250, i * 250 + 250))));
    const afterTimeout = pipeline.workerPool()?.usable;
    await pipeline.stop();
    expect(crashes.map((error) => error.name)).toEqual(['WorkerTimeoutError']);
    expect(afterTimeout).toBe(true);
    // Every line exactly once, in the queue's order: nothing from the stuck worker arrived as well.
    expect(buffer.payloads.join('')).toBe(lines.map((line) => `${line.id}\n`).join(''));
    const total = (name: string, labels: Record<string, string>) => registry.get(name)?.total(labels) ?? 0;
    expect(total(METRIC_NAMES.errors, { component_id: 'parse', error_type: 'worker_timeout' })).toBe(1);
    expect(total(METRIC_NAMES.errors, { component_id: 'parse', error_type: 'worker_crash' })).toBe(0);
    expect(total(METRIC_NAMES.receivedEvents, { component_id: 'stuck' })).toBe(lines.length);
  });

  it('workers given up after three deaths in a row are tried again at a reload', async () => {
    const registry = new MetricsRegistry();
    // A recipe naming no export: every batch is answered `failed`, which counts as a death.
    const broken = testSink(registry, {}, 'noSuchEncoder');
    const crashes: Error[] = [];
    const pipeline = new Pipeline({
      namespace: 'workers',
      queueEvents: 100_000,
      enrich: undefined,
      workers: 1,
      onWorkerCrash: (error) => crashes.push(error),
      sinks: [broken.sink],
      telemetry: new ComponentTelemetry(registry, { id: 'parse', kind: 'transform', type: 'parse' }),
    });
    pipeline.start();
    const lines = ems.slice(0, 500).map((line) => ({ ...line }));
    for (let i = 0; i < 4; i++) await pipeline.submit(lines.slice(i * 100, i * 100 + 100));
    expect(crashes).toHaveLength(3);
    expect(pipeline.workerPool()?.usable).toBe(false);
    // Every line still reached the sink, from this thread.
    expect(broken.buffer.payloads.join('')).toBe(
      lines
        .slice(0, 400)
        .map((line) => `${line.id}\n`)
        .join(''),
    );

    const fixed = testSink(registry, { mark: '@worker' });
    await pipeline.replaceSinks(async () => [fixed.sink]);
    expect(pipeline.workerPool()?.usable).toBe(true);
    await pipeline.submit(lines.slice(400));
    await pipeline.stop();
    expect(crashes).toHaveLength(3);
    expect(fixed.buffer.payloads.join('')).toBe(
      lines
        .slice(400)
        .map((line) => `${line.id}@worker\n`)
        .join(''),
    );
  });

  describe('a worker killed mid-batch', () => {
    let inventory: Server;
    let url: string;
    beforeAll(async () => {
      // An inventory that never answers: each batch waits its timeout in the worker, long enough to be killed there.
      inventory = createServer(() => {});
      await new Promise<void>((resolve) => inventory.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(inventory.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      inventory.closeAllConnections();
      await new Promise((resolve) => inventory.close(resolve));
    });

    it('loses nothing: the batch is processed again on the main thread, in order, and a fresh worker takes over', async () => {
      const lines = ems.slice(0, 1500);
      let killed = 0;
      const run = await runPipeline(lines, 1, {
        enrich: { geoip: false, inventory: { url, token: 't', timeoutMs: 300 } },
        chunk: 250,
        onStarted: (pipeline) => {
          const timer = setInterval(() => {
            const busy = pipeline.workerPool()?.busyWorkers()[0];
            if (!busy) return;
            clearInterval(timer);
            killed++;
            void busy.terminate();
          }, 5);
        },
      });
      expect(killed).toBe(1);
      expect(run.workerCrashes).toBeGreaterThanOrEqual(1);
      expect(run.searchCount).toBe(lines.length);
      const ids = [...run.search.toString().matchAll(/"_id":"([^"]+)"/g)].map((match) => match[1]);
      expect(ids).toEqual(lines.map((line) => line.id));
      expect(run.counts['parse.received']).toBe(lines.length);
      expect(run.counts['parse.sent']).toBe(lines.length);
    });
  });
});
