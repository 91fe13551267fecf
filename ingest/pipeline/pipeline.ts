import type { ParsedEvent } from '../../parsers/parse-line.js';
import type { ComponentTelemetry } from '../../platform/telemetry/component-telemetry.js';
import type { EnrichStage } from '../enrich/enrich-stage.js';
import type { Sink } from '../sinks/sink.js';
import { BoundedQueue } from './bounded-queue.js';
import { receiveEventId } from './event-ids.js';
import { processBatch } from './process-stage.js';
import type { PipelineIntake, RawLine } from './raw-line.js';

/** A source's delivery: lines, and for acknowledging sources the promise to settle once they are durable. */
interface LineBatch {
  lines: RawLine[];
  /** The lines' characters (bytes for ASCII): what the queue's byte bound weighs. */
  bytes: number;
  durable?: { resolve: () => void; reject: (error: Error) => void };
}

export interface PipelineOptions {
  /** data_stream.namespace of the events. */
  namespace: string;
  /** Lines waiting between the sources and the parse stage; beyond it TCP pauses, HTTP answers 429, UDP drops. */
  queueEvents: number;
  /** The same bound in bytes (a line weighs its characters); whichever is reached first pushes back (default 4 MiB). */
  queueBytes?: number;
  enrich: EnrichStage | undefined;
  sinks: Sink[];
  /** The parse → enrich transform's telemetry. */
  telemetry: ComponentTelemetry;
  /** Lines parsed together (default 1000)… */
  batchEvents?: number;
  /** …and at most this many bytes of them (default 4 MiB), so the batches in flight stay small whatever the lines. */
  batchBytes?: number;
  /**
   * Batches past the parse stage at once (default 2): while one waits on the sinks' buffers (a disk spool's fsync),
   * the next is parsed; the spool's group commit coalesces their writes.
   */
  concurrency?: number;
  onError?: (error: Error) => void;
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

function lineBytes(lines: readonly RawLine[]): number {
  let bytes = 0;
  for (const raw of lines) bytes += raw.line.length;
  return bytes;
}

/**
 * Where every received line gets its identity: once, here, before anything can retry or copy it. A line that already
 * has one (an HTTP request that asked for exactly-once) keeps it.
 */
function identify(lines: RawLine[]): void {
  for (const line of lines) line.id ??= receiveEventId();
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
    return this.queue.push([{ lines, bytes: lineBytes(lines) }]);
  };

  submit(lines: RawLine[]): Promise<void> {
    if (!this.accepting) return Promise.reject(new PipelineStoppedError());
    if (lines.length === 0) return Promise.resolve();
    identify(lines);
    return new Promise<void>((resolve, reject) => {
      // The sender waits for this promise: its own request is the backpressure, so the queue's push promise is not awaited.
      void this.queue.push([{ lines, bytes: lineBytes(lines), durable: { resolve, reject } }]);
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
  setEnrich(enrich: EnrichStage | undefined): void {
    this.options.enrich = enrich;
  }

  currentSinks(): readonly Sink[] {
    return this.sinks;
  }

  start(): void {
    this.loop ??= this.run();
  }

  private async run(): Promise<void> {
    const concurrency = this.options.concurrency ?? 2;
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
  }

  private async handle(batches: LineBatch[]): Promise<void> {
    const lines = batches.length === 1 ? (batches[0] as LineBatch).lines : batches.flatMap((batch) => batch.lines);
    try {
      const events = await processBatch(lines, {
        namespace: this.options.namespace,
        enrich: this.options.enrich,
        telemetry: this.options.telemetry,
      });
      await this.route(events);
      for (const batch of batches) batch.durable?.resolve();
    } catch (error) {
      // Only a sink buffer that cannot write (disk failure, closed) gets here: say so to the sender and the operator.
      const failure = error instanceof Error ? error : new Error(String(error));
      // The failing sink counted the events as discarded (each sink keeps its own accounting); here only the error.
      this.options.telemetry.error('route', 'buffer_write_failed');
      this.options.onError?.(failure);
      for (const batch of batches) batch.durable?.reject(failure);
    }
  }

  private async route(events: ParsedEvent[]): Promise<void> {
    const sinks = this.sinks;
    if (sinks.length === 1) await (sinks[0] as Sink).accept(events);
    else await Promise.all(sinks.map((sink) => sink.accept(events)));
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
