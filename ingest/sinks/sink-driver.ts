import type { BufferRecord } from '../buffers/event-buffer.js';

/**
 * What a target-specific driver (OpenSearch bulk, Elasticsearch bulk, a syslog forwarder, …) implements; the shared
 * sink helper (`sink-helper.ts`) does everything else: batching, concurrency, retry with backoff, dead-lettering,
 * acknowledgements, metrics and draining.
 */
export type ItemOutcome =
  /** Delivered. */
  | { status: 'ok' }
  /**
   * The target already holds a record with this id (a `create` answered 409). The helper decides what that means: our
   * own earlier attempt (sent) or an event someone else stored first (deduplicated).
   */
  | { status: 'exists' }
  /** Not delivered this time; try again later. `errorClass` selects the retry budget (e.g. `throttled`, `server_error`). */
  | { status: 'retry'; errorClass: string; error: string }
  /** The target will never accept it as it is (mapping conflict, parse error): dead-letter it with the error. */
  | { status: 'reject'; errorType: string; error: string };

export interface SendResult {
  /** Exactly one outcome per record, in the batch's order. */
  outcomes: ItemOutcome[];
  /** Request bytes the target confirmed (for `sent_bytes`). */
  bytes: number;
}

/** A record that could not be delivered, with why, on its way to the dead-letter store. */
export interface DeadLetter {
  record: BufferRecord;
  errorType: string;
  error: string;
  /** How many attempts were made. */
  attempts: number;
}

export interface SinkDriver {
  /** For logs and metrics: `opensearch`, `elasticsearch`, … */
  readonly type: string;
  /**
   * Sends one batch. Throwing (connection refused, timeout, 5xx for the whole request) means every record is retried
   * with the error class `unavailable`; otherwise one outcome per record.
   */
  send(batch: readonly BufferRecord[], signal: AbortSignal): Promise<SendResult>;
  /**
   * Stores undeliverable records with their error (e.g. a dead-letter index). Throwing means "try again later"; the
   * records stay unacked meanwhile, so a dead-letter store that is down loses nothing.
   */
  deadLetter(letters: readonly DeadLetter[], signal: AbortSignal): Promise<void>;
  /** True when the target answers (for /ready). */
  healthy?(): Promise<boolean>;
  close?(): Promise<void>;
}
