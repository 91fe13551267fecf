import type { ParsedEvent } from '../../parsers/parse-line.js';
import type { EncodedBatch, EncoderRecipe } from './sink-encoder.js';

/** A sink as the pipeline sees it: it takes events into its own buffer and delivers them on its own. */
export interface Sink {
  readonly id: string;
  readonly type: string;
  /**
   * Encodes the events and writes them to the sink's buffer. Resolves once they are durable there (disk spool: fsynced),
   * or counted as discarded by the buffer's `drop_newest` policy. Waits while a `block` buffer is full (backpressure).
   * Resolves with the buffer position after the write (a number), for `delivered`; a sink that resolves with anything
   * else, or has no `delivered`, does not track delivery (its buffered events count as delivered).
   */
  accept(events: readonly ParsedEvent[]): Promise<unknown>;
  /**
   * The same as `accept`, for events a parse worker already filtered and encoded with the encoder `encoderRecipe`
   * builds: the counts it brings keep the sink's telemetry what `accept` would give.
   */
  acceptEncoded?(batch: EncodedBatch): Promise<unknown>;
  /**
   * End-to-end acknowledgement: resolves once every event accepted up to `position` (what `accept` resolved with) has a
   * final fate — sent, deduplicated or dead-lettered (events filtered or dropped by a policy never enter the buffer, so
   * they are final at once). Rejects when the sink stops with them undelivered in a memory buffer; at a stop, what a
   * disk spool keeps counts as delivered (its next opening delivers it). One comparison per ack, no promise per event.
   */
  delivered?(position: number): Promise<void>;
  /** How a parse worker builds this sink's encoder; a sink without one (or without `acceptEncoded`) is encoded here. */
  readonly encoderRecipe?: EncoderRecipe | undefined;
  /** Starts delivering what the buffer holds (including what a previous run left in a disk spool). */
  start(): Promise<void>;
  /**
   * Graceful drain: stops taking new events, delivers what it can within `timeoutMs`, then stops; what is left stays in
   * a disk spool for the next start.
   */
  stop(timeoutMs: number): Promise<void>;
  /** True when the target answers. */
  ready(): Promise<boolean>;
}
