/**
 * End-to-end acknowledgements: a buffer's ack watermark, a sink's `delivered(position)` (sent, dead-lettered,
 * deduplicated or discarded by a policy all count as final; a target that is down holds it), and the pipeline's
 * `submit(lines, { until: 'delivered' })`, which settles after the slowest sink — on this thread and through parse
 * workers (`acceptEncoded`; workers run dist/: `npm run build` first).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDiskSpool } from '../../ingest/buffers/disk-spool.js';
import type { BufferRecord, EventBuffer } from '../../ingest/buffers/event-buffer.js';
import { MemoryBuffer } from '../../ingest/buffers/memory-buffer.js';
import { Pipeline } from '../../ingest/pipeline/pipeline.js';
import type { RawLine } from '../../ingest/pipeline/raw-line.js';
import { createSearchSink } from '../../ingest/sinks/search/create-search-sink.js';
import type { ItemOutcome, SendResult, SinkDriver } from '../../ingest/sinks/sink-driver.js';
import { BufferedSink, type BufferedSinkOptions } from '../../ingest/sinks/sink-helper.js';
import { ComponentTelemetry, METRIC_NAMES } from '../../platform/telemetry/component-telemetry.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import { payloadEvents } from '../support/payload-events.js';
import { WriteOnlyBuffer } from '../support/write-only-buffer.js';

const events = payloadEvents;
const utf8 = (texts: readonly string[]) => texts.map((text) => Buffer.from(text, 'utf8'));

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Whether a promise has settled, without waiting for it. */
function track(promise: Promise<unknown>): { settled: () => boolean; outcome: () => 'pending' | 'resolved' | 'rejected' } {
  let outcome: 'pending' | 'resolved' | 'rejected' = 'pending';
  promise.then(
    () => {
      outcome = 'resolved';
    },
    () => {
      outcome = 'rejected';
    },
  );
  return { settled: () => outcome !== 'pending', outcome: () => outcome };
}

/** A target the test switches: `up` answers each item with `answer`, down refuses the connection. */
class SwitchDriver implements SinkDriver {
  readonly type = 'switch';
  up = true;
  attempts = 0;
  sent = 0;
  letters = 0;
  constructor(private readonly answer: (payload: string) => ItemOutcome = () => ({ status: 'ok' })) {}

  async send(batch: readonly BufferRecord[]): Promise<SendResult> {
    this.attempts++;
    if (!this.up) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const outcomes = batch.map((record) => this.answer(record.payload.toString('utf8')));
    this.sent += outcomes.filter((outcome) => outcome.status === 'ok').length;
    return { outcomes, bytes: 0 };
  }

  async deadLetter(letters: readonly unknown[]): Promise<void> {
    this.letters += letters.length;
  }
}

const dirs: string[] = [];
const sinks: BufferedSink[] = [];
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((sink) => sink.stop(0)));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

type Kind = 'memory' | 'disk';

async function openBuffer(kind: Kind): Promise<EventBuffer> {
  if (kind === 'memory') return new MemoryBuffer(10_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'fortiems-acks-'));
  dirs.push(dir);
  return openDiskSpool({ dir: join(dir, 'spool'), maxBytes: 10_000_000, whenFull: 'block' });
}

function makeSink(
  id: string,
  buffer: EventBuffer,
  driver: SinkDriver,
  options: Partial<BufferedSinkOptions> = {},
  registry = new MetricsRegistry(),
) {
  const sink = new BufferedSink({
    id,
    buffer,
    encode: (e) => Buffer.from(String(e.document.payload)),
    driver,
    telemetry: new ComponentTelemetry(registry, { id, kind: 'sink', type: driver.type }),
    batch: { maxEvents: 10, maxBytes: 1_000_000, timeoutMs: 5 },
    concurrency: 2,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    ...options,
  });
  sinks.push(sink);
  return sink;
}

describe.each<Kind>(['memory', 'disk'])('%s buffer: the ack watermark', (kind) => {
  it('says where each write ends, and passes it only once every earlier record is acked, in whatever order', async () => {
    const buffer = await openBuffer(kind);
    const first = await buffer.write(utf8(['a', 'b', 'c']));
    const second = await buffer.write(utf8(['d', 'e']));
    expect(first.end).toBe(buffer.firstOwnSeq + 3);
    expect(second.end).toBe(buffer.firstOwnSeq + 5);
    expect(buffer.ackWatermark).toBe(buffer.firstOwnSeq);
    const records = await buffer.read(10, 1_000_000);
    expect(records).toHaveLength(5);
    buffer.ack(records.slice(3)); // the second write first
    expect(buffer.ackWatermark).toBe(buffer.firstOwnSeq);
    buffer.ack(records.slice(1, 3));
    expect(buffer.ackWatermark).toBe(buffer.firstOwnSeq);
    buffer.ack(records.slice(0, 1));
    expect(buffer.ackWatermark).toBe(second.end);
    await buffer.close();
  });
});

describe.each<Kind>(['memory', 'disk'])('%s buffer: BufferedSink.delivered', (kind) => {
  it('holds while the target is down, and resolves once the events are sent', async () => {
    const driver = new SwitchDriver();
    driver.up = false;
    const sink = makeSink('down', await openBuffer(kind), driver, { retry: { baseDelayMs: 1, maxDelayMs: 5 } });
    await sink.start();
    const position = await sink.accept(events('e', 25));
    expect(position).toBeGreaterThan(0);
    const delivered = track(sink.delivered(position));
    await until(() => driver.attempts >= 5, 'five refused attempts');
    expect(delivered.settled()).toBe(false);
    driver.up = true;
    await until(delivered.settled, 'the delivery');
    expect(delivered.outcome()).toBe('resolved');
    expect(driver.sent).toBe(25);
  });

  it('counts dead-lettered and deduplicated events as final', async () => {
    const driver = new SwitchDriver((payload) =>
      payload.startsWith('bad')
        ? { status: 'reject', errorType: 'mapper_parsing_exception', error: 'bad field' }
        : payload.startsWith('dup')
          ? { status: 'exists' }
          : { status: 'ok' },
    );
    const registry = new MetricsRegistry();
    const sink = makeSink('mixed', await openBuffer(kind), driver, {}, registry);
    await sink.start();
    const position = await sink.accept([...events('bad', 3), ...events('ok', 4), ...events('dup', 2)]);
    await sink.delivered(position);
    const total = (name: string) => registry.get(name)?.total({ component_id: 'mixed' }) ?? 0;
    expect(total(METRIC_NAMES.deadLettered)).toBe(3);
    expect(total(METRIC_NAMES.sentEvents)).toBe(4);
    expect(total(METRIC_NAMES.deduplicated)).toBe(2);
  });

  it('counts events a policy discards (filtered) as final, alone or next to delivered ones', async () => {
    const driver = new SwitchDriver();
    driver.up = false;
    const sink = makeSink('filtered', await openBuffer(kind), driver, { filter: (e) => !String(e.document.payload).startsWith('skip') });
    await sink.start();
    // Nothing of it enters the buffer: nothing to wait for, even with the target down.
    await sink.delivered(await sink.accept(events('skip', 5)));
    const mixed = track(sink.delivered(await sink.accept([...events('skip', 3), ...events('keep', 2)])));
    await until(() => driver.attempts >= 2, 'refused attempts');
    expect(mixed.settled()).toBe(false);
    driver.up = true;
    await until(mixed.settled, 'the delivery');
    expect(driver.sent).toBe(2);
  });

  it('at a stop: what a memory buffer loses rejects, what a disk spool keeps resolves (its next opening delivers it)', async () => {
    const driver = new SwitchDriver();
    driver.up = false;
    const sink = makeSink('stopping', await openBuffer(kind), driver);
    await sink.start();
    const delivered = track(sink.delivered(await sink.accept(events('e', 4))));
    await until(() => driver.attempts >= 1, 'an attempt');
    await sink.stop(50);
    await until(delivered.settled, 'the stop to settle it');
    expect(delivered.outcome()).toBe(kind === 'memory' ? 'rejected' : 'resolved');
  });
});

const line = (i: number): RawLine => ({
  line: `<134>Nov 23 10:00:05 ems01 fcems: date=2026-11-23 time=10:00:05 devid=FCTEMS0000000001 type=event subtype=system msg="line ${i}"`,
  receivedAt: Date.now(),
  sourceId: 'kafka',
  zone: 'UTC',
});

describe.each([0, 1])('Pipeline submit until delivered (%i parse workers)', (workers) => {
  it('settles after the slower of two sinks; buffered settles first', async () => {
    const registry = new MetricsRegistry();
    const fast = new SwitchDriver();
    const slow = new SwitchDriver();
    slow.up = false;
    // A recipe lets the workers encode for these sinks (acceptEncoded); the payloads are the search sink's documents.
    const recipe = createSearchSink(
      'recipe',
      { type: 'opensearch', url: 'http://127.0.0.1:9', namespace: 'acks' },
      { buffer: new WriteOnlyBuffer(() => {}), registry: new MetricsRegistry() },
    ).encoderRecipe;
    const options = { encoderRecipe: recipe, retry: { baseDelayMs: 1, maxDelayMs: 5 } };
    const pipeline = new Pipeline({
      namespace: 'acks',
      queueEvents: 10_000,
      enrich: undefined,
      workers,
      sinks: [
        makeSink('fast', await openBuffer('memory'), fast, options, registry),
        makeSink('slow', await openBuffer('disk'), slow, options, registry),
      ],
      telemetry: new ComponentTelemetry(registry, { id: 'parse', kind: 'transform', type: 'parse' }),
      batchEvents: 50,
    });
    for (const sink of pipeline.currentSinks()) await sink.start();
    pipeline.start();
    try {
      let buffered = false;
      const lines = Array.from({ length: 120 }, (_, i) => line(i));
      const delivered = track(pipeline.submit(lines, { until: 'delivered', onBuffered: () => (buffered = true) }));
      const plain = track(pipeline.submit([line(1000)]));
      await until(plain.settled, 'the buffered submit');
      expect(plain.outcome()).toBe('resolved');
      await until(() => buffered && fast.sent === 121, 'the fast sink');
      await until(() => slow.attempts >= 3, 'the slow sink to be refused');
      expect(delivered.settled()).toBe(false);
      slow.up = true;
      await until(delivered.settled, 'the delivery');
      expect(delivered.outcome()).toBe('resolved');
      expect(slow.sent).toBeGreaterThanOrEqual(120);
      if (workers > 0) expect(pipeline.workerPool()?.usable).toBe(true);
    } finally {
      await pipeline.stop();
    }
  });
});
