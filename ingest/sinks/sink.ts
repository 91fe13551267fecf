import type { ParsedEvent } from '../../parsers/parse-line.js';
import type { EncodedBatch, EncoderRecipe } from './sink-encoder.js';

/** A sink as the pipeline sees it: it takes events into its own buffer and delivers them on its own. */
export interface Sink {
  readonly id: string;
  readonly type: string;
  /**
   * Encodes the events and writes them to the sink's buffer. Resolves once they are durable there (disk spool: fsynced),
   * or counted as discarded by the buffer's `drop_newest` policy. Waits while a `block` buffer is full (backpressure).
   */
  accept(events: readonly ParsedEvent[]): Promise<void>;
  /**
   * The same as `accept`, for events a parse worker already filtered and encoded with the encoder `encoderRecipe`
   * builds: the counts it brings keep the sink's telemetry what `accept` would give.
   */
  acceptEncoded?(batch: EncodedBatch): Promise<void>;
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
