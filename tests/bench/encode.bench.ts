/**
 * npm run bench:encode — the sink's accept path on one core, after parsing: EMS lines are parsed and enriched once
 * (BENCH_LINES, default 100k), then timed: `BufferedSink.accept` of the OpenSearch sink's encoder into a memory
 * buffer (encode + measure + buffer write; the buffer is drained between batches), the same into a disk spool
 * (adds framing, checksums and group-committed fdatasync), the spool's framing alone, and building the bulk request
 * bodies as the socket will send them (bytes). Rounds are repeated (BENCH_ROUNDS, default 5) and the median printed
 * as CPU µs per event. Asserts nothing.
 *
 * Written against the sink interfaces only, so the same compiled file runs against an older build (payloads as
 * strings) for an A/B: copy dist/tests/bench/encode.bench.js into the other build's dist/tests/bench/ and run both,
 * interleaved.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSimulation } from '../../ems-core/simulation/runner.js';
import { Simulation } from '../../ems-core/simulation/simulation.js';
import { openDiskSpool } from '../../ingest/buffers/disk-spool.js';
import type { EventBuffer } from '../../ingest/buffers/event-buffer.js';
import * as frame from '../../ingest/buffers/frame.js';
import { MemoryBuffer } from '../../ingest/buffers/memory-buffer.js';
import { createEnrichStage } from '../../ingest/enrich/enrich-stage.js';
import { receiveEventId, setEventId } from '../../ingest/pipeline/event-ids.js';
import * as bulk from '../../ingest/sinks/search/bulk-encoding.js';
import { BufferedSink } from '../../ingest/sinks/sink-helper.js';
import { type ParsedEvent, parseLine } from '../../parsers/parse-line.js';
import * as slab from '../../platform/bytes/utf8-slab.js';
import { ComponentTelemetry } from '../../platform/telemetry/component-telemetry.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import { formatLine } from '../../syslog/index.js';

const COUNT = Number(process.env.BENCH_LINES ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** Events per accept call: what the pipeline hands a sink at a time. */
const BATCH = Number(process.env.BENCH_BATCH ?? 500);
/** Records per bulk request (the sink's default batch). */
const BULK = 2000;

// Typed loosely on purpose: the same compiled file must run against a build whose payloads are strings.
type Payload = string | Buffer;
const encode = bulk.encodeBulkCreate as unknown as (event: ParsedEvent) => Payload;
const encodeFrames = frame.encodeFrames as unknown as (payloads: readonly Payload[]) => unknown;
// Where payloads are copied (the spool) their slab space is given back; phases that copy do the same. Absent in a
// build whose payloads are strings.
const release = (slab as { releaseUtf8Bytes?: (views: readonly Payload[]) => void }).releaseUtf8Bytes ?? (() => undefined);

async function events(): Promise<ParsedEvent[]> {
  const out: ParsedEvent[] = [];
  const enrich = createEnrichStage({ geoip: true });
  enrich.preload();
  const sim = new Simulation({ seed: 1, start: Date.parse('2026-11-23T00:00:00Z'), endpoints: 2000 });
  await runSimulation(
    sim,
    (line) => {
      const event = parseLine(formatLine(line, { format: 'rfc3164', hostname: 'ems01.corp.example.com' }), {
        receivedAt: Date.now(),
        namespace: 'bench',
      });
      setEventId(event.document, receiveEventId());
      enrich.enrich(event);
      out.push(event);
    },
    { count: COUNT },
  );
  return out;
}

const cpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

function sink(buffer: EventBuffer): BufferedSink {
  return new BufferedSink({
    id: 'bench',
    buffer,
    encode: encode as never,
    driver: {
      type: 'none',
      send: async () => ({ outcomes: [], bytes: 0 }),
      deadLetter: async () => undefined,
    },
    telemetry: new ComponentTelemetry(new MetricsRegistry(), { id: 'bench', kind: 'sink', type: 'none' }),
    batch: { maxEvents: BULK, maxBytes: 1 << 30, timeoutMs: 1000 },
    concurrency: 1,
  });
}

/** accept() every event in BATCH-sized calls; the buffer is drained after each, as a reader that keeps up would. */
async function acceptAll(all: readonly ParsedEvent[], target: BufferedSink, buffer: EventBuffer): Promise<void> {
  for (let i = 0; i < all.length; i += BATCH) {
    await target.accept(all.slice(i, i + BATCH));
    buffer.ack(await buffer.read(1 << 30, 2 ** 40));
  }
}

const phases: Record<string, (all: readonly ParsedEvent[]) => Promise<void>> = {
  'accept → memory buffer': async (all) => {
    const buffer = new MemoryBuffer(1 << 30);
    await acceptAll(all, sink(buffer), buffer);
  },
  'accept → disk spool (with fdatasync)': async (all) => {
    const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'fortiems-encode-bench-'));
    try {
      const buffer = await openDiskSpool({ dir, maxBytes: 2 ** 34, whenFull: 'block' });
      await acceptAll(all, sink(buffer), buffer);
      await buffer.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  'encode + spool framing (no I/O)': async (all) => {
    for (let i = 0; i < all.length; i += BATCH) {
      const payloads = all.slice(i, i + BATCH).map(encode);
      encodeFrames(payloads);
      release(payloads);
    }
  },
  'accept → memory buffer → bulk bodies as bytes': async (all) => {
    // As the search driver builds them: from records read out of the buffer, BULK at a time. A string payload is
    // joined and then encoded to UTF-8 by the transport (and measured for content-length); bytes are concatenated.
    const buffer = new MemoryBuffer(1 << 30);
    const target = sink(buffer);
    for (let i = 0; i < all.length; i += BULK) {
      for (let j = i; j < Math.min(i + BULK, all.length); j += BATCH) await target.accept(all.slice(j, Math.min(j + BATCH, i + BULK)));
      const records = await buffer.read(BULK, 2 ** 40);
      const payloads = records.map((record) => record.payload as Payload);
      if (typeof payloads[0] === 'string') Buffer.from((payloads as string[]).join(''), 'utf8');
      else Buffer.concat(payloads as Buffer[]);
      buffer.ack(records);
    }
  },
};

// The alternative to the slab, measured where the encoder offers its action line: one Buffer.from per event.
const action = (bulk as { bulkCreateAction?: (event: ParsedEvent) => string }).bulkCreateAction;
if (action)
  phases['encode, one Buffer.from per event (no slab)'] = async (all) => {
    for (const event of all) Buffer.from(`${action(event)}${JSON.stringify(event.document)}\n`, 'utf8');
  };
phases['encode only'] = async (all) => {
  for (const event of all) release([encode(event)]);
};

// BENCH_PHASES=memory,bodies runs only the phases whose names contain one of the words.
const only = process.env.BENCH_PHASES?.split(',');
if (only) for (const name of Object.keys(phases)) if (!only.some((word) => name.includes(word))) delete phases[name];

const all = await events();
const sample = encode(all[0] as ParsedEvent);
const bytes = all.slice(0, 1000).reduce((sum, e) => sum + Buffer.byteLength(encode(e) as string), 0) / 1000;
console.log(
  `encode: ${all.length.toLocaleString('en')} events, ~${Math.round(bytes)} bytes per bulk pair, payloads as ${typeof sample === 'string' ? 'strings' : 'bytes'}; ${ROUNDS} rounds, median; Node ${process.version}`,
);
const results = new Map<string, number[]>(Object.keys(phases).map((name) => [name, []]));
for (let round = 0; round <= ROUNDS; round++) {
  for (const [name, run] of Object.entries(phases)) {
    const started = cpuMicros();
    await run(all);
    // Round 0 warms up (JIT, the slab, the page cache) and is not counted.
    if (round > 0) results.get(name)?.push((cpuMicros() - started) / all.length);
  }
}
for (const [name, values] of results)
  console.log(
    `${name.padEnd(46)} ${median(values).toFixed(2).padStart(7)} CPU µs/event  (min ${Math.min(...values).toFixed(2)}, max ${Math.max(...values).toFixed(2)})`,
  );
