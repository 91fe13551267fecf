import type { ParsedEvent } from '../../parsers/parse-line.js';
import type { ComponentTelemetry } from '../../platform/telemetry/component-telemetry.js';
import type { EnrichStage } from '../enrich/enrich-stage.js';
import type { Sink } from '../sinks/sink.js';
import type { EncodedBatch, EncoderRecipe } from '../sinks/sink-encoder.js';
import { BoundedQueue } from './bounded-queue.js';
import { receiveEventId } from './event-ids.js';
import { parseAndEnrich, parseLines, processBatch } from './process-stage.js';
import { lineBytes, type PipelineIntake, type RawLine, type SubmitOptions } from './raw-line.js';
import { PARSE_COMPONENT, type TapHub } from './tap-hub.js';
import { ParseWorkerPool, type WorkerBatchResult, WorkerTimeoutError } from './worker-pool.js';
import type { WorkerEnrichOptions } from './worker-protocol.js';

/** A source's delivery: lines, and for acknowledging sources the promise to settle once they are durable or delivered. */
interface LineBatch {
  lines: RawLine[];
  /** `lineBytes(lines)`, counted once on arrival: the queue's byte bound and the parse stage's counts both read it. */
  bytes: number;
  ack?: { until: 'buffered' | 'delivered'; onBuffered?: (() => void) | undefined; resolve: () => void; reject: (error: Error) => void };
}

export interface PipelineOptions {
  /** data_stream.namespace of the events. */
  namespace: string;
  /** Lines waiting between the sources and the parse stage; beyond it TCP pauses, HTTP answers 429, UDP drops. */
  queueEvents: number;
  /** The same bound in bytes (a line weighs its characters); whichever is reached first pushes back (default 4 MiB). */
  queueBytes?: number;
  enrich: EnrichStage | undefined;
  /**
   * Parse workers (`pipeline.workers`): 0 or absent parses, enriches and encodes on this thread; N ≥ 1 runs that in N
   * worker_threads, each building its own enrichment stage from `enrichOptions` and each sink's encoder from its
   * `encoderRecipe`. The sinks get finished payloads, in the order the batches left the queue.
   */
  workers?: number;
  /** What `enrich` was made from, for the workers (without it, workers do not enrich). */
  enrichOptions?: WorkerEnrichOptions | undefined;
  /** A parse worker died or timed out; its batch was processed on this thread instead. */
  onWorkerCrash?: (error: Error) => void;
  /** How long a parse worker may hold a batch (default `DEFAULT_WORKER_BATCH_TIMEOUT_MS`, 30 s; tests shorten it). */
  workerBatchTimeoutMs?: number;
  sinks: Sink[];
  /** The parse → enrich transform's telemetry. */
  telemetry: ComponentTelemetry;
  /** Lines parsed together (default 1000)… */
  batchEvents?: number;
  /** …and at most this many bytes of them (default 4 MiB), so the batches in flight stay small whatever the lines. */
  batchBytes?: number;
  /**
   * Batches past the parse stage at once (default 2; with workers, two more than the workers, so a worker finds its
   * next batch waiting while earlier ones wait on the sinks' buffers): while one waits on the sinks' buffers (a disk
   * spool's fsync), the next are parsed; the spool's group commit coalesces their writes.
   */
  concurrency?: number;
  onError?: (error: Error) => void;
  /** Tap points (`fortiems tap`): each source's lines, the parse stage's events, each sink's input. */
  tap?: TapHub;
}

/**
 * The queue only smooths bursts between the sources and the parse stage, which takes 1,000 lines at a time: 5,000 lines
 * keep it fed while the sinks keep up, and when they do not, the queue is full whatever its size, so a larger one only
 * holds more memory (each queued line costs its characters plus ~100 bytes of object and id). 4 MiB binds before 5,000
 * lines only when lines average over 800 bytes (EMS lines are 300–600), so 5,000 lines of 64 KiB cannot hold 320 MiB.
 */
export const DEFAULT_QUEUE_EVENTS = 5000;
export const DEFAULT_QUEUE_BYTES = 4 * 1024 * 1024;
const DEFAULT_BATCH_BYTES = 4 * 1024 * 1024;

/**
 * Where every received line gets its identity: once, here, before anything can retry or copy it. A line that already
 * has one (an HTTP request that asked for exactly-once) keeps it.
 */
function identify(lines: RawLine[]): void {
  for (const line of lines) line.id ??= receiveEventId();
}

/** Each sink's encoder recipe, when every sink can take a worker's payloads; undefined when one cannot. */
function encoderRecipes(sinks: readonly Sink[]): EncoderRecipe[] | undefined {
  const recipes: EncoderRecipe[] = [];
  for (const sink of sinks) {
    if (!sink.encoderRecipe || !sink.acceptEncoded) return undefined;
    recipes.push(sink.encoderRecipe);
  }
  return recipes;
}

/** Each sink's buffer position after the batch's write (a number; anything else from a sink that does not track delivery). */
type Positions = readonly unknown[];

function route(events: readonly ParsedEvent[], sinks: readonly Sink[]): Promise<Positions> {
  if (sinks.length === 1) return (sinks[0] as Sink).accept(events).then((position) => [position]);
  return Promise.all(sinks.map((sink) => sink.accept(events)));
}

/**
 * Settles once every sink has settled what it took up to its position: one promise per sink and batch, whatever the
 * number of events (each sink compares its buffer's ack watermark with the waiting positions as it acks).
 */
function deliveredEverywhere(sinks: readonly Sink[], positions: Positions): Promise<unknown> {
  const waits: Promise<void>[] = [];
  sinks.forEach((sink, i) => {
    const position = positions[i];
    if (typeof position === 'number' && position > 0 && sink.delivered) waits.push(sink.delivered(position));
  });
  return waits.length === 1 ? (waits[0] as Promise<void>) : Promise.all(waits);
}

export class PipelineStoppedError extends Error {
  constructor() {
    super('the pipeline is stopping and takes no more events');
    this.name = 'PipelineStoppedError';
  }
}

/**
 * source → queue → parse → enrich → route → sinks. Every line becomes exactly one event (parse failures become
 * pipeline_error events), and every event is handed to every sink's buffer: the route stage is a fan-out, since each
 * sink buffers for itself. Backpressure runs end to end: a full sink buffer holds the parse stage, which fills the
 * queue, which pauses the sources.
 */
export class Pipeline implements PipelineIntake {
  private readonly queue: BoundedQueue<LineBatch>;
  private sinks: Sink[];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private accepting = true;
  private loop: Promise<void> | undefined;
  private paused: Promise<void> | undefined;
  private pool: ParseWorkerPool | undefined;
  /** Settles once the latest batch taken from the queue was handed to the sinks: the next one waits for it (order). */
  private routed: Promise<void> = Promise.resolve();

  private readonly options: PipelineOptions;

  constructor(options: PipelineOptions) {
    this.options = { ...options };
    this.queue = new BoundedQueue<LineBatch>(options.queueEvents, (batch) => batch.lines.length, {
      capacity: options.queueBytes ?? DEFAULT_QUEUE_BYTES,
      weigh: (batch) => batch.bytes,
    });
    this.sinks = [...options.sinks];
  }

  readonly deliver = (lines: RawLine[]): undefined | Promise<void> => {
    if (!this.accepting) {
      // A source's last frame racing the shutdown: said and counted, never silently gone.
      this.options.telemetry.discarded('pipeline_stopped', lines.length);
      return undefined;
    }
    identify(lines);
    if (this.options.tap?.active) this.options.tap.lines(lines);
    return this.queue.push([{ lines, bytes: lineBytes(lines) }]);
  };

  submit(lines: RawLine[], options?: SubmitOptions): Promise<void> {
    // Thrown, not a rejected promise: the source learns at once that nothing entered, and counts nothing as received.
    if (!this.accepting) throw new PipelineStoppedError();
    if (lines.length === 0) {
      options?.onBuffered?.();
      return Promise.resolve();
    }
    identify(lines);
    if (this.options.tap?.active) this.options.tap.lines(lines);
    const until = options?.until ?? 'buffered';
    const onBuffered = options?.onBuffered;
    return new Promise<void>((resolve, reject) => {
      // The sender waits for this promise: its own request is the backpressure, so the queue's push promise is not awaited.
      void this.queue.push([{ lines, bytes: lineBytes(lines), ack: { until, onBuffered, resolve, reject } }]);
    });
  }

  isFull(): boolean {
    return this.queue.isFull();
  }

  /** Lines queued before the parse stage. */
  queuedEvents(): number {
    return this.queue.size;
  }

  /** Their bytes, as the byte bound weighs them. */
  queuedBytes(): number {
    return this.queue.bytes;
  }

  /** A reload's new enrichment settings apply from the next batch. */
  setEnrich(enrich: EnrichStage | undefined, options?: WorkerEnrichOptions): void {
    this.options.enrich = enrich;
    this.options.enrichOptions = options;
    this.pool?.configure({ enrich: options });
  }

  /** The enrichment counters, wherever enrichment runs (this thread's stage, and the workers'). */
  enrichMetrics(): Record<string, number> | undefined {
    const here = this.options.enrich?.metrics();
    if (!this.pool) return here;
    const merged = { ...(here ?? {}) };
    for (const [name, value] of Object.entries(this.pool.enrichMetrics()))
      merged[name] = name.endsWith('_total') ? (merged[name] ?? 0) + value : Math.max(merged[name] ?? 0, value);
    return merged;
  }

  currentSinks(): readonly Sink[] {
    return this.sinks;
  }

  start(): void {
    const workers = this.options.workers ?? 0;
    if (workers > 0 && !this.pool && !this.loop)
      this.pool = new ParseWorkerPool({
        size: workers,
        namespace: this.options.namespace,
        enrich: this.options.enrichOptions,
        sinks: encoderRecipes(this.sinks) ?? [],
        ...(this.options.onWorkerCrash ? { onCrash: this.options.onWorkerCrash } : {}),
        ...(this.options.workerBatchTimeoutMs !== undefined ? { batchTimeoutMs: this.options.workerBatchTimeoutMs } : {}),
      });
    this.loop ??= this.run();
  }

  /** The parse workers, when there are (tests kill one mid-batch). */
  workerPool(): ParseWorkerPool | undefined {
    return this.pool;
  }

  private async run(): Promise<void> {
    const workers = this.options.workers ?? 0;
    const concurrency = this.options.concurrency ?? (workers > 0 ? workers + 2 : 2);
    const batchEvents = this.options.batchEvents ?? 1000;
    const batchBytes = this.options.batchBytes ?? DEFAULT_BATCH_BYTES;
    while (this.accepting || this.queue.size > 0) {
      const batches = await this.queue.take(batchEvents, this.abort.signal, batchBytes);
      if (batches.length === 0) continue;
      // A sink swap may have begun while we waited for lines: these must go to the new sinks, not the draining ones.
      while (this.paused) await this.paused;
      const work = this.handle(batches);
      this.inFlight.add(work);
      void work.finally(() => this.inFlight.delete(work));
      while (this.inFlight.size >= concurrency) await Promise.race(this.inFlight);
    }
    await Promise.all(this.inFlight);
    await this.pool?.close();
  }

  private async handle(batches: LineBatch[]): Promise<void> {
    const lines = batches.length === 1 ? (batches[0] as LineBatch).lines : batches.flatMap((batch) => batch.lines);
    let bytes = 0;
    for (const batch of batches) bytes += batch.bytes;
    // The sinks as they were when the batch was taken: a swap waits for this batch before changing them.
    const sinks = this.sinks;
    const previous = this.routed;
    let handedOver!: () => void;
    this.routed = new Promise<void>((resolve) => {
      handedOver = resolve;
    });
    try {
      const { deliveries } = await this.process(lines, bytes, sinks, previous);
      // The next batch may now reach the sinks' buffers: its writes queue behind ours.
      handedOver();
      const positions = await deliveries;
      let delivered: Promise<unknown> | undefined;
      for (const batch of batches) {
        const ack = batch.ack;
        if (!ack) continue;
        ack.onBuffered?.();
        if (ack.until === 'buffered') ack.resolve();
        else {
          // Not awaited: the parse stage moves on while the sinks deliver.
          delivered ??= deliveredEverywhere(sinks, positions);
          delivered.then(ack.resolve, ack.reject);
        }
      }
    } catch (error) {
      // Only a sink buffer that cannot write (disk failure, closed) gets here: say so to the sender and the operator.
      const failure = error instanceof Error ? error : new Error(String(error));
      // The failing sink counted the events as discarded (each sink keeps its own accounting); here only the error.
      this.options.telemetry.error('route', 'buffer_write_failed', 1, failure);
      this.options.onError?.(failure);
      for (const batch of batches) batch.ack?.reject(failure);
      // Not before the previous batch is handed over: the next one must not overtake it.
      void previous.then(handedOver, handedOver);
    }
  }

  /**
   * parse → enrich → encode, on a worker when there are workers and every sink can be encoded there, else here; then,
   * once the previous batch was handed over (`previous`), hands this one to the sinks. Returns their writes, wrapped:
   * the caller lets the next batch through before they settle, so consecutive batches share a spool's group commit.
   */
  private async process(
    lines: RawLine[],
    bytes: number,
    sinks: readonly Sink[],
    previous: Promise<void>,
  ): Promise<{ deliveries: Promise<Positions> }> {
    const { telemetry } = this.options;
    const pool = this.pool;
    if (!pool?.usable || encoderRecipes(sinks) === undefined) {
      const events = await processBatch(lines, bytes, {
        namespace: this.options.namespace,
        enrich: this.options.enrich,
        telemetry,
      });
      if (this.options.tap?.active)
        this.options.tap.events(
          events,
          sinks.map((sink) => sink.id),
        );
      await previous;
      return { deliveries: route(events, sinks) };
    }
    telemetry.received(lines.length, bytes);
    let result: WorkerBatchResult | undefined;
    try {
      result = await pool.run(lines);
    } catch (error) {
      // A worker died with this batch or was stuck on it (the pool said so through onWorkerCrash): the batch is not lost,
      // it is processed here. A stuck worker was terminated first, so it delivers nothing of it.
      telemetry.error('parse', error instanceof WorkerTimeoutError ? 'worker_timeout' : 'worker_crash', 1, error);
    }
    if (!result) {
      const batch = await parseAndEnrich(lines, this.options.namespace, this.options.enrich);
      if (batch.failures > 0) telemetry.error('parse', 'pipeline_error', batch.failures);
      if (batch.enrichFailure !== undefined) telemetry.error('enrich', 'enrich_failed', 1, batch.enrichFailure);
      telemetry.sent(lines.length, bytes);
      if (this.options.tap?.active)
        this.options.tap.events(
          batch.events,
          sinks.map((sink) => sink.id),
        );
      await previous;
      return { deliveries: route(batch.events, sinks) };
    }
    if (result.failures > 0) telemetry.error('parse', 'pipeline_error', result.failures);
    if (result.enrichFailure !== undefined) telemetry.error('enrich', 'enrich_failed', 1, result.enrichFailure);
    telemetry.sent(lines.length, bytes);
    if (this.options.tap?.active) this.tapWorkerBatch(this.options.tap, lines, sinks);
    await previous;
    const encoded = result.sinks;
    return { deliveries: Promise.all(sinks.map((sink, i) => sink.acceptEncoded?.(encoded[i] as EncodedBatch))) };
  }

  /**
   * A worker's batch comes back as each sink's encoded bytes, not as events: the parse and sink taps parse the lines
   * again here, on the main thread, unenriched, and only as many as the tap has room for (a tap that is not read costs
   * nothing; the rest count as the tap's drops). The workers need no change, and their ids are the lines' own.
   */
  private tapWorkerBatch(tap: TapHub, lines: readonly RawLine[], sinks: readonly Sink[]): void {
    const ids = [PARSE_COMPONENT, ...sinks.map((sink) => sink.id)];
    if (!tap.taps(ids)) return;
    const room = Math.min(lines.length, tap.room(ids));
    const parsed = room > 0 ? parseLines(lines.slice(0, room), this.options.namespace).events : [];
    tap.events(
      parsed,
      sinks.map((sink) => sink.id),
      lines.length - room,
    );
  }

  /**
   * Holds the parse stage (after its current batches reach the sinks), swaps the sinks, and resumes: a configuration
   * reload replaces a sink without a gap in which events could find no sink.
   */
  async replaceSinks(change: (current: readonly Sink[]) => Promise<Sink[]>): Promise<void> {
    // Swaps never overlap: a second one waits for the first (each keeps its own resolver).
    while (this.paused) await this.paused;
    let resume!: () => void;
    this.paused = new Promise<void>((resolve) => {
      resume = resolve;
    });
    try {
      await Promise.all(this.inFlight);
      this.sinks = await change(this.sinks);
      const recipes = encoderRecipes(this.sinks);
      if (recipes) this.pool?.configure({ sinks: recipes });
    } finally {
      this.paused = undefined;
      resume();
    }
  }

  /** Takes no more lines, parses what is queued into the sinks' buffers, and returns; the sinks drain on their own. */
  async stop(): Promise<void> {
    this.accepting = false;
    // An aborted take still returns what is queued; it only stops waiting once the queue is empty.
    this.abort.abort();
    await this.loop;
  }
}
