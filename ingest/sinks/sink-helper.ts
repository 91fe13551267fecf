import type { ParsedEvent } from '../../parsers/parse-line.js';
import { Semaphore } from '../../platform/concurrency/semaphore.js';
import { sleep } from '../../platform/concurrency/sleep.js';
import type { ComponentTelemetry } from '../../platform/telemetry/component-telemetry.js';
import { type BufferRecord, type EventBuffer, writtenBefore } from '../buffers/event-buffer.js';
import { BatchReader, type BatchSettings } from './batch-reader.js';
import { backoffDelay, failureBudget, type RetryPolicy, retryPolicy } from './retry-policy.js';
import type { Sink } from './sink.js';
import type { DeadLetter, ItemOutcome, SinkDriver } from './sink-driver.js';
import { type EncodedBatch, type EncoderRecipe, encodeEvents, type Payload, type SinkEncoder } from './sink-encoder.js';

/** What the helper logs through: pino's `(fields, message)` signature, so a pino logger fits as is. */
export interface SinkLogger {
  warn(fields: Record<string, unknown>, message: string): void;
  info?(fields: Record<string, unknown>, message: string): void;
}

export interface BufferedSinkOptions {
  id: string;
  /** Already opened; the helper owns it from here and closes it in `stop`. */
  buffer: EventBuffer;
  /** One event → the payload the driver sends. May throw: that event is discarded and counted, the others go on. */
  encode: (event: ParsedEvent) => Payload;
  /**
   * Which events this sink takes (a forwarding destination's categories, level, query). The others are counted as
   * `discarded{reason="filtered"}`: an explicit policy, so accounting still reconciles per sink.
   */
  filter?: (event: ParsedEvent) => boolean;
  /** How a parse worker builds the same `encode` and `filter` (see `sink-encoder.ts`); without it, the main thread encodes. */
  encoderRecipe?: EncoderRecipe;
  driver: SinkDriver;
  /** Kind `sink`. */
  telemetry: ComponentTelemetry;
  batch: BatchSettings;
  /** At most this many batches in flight (being sent, or waiting to be retried). */
  concurrency: number;
  retry?: Partial<RetryPolicy>;
  logger?: SinkLogger;
  /** The jitter source; tests make it deterministic. */
  random?: () => number;
}

/** A caller of `delivered`, waiting for the buffer's ack watermark to reach `position`. */
interface DeliveryWaiter {
  position: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** A record on its way, with what happened to it so far. */
interface Item {
  record: BufferRecord;
  attempts: number;
  failures: Map<string, number>;
  /**
   * An earlier attempt failed in a way that may still have stored the record (timeout, a connection lost after the
   * request was written, a whole-request 5xx, an answer without its item's status): a 409 then means our own write.
   */
  mayHaveStored: boolean;
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

// No request reached the target: connection refused, the name or route unknown.
const NEVER_SENT = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH)\b/;

/**
 * Whether a send that threw may have stored its records anyway. An HTTP answer for the whole request (`status`, as
 * BulkRequestError carries it) stored nothing unless it is a 5xx or 408 (the server may have written some items before
 * failing); without an answer, only a connection that never opened is sure to have stored nothing.
 */
export function failureMayHaveStored(error: unknown): boolean {
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === 'number') return status >= 500 || status === 408;
  const code = (error as { code?: unknown } | null)?.code;
  return !NEVER_SENT.test(`${typeof code === 'string' ? code : ''} ${errorText(error)}`);
}

/**
 * The shared sink helper (after the OpenTelemetry Collector's exporterhelper): buffer → batches by count, bytes and
 * time → at most N in flight → the driver's per-item outcomes → ack, retry with backoff, or dead-letter. A batch keeps
 * its slot while it waits to retry, so a target that is down stops the reading and the events wait in the buffer
 * (durably, with the disk spool) instead of in memory.
 */
export class BufferedSink implements Sink {
  readonly id: string;
  readonly type: string;
  readonly encoderRecipe: EncoderRecipe | undefined;
  private readonly encoder: SinkEncoder;
  private readonly policy: RetryPolicy;
  private readonly slots: Semaphore;
  private readonly random: () => number;
  /** Aborted by `stop`: no new batches. */
  private readonly stopReading = new AbortController();
  /** Aborted when the drain time is up: in-flight requests and retry waits end, their records stay unacked. */
  private readonly abortAll = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private reader: Promise<void> | undefined;
  private readonly batches: BatchReader;
  private stopping: Promise<void> | undefined;
  private stopped = false;
  private targetDown = false;
  /** `delivered` callers, in increasing position (writes reach the buffer in order, so appending mostly keeps it sorted). */
  private readonly waiters: DeliveryWaiter[] = [];

  constructor(private readonly options: BufferedSinkOptions) {
    this.id = options.id;
    this.batches = new BatchReader(options.buffer, options.batch);
    this.type = options.driver.type;
    this.encoderRecipe = options.encoderRecipe;
    this.encoder = { encode: options.encode, ...(options.filter ? { filter: options.filter } : {}) };
    this.policy = retryPolicy(options.retry);
    this.slots = new Semaphore(options.concurrency);
    this.random = options.random ?? Math.random;
    const { maxEvents, maxBytes, timeoutMs } = options.batch;
    if (!Number.isInteger(maxEvents) || maxEvents < 1) throw new Error(`sink ${this.id}: batch max_events must be an integer ≥ 1`);
    if (!Number.isFinite(maxBytes) || maxBytes < 1) throw new Error(`sink ${this.id}: batch max_bytes must be ≥ 1`);
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0) throw new Error(`sink ${this.id}: batch timeout_ms must be ≥ 0`);
  }

  async accept(events: readonly ParsedEvent[]): Promise<number> {
    if (this.stopping) return this.refuse(events.length);
    return this.acceptEncoded(encodeEvents(this.encoder, events));
  }

  /**
   * Payloads already encoded with this sink's encoder (by a parse worker, from `encoderRecipe`), with their counts.
   * Resolves with the buffer position after them (see `delivered`).
   */
  async acceptEncoded(batch: EncodedBatch): Promise<number> {
    const { telemetry, buffer } = this.options;
    if (this.stopping) return this.refuse(batch.events);
    const { payloads, filtered, unencodable } = batch;
    if (batch.encodeError !== undefined)
      this.options.logger?.warn({ sink: this.id, error: batch.encodeError }, 'event could not be encoded; discarded');
    telemetry.received(batch.events, batch.bytes);
    if (filtered > 0) telemetry.discarded('filtered', filtered);
    if (unencodable > 0) {
      telemetry.error('encode', 'encode_error', unencodable, batch.encodeError);
      telemetry.discarded('encode_error', unencodable);
    }
    // Filtered or unencodable: final already, nothing to wait for.
    if (payloads.length === 0) return 0;
    let result: Awaited<ReturnType<typeof buffer.write>>;
    try {
      result = await buffer.write(payloads);
    } catch (error) {
      // Those the buffer kept before failing are delivered (or counted at shutdown) like the others: only the rest is lost.
      telemetry.error('buffer', 'buffer_write_failed', 1, error);
      telemetry.discarded('buffer_write_failed', payloads.length - writtenBefore(error));
      this.updateGauge();
      throw error;
    }
    if (result.dropped > 0) telemetry.discarded('buffer_full', result.dropped);
    this.updateGauge();
    return result.end;
  }

  delivered(position: number): Promise<void> {
    if (position <= this.options.buffer.ackWatermark) return Promise.resolve();
    if (this.stopped) return this.options.buffer.durable ? Promise.resolve() : Promise.reject(this.undeliveredError());
    return new Promise<void>((resolve, reject) => {
      const waiters = this.waiters;
      let at = waiters.length;
      while (at > 0 && (waiters[at - 1] as DeliveryWaiter).position > position) at--;
      waiters.splice(at, 0, { position, resolve, reject });
    });
  }

  /** Wakes the `delivered` callers the ack watermark has passed: one comparison when none has. */
  private settleWaiters(): void {
    const waiters = this.waiters;
    if (waiters.length === 0) return;
    const watermark = this.options.buffer.ackWatermark;
    let passed = 0;
    while (passed < waiters.length && (waiters[passed] as DeliveryWaiter).position <= watermark) passed++;
    if (passed === 0) return;
    for (const waiter of waiters.splice(0, passed)) waiter.resolve();
  }

  private undeliveredError(): Error {
    return new Error(`sink ${this.id} stopped before delivering every event of its memory buffer`);
  }

  private refuse(events: number): Promise<never> {
    // Counted here, by the sink they were meant for, so each sink's accounting stays whole.
    this.options.telemetry.received(events, 0);
    this.options.telemetry.discarded('sink_stopping', events);
    return Promise.reject(new Error(`sink ${this.id} is stopping: it takes no new events`));
  }

  async start(): Promise<void> {
    if (this.stopping) throw new Error(`sink ${this.id} is stopped`);
    // A disk spool may hold what a previous run left: those events enter this run's accounting here.
    const carried = this.options.buffer.depth().events;
    if (carried > 0) this.options.telemetry.recovered(carried);
    this.updateGauge();
    this.reader ??= this.readLoop();
  }

  stop(timeoutMs: number): Promise<void> {
    this.stopping ??= this.drain(timeoutMs);
    return this.stopping;
  }

  async ready(): Promise<boolean> {
    if (!this.options.driver.healthy) return true;
    try {
      return await this.options.driver.healthy();
    } catch {
      return false;
    }
  }

  private async drain(timeoutMs: number): Promise<void> {
    const { buffer } = this.options;
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const timeUp = new Promise<void>((resolve) => {
      timer = setTimeout(
        () => {
          timedOut = true;
          resolve();
        },
        Math.max(0, timeoutMs),
      );
    });
    // A disk spool keeps what is not yet read for the next start; a memory buffer would lose it, so it is emptied first.
    if (!buffer.durable) {
      this.batches.flush();
      while (!timedOut && buffer.depth().events > 0) await Promise.race([timeUp, sleep(20, this.abortAll.signal)]);
    }
    this.stopReading.abort();
    const settled = (async () => {
      await this.reader;
      while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    })();
    await Promise.race([settled, timeUp]);
    clearTimeout(timer);
    this.abortAll.abort();
    await settled;
    this.updateGauge();
    const left = buffer.depth();
    if (left.events > 0 && buffer.durable)
      this.options.logger?.warn(
        { sink: this.id, events: left.events },
        'stopped with undelivered events; the disk spool keeps them for the next start',
      );
    else if (left.events > 0) {
      // Lost with the process: said and counted, never silent.
      this.options.telemetry.discarded('memory_buffer_at_shutdown', left.events);
      this.options.logger?.warn({ sink: this.id, events: left.events }, 'stopped with undelivered events in a memory buffer: discarded');
    }
    this.stopped = true;
    this.settleWaiters();
    // A disk spool keeps the rest for its next opening (a reload's new sink, or the next start on this data_dir): the
    // buffered guarantee. A memory buffer lost them: whoever waits must not acknowledge them upstream.
    for (const waiter of this.waiters.splice(0)) {
      if (buffer.durable) waiter.resolve();
      else waiter.reject(this.undeliveredError());
    }
    await this.options.buffer.close();
    await this.options.driver.close?.();
  }

  private async readLoop(): Promise<void> {
    const batches = this.batches;
    let readFailures = 0;
    while (await this.slots.acquire(this.abortAll.signal)) {
      let batch: BufferRecord[];
      try {
        batch = await batches.next(this.stopReading.signal);
        readFailures = 0;
      } catch (error) {
        this.slots.release();
        this.options.telemetry.error('buffer', 'read_error', 1, error);
        this.options.logger?.warn({ sink: this.id, error: errorText(error) }, 'buffer read failed; retrying');
        if (await sleep(backoffDelay(this.policy, readFailures++, this.random), this.stopReading.signal)) continue;
        return;
      }
      // Records the buffer could not read (a damaged segment) are given up, which moves the watermark too.
      this.settleWaiters();
      if (batch.length === 0) {
        // Stopped, or the buffer was closed under us: either way nothing more will come.
        this.slots.release();
        return;
      }
      const task: Promise<void> = this.deliver(batch)
        .catch((error: unknown) =>
          this.options.logger?.warn({ sink: this.id, error: errorText(error) }, 'batch delivery failed unexpectedly'),
        )
        .finally(() => {
          this.inFlight.delete(task);
          this.slots.release();
        });
      this.inFlight.add(task);
    }
  }

  /** Sends a batch until every record is acked (delivered or dead-lettered), or the drain time is up. */
  private async deliver(records: readonly BufferRecord[]): Promise<void> {
    const signal = this.abortAll.signal;
    let pending: Item[] = records.map((record) => ({ record, attempts: 0, failures: new Map(), mayHaveStored: false }));
    let letters: DeadLetter[] = [];
    let round = 0;
    while (pending.length > 0 || letters.length > 0) {
      if (pending.length > 0) {
        const result = await this.sendOnce(pending, signal);
        if (!result) return;
        pending = result.retry;
        letters = letters.concat(result.dead);
      }
      if (letters.length > 0 && (await this.writeDeadLetters(letters, signal))) letters = [];
      if (signal.aborted) return;
      // Only what failed goes again, and never before a backoff: a target that is down is not hammered.
      if ((pending.length > 0 || letters.length > 0) && !(await sleep(backoffDelay(this.policy, round++, this.random), signal))) return;
    }
  }

  /** One send of the items; undefined when aborted (the records stay unacked). */
  private async sendOnce(items: readonly Item[], signal: AbortSignal): Promise<{ retry: Item[]; dead: DeadLetter[] } | undefined> {
    const { driver, telemetry, buffer } = this.options;
    for (const item of items) item.attempts++;
    let outcomes: readonly ItemOutcome[];
    let sentBytes = 0;
    try {
      const result = await driver.send(
        items.map((item) => item.record),
        signal,
      );
      outcomes = result.outcomes;
      sentBytes = result.bytes;
      if (outcomes.length !== items.length) {
        // Which outcome belongs to which record is unknown: retry them all, within a bounded budget.
        const error = `driver ${driver.type} returned ${outcomes.length} outcomes for ${items.length} records`;
        outcomes = items.map(() => ({ status: 'retry', errorClass: 'invalid_response', error }));
        sentBytes = 0;
      }
      if (this.targetDown) {
        this.targetDown = false;
        this.options.logger?.info?.({ sink: this.id }, 'target answers again');
      }
    } catch (error) {
      if (signal.aborted) return undefined;
      if (!this.targetDown) {
        this.targetDown = true;
        this.options.logger?.warn({ sink: this.id, error: errorText(error) }, 'target unavailable; retrying with backoff');
      }
      const outcome: ItemOutcome = { status: 'retry', errorClass: 'unavailable', error: errorText(error) };
      outcomes = items.map(() => outcome);
      if (failureMayHaveStored(error)) for (const item of items) item.mayHaveStored = true;
    }

    const delivered: BufferRecord[] = [];
    const duplicates: BufferRecord[] = [];
    const retry: Item[] = [];
    const dead: DeadLetter[] = [];
    const retriedBy = new Map<string, number>();
    // One text per error class (the last seen), for the component's last error.
    const errorTextBy = new Map<string, string>();
    let rejected = 0;
    outcomes.forEach((outcome, index) => {
      const item = items[index] as Item;
      if (outcome.status === 'ok') delivered.push(item.record);
      else if (outcome.status === 'exists') {
        // A record this process wrote whose earlier attempts all surely failed (none, a refused connection, a per-item
        // 429 or 5xx) was not stored by us: someone else did (a resent HTTP request, a replay with --dedupe). After an
        // ambiguous failure, or for a record left by an earlier run, our earlier attempt is the likelier author: it
        // counts as sent, so nothing is counted twice. Undecidable: a recovered (or ambiguously failed) record whose id
        // a client's same-key resend stored first is counted as sent, not deduplicated.
        if (!item.mayHaveStored && item.record.seq >= buffer.firstOwnSeq) duplicates.push(item.record);
        else delivered.push(item.record);
      } else if (outcome.status === 'reject') {
        rejected++;
        errorTextBy.set('rejected', outcome.error);
        dead.push({ record: item.record, errorType: outcome.errorType, error: outcome.error, attempts: item.attempts });
      } else {
        // An answer that does not say what became of the item: the server may have stored it.
        if (outcome.errorClass === 'invalid_response') item.mayHaveStored = true;
        retriedBy.set(outcome.errorClass, (retriedBy.get(outcome.errorClass) ?? 0) + 1);
        errorTextBy.set(outcome.errorClass, outcome.error);
        const failures = (item.failures.get(outcome.errorClass) ?? 0) + 1;
        item.failures.set(outcome.errorClass, failures);
        if (failures >= failureBudget(this.policy, outcome.errorClass))
          dead.push({ record: item.record, errorType: outcome.errorClass, error: outcome.error, attempts: item.attempts });
        else retry.push(item);
      }
    });
    for (const [errorClass, count] of retriedBy) telemetry.error('send', errorClass, count, errorTextBy.get(errorClass));
    if (rejected > 0) telemetry.error('send', 'rejected', rejected, errorTextBy.get('rejected'));
    if (duplicates.length > 0) {
      buffer.ack(duplicates);
      telemetry.deduplicated(duplicates.length);
      for (const record of duplicates) sentBytes -= record.bytes;
    }
    if (delivered.length > 0) {
      buffer.ack(delivered);
      telemetry.sent(delivered.length, Math.max(0, sentBytes));
    }
    if (delivered.length > 0 || duplicates.length > 0) {
      this.updateGauge();
      this.settleWaiters();
    }
    return { retry, dead };
  }

  /** True once the letters are stored and acked; false leaves them unacked for the next round. */
  private async writeDeadLetters(letters: readonly DeadLetter[], signal: AbortSignal): Promise<boolean> {
    const { driver, telemetry, buffer, logger } = this.options;
    try {
      await driver.deadLetter(letters, signal);
    } catch (error) {
      if (!signal.aborted) {
        telemetry.error('dead_letter', 'unavailable', letters.length, error);
        logger?.warn({ sink: this.id, events: letters.length, error: errorText(error) }, 'dead-letter write failed; retrying');
      }
      return false;
    }
    buffer.ack(letters.map((letter) => letter.record));
    telemetry.deadLettered(letters.length);
    this.updateGauge();
    this.settleWaiters();
    const first = letters[0] as DeadLetter;
    logger?.warn(
      { sink: this.id, events: letters.length, error_type: first.errorType, error: first.error },
      'events could not be delivered and were dead-lettered',
    );
    return true;
  }

  private updateGauge(): void {
    const depth = this.options.buffer.depth();
    this.options.telemetry.buffer(depth.events, depth.bytes);
  }
}
