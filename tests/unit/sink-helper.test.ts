import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDiskSpool } from '../../ingest/buffers/disk-spool.js';
import { type BufferRecord, BufferWriteError, type EventBuffer, type WriteResult } from '../../ingest/buffers/event-buffer.js';
import { MemoryBuffer } from '../../ingest/buffers/memory-buffer.js';
import { backoffDelay, DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../ingest/sinks/retry-policy.js';
import type { DeadLetter, ItemOutcome, SendResult, SinkDriver } from '../../ingest/sinks/sink-driver.js';
import { BufferedSink, type BufferedSinkOptions } from '../../ingest/sinks/sink-helper.js';
import { ComponentTelemetry, METRIC_NAMES } from '../../platform/telemetry/component-telemetry.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import { payloadEvent, payloadEvents } from '../support/payload-events.js';

const utf8 = (texts: readonly string[]) => texts.map((text) => Buffer.from(text, 'utf8'));

const OK: ItemOutcome = { status: 'ok' };
const event = payloadEvent;
const events = payloadEvents;

async function until(condition: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type SendScript = (payloads: string[], call: number, signal: AbortSignal) => ItemOutcome[] | Promise<ItemOutcome[]>;
type LetterScript = (letters: readonly DeadLetter[], call: number) => void | Promise<void>;

/** A driver whose answers the test writes; it records every call. */
class ScriptedDriver implements SinkDriver {
  readonly type = 'scripted';
  readonly sends: string[][] = [];
  readonly sendTimes: number[] = [];
  readonly letterCalls: DeadLetter[][] = [];
  active = 0;
  maxActive = 0;

  constructor(
    private readonly onSend: SendScript = (payloads) => payloads.map(() => OK),
    private readonly onDeadLetter: LetterScript = () => undefined,
  ) {}

  async send(batch: readonly BufferRecord[], signal: AbortSignal): Promise<SendResult> {
    const payloads = batch.map((record) => record.payload.toString('utf8'));
    const call = this.sends.push(payloads) - 1;
    this.sendTimes.push(Date.now());
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      const outcomes = await this.onSend(payloads, call, signal);
      const bytes = batch.reduce((sum, record, i) => sum + (outcomes[i]?.status === 'ok' ? record.bytes : 0), 0);
      return { outcomes, bytes };
    } finally {
      this.active--;
    }
  }

  async deadLetter(letters: readonly DeadLetter[]): Promise<void> {
    const call = this.letterCalls.push([...letters]) - 1;
    await this.onDeadLetter(letters, call);
  }

  /** Every dead letter the store accepted or refused, flattened. */
  get letters(): DeadLetter[] {
    return this.letterCalls.flat();
  }
}

interface Harness {
  sink: BufferedSink;
  buffer: EventBuffer;
  driver: ScriptedDriver;
  metric: (key: keyof typeof METRIC_NAMES, labels?: Record<string, string>) => number;
}

const running: BufferedSink[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((sink) => sink.stop(0)));
});

/** A memory buffer that says it is durable: stands in for the disk spool, whose unread records wait for the next start. */
class SpoolStandIn extends MemoryBuffer {
  override readonly durable = true;
}

function harness(
  driver: ScriptedDriver,
  options: Partial<Omit<BufferedSinkOptions, 'retry'>> & { retry?: Partial<RetryPolicy> } = {},
  buffer: EventBuffer = new MemoryBuffer(10_000_000),
): Harness {
  const registry = new MetricsRegistry();
  const telemetry = new ComponentTelemetry(registry, { id: 'test_sink', kind: 'sink', type: 'scripted' });
  const sink = new BufferedSink({
    id: 'test_sink',
    buffer,
    encode: (e) => Buffer.from(String(e.document.payload)),
    driver,
    telemetry,
    batch: { maxEvents: 100, maxBytes: 1_000_000, timeoutMs: 20 },
    concurrency: 2,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    ...options,
  });
  running.push(sink);
  const metric = (key: keyof typeof METRIC_NAMES, labels: Record<string, string> = {}) =>
    registry.get(METRIC_NAMES[key])?.total(labels) ?? 0;
  return { sink, buffer, driver, metric };
}

describe('BufferedSink batching', () => {
  it('sends a batch as soon as it holds max_events, and flushes the partial batch on stop', async () => {
    const { sink, driver } = harness(new ScriptedDriver(), { batch: { maxEvents: 3, maxBytes: 1_000_000, timeoutMs: 60_000 } });
    await sink.start();
    await sink.accept(events('e', 7));
    await until(() => driver.sends.length === 2, 1000, 'two full batches');
    expect(driver.sends).toEqual([
      ['e0', 'e1', 'e2'],
      ['e3', 'e4', 'e5'],
    ]);
    await pause(100);
    expect(driver.sends).toHaveLength(2); // the seventh waits for its batch to fill or time out
    await sink.stop(1000);
    expect(driver.sends[2]).toEqual(['e6']);
  });

  it('closes a batch by bytes, and a record larger than max_bytes goes alone', async () => {
    const { sink, driver } = harness(new ScriptedDriver(), { batch: { maxEvents: 100, maxBytes: 250, timeoutMs: 60_000 } });
    const big = (name: string) => event(name.padEnd(100, '.'));
    await sink.accept([big('a'), big('b'), big('c'), big('d'), event('x'.repeat(1000)), big('e')]);
    await sink.start();
    await until(() => driver.sends.length === 3, 1000, 'three batches');
    expect(driver.sends.map((batch) => batch.map((payload) => payload[0]))).toEqual([['a', 'b'], ['c', 'd'], ['x']]);
    await sink.stop(1000);
    expect(driver.sends.map((batch) => batch.length)).toEqual([2, 2, 1, 1]);
  });

  it('sends a partial batch timeout_ms after its first record, gathering what arrives meanwhile', async () => {
    const { sink, driver } = harness(new ScriptedDriver(), { batch: { maxEvents: 100, maxBytes: 1_000_000, timeoutMs: 400 } });
    await sink.start();
    const first = Date.now();
    await sink.accept([event('early')]);
    await pause(60);
    await sink.accept([event('late')]);
    await pause(40);
    expect(driver.sends).toHaveLength(0);
    await until(() => driver.sends.length === 1, 2000, 'the timed batch');
    expect(driver.sends[0]).toEqual(['early', 'late']);
    expect((driver.sendTimes[0] as number) - first).toBeGreaterThanOrEqual(390);
  });
});

describe('BufferedSink delivery', () => {
  it('keeps at most `concurrency` batches in flight', async () => {
    const gates: (() => void)[] = [];
    const driver = new ScriptedDriver(async (payloads) => {
      await new Promise<void>((resolve) => gates.push(resolve));
      return payloads.map(() => OK);
    });
    const { sink, buffer, metric } = harness(driver, { concurrency: 2, batch: { maxEvents: 1, maxBytes: 1_000_000, timeoutMs: 0 } });
    await sink.start();
    await sink.accept(events('e', 6));
    await until(() => driver.active === 2, 1000, 'two sends');
    await pause(50);
    expect(driver.sends).toHaveLength(2);
    while (metric('sentEvents') < 6) {
      gates.shift()?.();
      await pause(5);
    }
    expect(driver.maxActive).toBe(2);
    expect(driver.sends).toHaveLength(6);
    expect(buffer.depth().events).toBe(0);
  });

  it('resends only the items that must be retried, and acks the rest at once', async () => {
    const driver = new ScriptedDriver((payloads, call) =>
      call === 0
        ? [
            OK,
            { status: 'retry', errorClass: 'throttled', error: '429' },
            OK,
            { status: 'retry', errorClass: 'server_error', error: '503' },
          ]
        : payloads.map(() => OK),
    );
    const { sink, buffer, metric } = harness(driver);
    await sink.accept(events('e', 4));
    await sink.start();
    await until(() => driver.sends.length === 2 && buffer.depth().events === 0, 1000, 'the retry');
    expect(driver.sends).toEqual([
      ['e0', 'e1', 'e2', 'e3'],
      ['e1', 'e3'],
    ]);
    expect(metric('sentEvents')).toBe(4);
    expect(metric('sentBytes')).toBe(8);
    expect(metric('errors', { stage: 'send', error_type: 'throttled' })).toBe(1);
    expect(metric('errors', { stage: 'send', error_type: 'server_error' })).toBe(1);
    expect(metric('deadLettered')).toBe(0);
  });

  it('dead-letters an item after its bounded retries, with the last error, while the others are delivered', async () => {
    const driver = new ScriptedDriver((payloads, call) =>
      payloads.map((payload) => (payload === 'poison' ? { status: 'retry', errorClass: 'server_error', error: `boom ${call + 1}` } : OK)),
    );
    const { sink, buffer, metric } = harness(driver, { retry: { baseDelayMs: 1, maxDelayMs: 5, defaultMaxFailures: 3 } });
    await sink.accept([event('good'), event('poison'), event('fine')]);
    await sink.start();
    await until(() => buffer.depth().events === 0, 2000, 'the dead letter');
    expect(driver.sends).toEqual([['good', 'poison', 'fine'], ['poison'], ['poison']]);
    expect(driver.letters).toHaveLength(1);
    expect(driver.letters[0]).toMatchObject({
      errorType: 'server_error',
      error: 'boom 3',
      attempts: 3,
      record: { payload: Buffer.from('poison') },
    });
    expect(metric('sentEvents')).toBe(2);
    expect(metric('deadLettered')).toBe(1);
    await pause(30);
    expect(driver.sends).toHaveLength(3);
  });

  it('retries throttled and unavailable without limit: nothing is dead-lettered while the target only pushes back', async () => {
    let calls = 0;
    const driver = new ScriptedDriver((payloads) => {
      calls++;
      if (calls <= 6) throw new Error('connect ECONNREFUSED');
      if (calls <= 12) return payloads.map(() => ({ status: 'retry', errorClass: 'throttled', error: '429' }) as const);
      return payloads.map(() => OK);
    });
    const { sink, buffer, metric } = harness(driver, { retry: { baseDelayMs: 1, maxDelayMs: 2, defaultMaxFailures: 2 } });
    await sink.accept(events('e', 3));
    await sink.start();
    await until(() => buffer.depth().events === 0, 3000, 'delivery');
    expect(calls).toBe(13);
    expect(metric('sentEvents')).toBe(3);
    expect(metric('deadLettered')).toBe(0);
    expect(metric('errors', { error_type: 'unavailable' })).toBe(18);
    expect(metric('errors', { error_type: 'throttled' })).toBe(18);
  });

  it('dead-letters rejected items at once with their error, then acks them', async () => {
    const driver = new ScriptedDriver(() => [
      OK,
      { status: 'reject', errorType: 'mapper_parsing_exception', error: 'failed to parse field [ems.devid]' },
    ]);
    const { sink, buffer, metric } = harness(driver);
    await sink.accept([event('fine'), event('bad')]);
    await sink.start();
    await until(() => buffer.depth().events === 0, 1000, 'acks');
    expect(driver.sends).toHaveLength(1);
    expect(driver.letters).toEqual([
      {
        record: expect.objectContaining({ payload: Buffer.from('bad') }),
        errorType: 'mapper_parsing_exception',
        error: 'failed to parse field [ems.devid]',
        attempts: 1,
      },
    ]);
    expect(metric('deadLettered')).toBe(1);
    expect(metric('sentEvents')).toBe(1);
  });

  it('keeps dead letters unacked while the dead-letter store fails, and retries the store only', async () => {
    const driver = new ScriptedDriver(
      () => [{ status: 'reject', errorType: 'illegal_argument_exception', error: 'bad' }],
      (_letters, call) => {
        if (call < 2) throw new Error('dead-letter index unavailable');
      },
    );
    const { sink, buffer, metric } = harness(driver, { random: () => 0.99, retry: { baseDelayMs: 100, maxDelayMs: 100 } });
    await sink.accept([event('bad')]);
    await sink.start();
    await until(() => driver.letterCalls.length === 2, 1000, 'two dead-letter attempts');
    expect(buffer.depth().events).toBe(1);
    expect(metric('deadLettered')).toBe(0);
    await until(() => buffer.depth().events === 0, 1000, 'the third attempt');
    expect(driver.letterCalls).toHaveLength(3);
    expect(driver.sends).toHaveLength(1);
    expect(metric('deadLettered')).toBe(1);
    expect(metric('errors', { stage: 'dead_letter' })).toBe(2);
  });
});

describe('BufferedSink stop', () => {
  it('waits for in-flight batches, reads nothing new, then closes the buffer', async () => {
    const driver = new ScriptedDriver(async (payloads) => {
      await pause(150);
      return payloads.map(() => OK);
    });
    const { sink, buffer, metric } = harness(
      driver,
      { batch: { maxEvents: 2, maxBytes: 1_000_000, timeoutMs: 60_000 } },
      new SpoolStandIn(10_000_000),
    );
    await sink.start();
    await sink.accept(events('e', 5));
    await until(() => driver.sends.length === 2, 1000, 'two batches');
    await sink.stop(5000);
    // Both in-flight batches finished; e4, never read, stays in the buffer (a disk spool's, for the next start).
    expect(metric('sentEvents')).toBe(4);
    expect(driver.sends).toHaveLength(2);
    expect(buffer.depth().events).toBe(1);
    await expect(buffer.write(utf8(['after']))).rejects.toThrow(/closed/);
    await expect(sink.accept([event('late')])).rejects.toThrow(/stopping/);
  });

  it('gives up after timeout_ms when the target is down, leaving the events unacked for the next start', async () => {
    const driver = new ScriptedDriver(() => {
      throw new Error('connect ECONNREFUSED');
    });
    const { sink, buffer, metric } = harness(driver, { retry: { baseDelayMs: 50, maxDelayMs: 50 } }, new SpoolStandIn(10_000_000));
    await sink.start();
    await sink.accept(events('e', 4));
    await until(() => driver.sends.length > 0, 1000, 'a first attempt');
    const started = Date.now();
    await sink.stop(200);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(1000);
    expect(buffer.depth().events).toBe(4);
    expect(metric('sentEvents')).toBe(0);
    expect(metric('bufferEvents')).toBe(4);
    expect(metric('receivedEvents')).toBe(metric('sentEvents') + metric('deadLettered') + metric('discarded') + buffer.depth().events);
  });

  it('empties a memory buffer before stopping, and counts what it could not deliver as discarded', async () => {
    const driver = new ScriptedDriver(async (payloads) => {
      await pause(30);
      return payloads.map(() => OK);
    });
    const { sink, buffer, metric } = harness(driver, { batch: { maxEvents: 2, maxBytes: 1_000_000, timeoutMs: 60_000 } });
    await sink.start();
    await sink.accept(events('e', 9));
    await sink.stop(5000);
    expect(metric('sentEvents')).toBe(9);
    expect(buffer.depth().events).toBe(0);

    const down = new ScriptedDriver(() => {
      throw new Error('connect ECONNREFUSED');
    });
    const second = harness(down, { retry: { baseDelayMs: 20, maxDelayMs: 20 } });
    await second.sink.start();
    await second.sink.accept(events('f', 3));
    await second.sink.stop(150);
    expect(second.metric('sentEvents')).toBe(0);
    expect(second.metric('discarded', { reason: 'memory_buffer_at_shutdown' })).toBe(3);
  });

  it('aborts an in-flight request at the deadline', async () => {
    let aborted = false;
    const driver = new ScriptedDriver(
      (_payloads, _call, signal) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('aborted'));
          });
        }),
    );
    const { sink, metric } = harness(driver);
    await sink.start();
    await sink.accept(events('e', 2));
    await until(() => driver.sends.length === 1, 1000, 'the request');
    await sink.stop(50);
    expect(aborted).toBe(true);
    expect(metric('errors')).toBe(0); // an abort on stop is not a target error
  });
});

describe('BufferedSink accounting', () => {
  it('counts events refused while stopping, and events a previous run left in its buffer', async () => {
    const spool = new SpoolStandIn(10_000_000);
    await spool.write(utf8(['left-1', 'left-2', 'left-3']));
    const driver = new ScriptedDriver(async (payloads) => payloads.map(() => OK));
    const { sink, metric } = harness(driver, {}, spool);
    await sink.start();
    expect(metric('recovered')).toBe(3);
    await until(() => metric('sentEvents') === 3, 1000, 'the recovered events');
    await sink.stop(1000);
    await expect(sink.accept(events('late', 2))).rejects.toThrow(/stopping/);
    expect(metric('discarded', { reason: 'sink_stopping' })).toBe(2);
    expect(metric('receivedEvents') + metric('recovered')).toBe(metric('sentEvents') + metric('discarded'));
  });

  it('received = sent + dead-lettered + discarded + still buffered', async () => {
    const driver = new ScriptedDriver(async (payloads) => {
      await pause(10);
      return payloads.map((payload) => {
        const n = Number(payload.slice(1));
        if (n % 5 === 0) return { status: 'reject', errorType: 'mapper_parsing_exception', error: 'x' };
        if (n % 7 === 0) return { status: 'retry', errorClass: 'server_error', error: '500' };
        return OK;
      });
    });
    // drop_newest with room for ~12 two-to-three-byte payloads: the bursts below overflow it.
    const buffer = new MemoryBuffer(30, 'drop_newest');
    const { sink, metric } = harness(
      driver,
      { retry: { baseDelayMs: 1, maxDelayMs: 2, defaultMaxFailures: 2 }, batch: { maxEvents: 4, maxBytes: 1000, timeoutMs: 5 } },
      buffer,
    );
    await sink.start();
    for (let burst = 0; burst < 6; burst++) {
      await sink.accept(Array.from({ length: 10 }, (_, i) => event(`e${burst * 10 + i}`)));
      await pause(15);
    }
    await until(() => buffer.depth().events === 0, 3000, 'the buffer to empty');
    await sink.stop(1000);
    const received = metric('receivedEvents');
    expect(received).toBe(60);
    expect(metric('discarded', { reason: 'buffer_full' })).toBeGreaterThan(0);
    expect(metric('deadLettered')).toBeGreaterThan(0);
    expect(metric('sentEvents')).toBeGreaterThan(0);
    expect(received).toBe(metric('sentEvents') + metric('deadLettered') + metric('discarded') + buffer.depth().events);
    expect(metric('bufferEvents')).toBe(0);
  });

  it('counts as discarded only the payloads a failed buffer write did not keep', async () => {
    // A buffer that keeps the first two payloads of a write, then fails (a commit error, closed while blocked).
    class FailingPartWay extends MemoryBuffer {
      override async write(payloads: readonly Buffer[]): Promise<WriteResult> {
        await super.write(payloads.slice(0, 2));
        throw new BufferWriteError('disk full', 2);
      }
    }
    const driver = new ScriptedDriver();
    const { sink, buffer, metric } = harness(driver, {}, new FailingPartWay(10_000_000));
    await sink.start();
    await expect(sink.accept(events('e', 5))).rejects.toThrow(/disk full/);
    expect(metric('discarded', { reason: 'buffer_write_failed' })).toBe(3);
    await until(() => metric('sentEvents') === 2, 1000, 'the kept events to be sent');
    await sink.stop(1000);
    expect(metric('receivedEvents')).toBe(metric('sentEvents') + metric('discarded') + buffer.depth().events);
  });

  it('counts an event it cannot encode as discarded and keeps the others', async () => {
    const { sink, buffer, metric } = harness(new ScriptedDriver(), {
      encode: (e) => {
        if (e.document.payload === 'broken') throw new Error('no event.id');
        return Buffer.from(String(e.document.payload));
      },
    });
    await sink.accept([event('a'), event('broken'), event('b')]);
    expect(buffer.depth().events).toBe(2);
    expect(metric('receivedEvents')).toBe(3);
    expect(metric('discarded', { reason: 'encode_error' })).toBe(1);
    expect(metric('errors', { stage: 'encode' })).toBe(1);
  });
});

describe('BufferedSink backoff', () => {
  it('does not busy-loop against a target that is down: attempts grow apart exponentially', async () => {
    const driver = new ScriptedDriver(() => {
      throw new Error('connect ECONNREFUSED');
    });
    // random() = 1 makes full jitter its ceiling: retries at +100, +200, +400 ms, … so 4 attempts in the first second.
    const { sink, metric } = harness(driver, { random: () => 0.999_999, retry: { baseDelayMs: 100, maxDelayMs: 30_000 } });
    await sink.accept(events('e', 3));
    await sink.start();
    await pause(1000);
    expect(driver.sends.length).toBeGreaterThanOrEqual(3);
    expect(driver.sends.length).toBeLessThanOrEqual(5);
    const gaps = driver.sendTimes.slice(1).map((time, i) => time - (driver.sendTimes[i] as number));
    expect(gaps[0]).toBeGreaterThanOrEqual(95);
    expect(gaps[1]).toBeGreaterThanOrEqual(195);
    expect(metric('errors', { stage: 'send', error_type: 'unavailable' })).toBe(driver.sends.length * 3);
  });

  it('with real jitter still makes only a handful of attempts per second, and holds no more batches than its slots', async () => {
    const driver = new ScriptedDriver(() => {
      throw new Error('connect ECONNREFUSED');
    });
    const { sink } = harness(driver, {
      concurrency: 2,
      batch: { maxEvents: 1, maxBytes: 1000, timeoutMs: 0 },
      retry: { baseDelayMs: 100, maxDelayMs: 30_000 },
    });
    await sink.accept(events('e', 10));
    await sink.start();
    await pause(1000);
    expect(new Set(driver.sends.map((batch) => batch[0])).size).toBe(2); // the other 8 wait in the buffer
    expect(driver.sends.length).toBeLessThanOrEqual(24);
  });

  it('caps the delay and spreads it over [0, ceiling)', () => {
    expect(backoffDelay(DEFAULT_RETRY_POLICY, 0, () => 0.999)).toBe(99);
    expect(backoffDelay(DEFAULT_RETRY_POLICY, 3, () => 0.5)).toBe(400);
    expect(backoffDelay(DEFAULT_RETRY_POLICY, 40, () => 0.999_999)).toBeLessThan(30_000);
    expect(backoffDelay(DEFAULT_RETRY_POLICY, 1000, () => 0)).toBe(0);
  });
});

describe('BufferedSink: a 409 (the id is already stored)', () => {
  const EXISTS: ItemOutcome = { status: 'exists' };
  const THROTTLED: ItemOutcome = { status: 'retry', errorClass: 'throttled', error: '429' };

  it("at the first attempt at this process's record: deduplicated, never sent", async () => {
    const { sink, driver, metric } = harness(new ScriptedDriver((payloads) => payloads.map((p) => (p.startsWith('dup') ? EXISTS : OK))));
    await sink.start();
    await sink.accept([...events('new', 3), ...events('dup', 2)]);
    await until(() => metric('sentEvents') + metric('deduplicated') === 5, 2000, 'every record settled');
    expect(metric('sentEvents')).toBe(3);
    expect(metric('deduplicated')).toBe(2);
    expect(driver.sends).toHaveLength(1);
  });

  it('after our own retry: our earlier attempt stored it, so it is sent', async () => {
    // The first answer is lost (the request throws, as a timeout would), the retry finds the documents there.
    const { sink, metric } = harness(
      new ScriptedDriver((payloads, call) => {
        if (call === 0) throw new Error('socket hang up');
        return payloads.map(() => EXISTS);
      }),
    );
    await sink.start();
    await sink.accept(events('e', 4));
    await until(() => metric('sentEvents') === 4, 2000, 'sent after the retry');
    expect(metric('deduplicated')).toBe(0);

    // Same after a connection reset (a node killed mid-request), a whole-request 5xx (no item statuses: the server may
    // have written some) and a timeout.
    for (const failure of [
      Object.assign(new Error('bulk request failed: read ECONNRESET'), { code: 'ECONNRESET' }),
      Object.assign(new Error('bulk failed (HTTP 502)'), { status: 502 }),
      new Error('TimeoutError: Request timed out'),
    ]) {
      const other = harness(
        new ScriptedDriver((payloads, call) => {
          if (call === 0) throw failure;
          return payloads.map(() => EXISTS);
        }),
      );
      await other.sink.start();
      await other.sink.accept(events('f', 2));
      await until(() => other.metric('sentEvents') === 2, 2000, `sent after ${failure.message}`);
      expect(other.metric('deduplicated')).toBe(0);
    }
  });

  it('after a retry that surely stored nothing (refused connection, per-item 429 or 5xx, a 4xx for the request): deduplicated', async () => {
    const SERVER_ERROR: ItemOutcome = { status: 'retry', errorClass: 'server_error', error: '503' };
    const failures: ((payloads: string[]) => ItemOutcome[])[] = [
      () => {
        throw new Error('bulk failed: ConnectionError: connect ECONNREFUSED 127.0.0.1:9200');
      },
      () => {
        throw Object.assign(new Error('bulk failed (HTTP 429)'), { status: 429 });
      },
      (payloads) => payloads.map(() => THROTTLED),
      (payloads) => payloads.map(() => SERVER_ERROR),
    ];
    for (const [n, first] of failures.entries()) {
      const { sink, metric } = harness(new ScriptedDriver((payloads, call) => (call === 0 ? first(payloads) : payloads.map(() => EXISTS))));
      await sink.start();
      await sink.accept(events(`r${n}`, 2));
      await until(() => metric('deduplicated') + metric('sentEvents') === 2, 2000, `failure ${n} settled`);
      expect(metric('deduplicated'), `failure ${n}`).toBe(2);
      expect(metric('sentEvents'), `failure ${n}`).toBe(0);
    }
  });

  it('for a record recovered from the spool after a restart: an earlier run may have stored it, so it is sent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sink-409-'));
    try {
      const spoolOptions = { dir, maxBytes: 64 * 1024 * 1024, whenFull: 'block' as const, checkpointMs: 5 };
      const before = await openDiskSpool(spoolOptions);
      await before.write(utf8(['left-0', 'left-1', 'left-2']));
      await before.close(); // a crash after the send, before the ack: what the next run finds
      const spool = await openDiskSpool(spoolOptions);
      const { sink, metric } = harness(
        new ScriptedDriver((payloads) => payloads.map(() => EXISTS)),
        { batch: { maxEvents: 100, maxBytes: 1_000_000, timeoutMs: 100 } },
        spool,
      );
      await sink.accept([event('fresh')]);
      await sink.start();
      await until(() => metric('sentEvents') + metric('deduplicated') === 4, 3000, 'every record settled');
      expect(metric('sentEvents')).toBe(3);
      expect(metric('deduplicated')).toBe(1);
      await sink.stop(1000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
