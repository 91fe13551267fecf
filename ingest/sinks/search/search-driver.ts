import type { BufferRecord } from '../../buffers/event-buffer.js';
import type { DeadLetter, ItemOutcome, SendResult, SinkDriver } from '../sink-driver.js';
import { BulkRequestError, bulkOutcomes, isUnavailable } from './bulk-response.js';
import { DEAD_LETTER_INDEX_BODY, deadLetterEntry } from './dead-letter.js';

export interface SearchTarget {
  url: string;
  /** Every node when several are configured (`url` is the first); the client's pool spreads requests over them. */
  urls?: string[];
  username?: string;
  password?: string;
  caFile?: string;
}

export interface SearchDriverSettings {
  /** data_stream.namespace for dead letters whose document names none. */
  namespace: string;
  /** One bulk request may take this long (default 30 s). */
  requestTimeoutMs?: number;
}

/** Only what the classification reads: a large batch's answer shrinks to a few bytes per item. */
export const BULK_FILTER_PATH = 'errors,items.*.status,items.*.error';

/** The little a search driver needs from a client library; each driver adapts its official client to it. */
export interface SearchClient {
  /**
   * POST /_bulk with the NDJSON body as is (bytes: both official transports send a Buffer untouched and take its
   * length as content-length); the parsed answer. Throws `BulkRequestError` when the request fails as a whole.
   */
  bulk(body: Buffer, signal: AbortSignal): Promise<unknown>;
  /** Creates an index; false when it exists already. Throws `BulkRequestError` otherwise. */
  createIndex(name: string, body: typeof DEAD_LETTER_INDEX_BODY, signal: AbortSignal): Promise<boolean>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface SearchDriverOptions {
  /** For dead letters whose document names no usable data_stream.namespace. */
  namespace: string;
  now?: () => Date;
}

/**
 * The bulk driver OpenSearch and Elasticsearch share: the payloads are already NDJSON pairs in UTF-8, so a batch is
 * sent as their bytes back to back (one copy, no re-serialization, no re-encoding), and every item of the answer is
 * classified.
 */
export class SearchDriver implements SinkDriver {
  private readonly indices = new Map<string, Promise<void>>();

  constructor(
    readonly type: string,
    private readonly client: SearchClient,
    private readonly options: SearchDriverOptions,
  ) {}

  async send(batch: readonly BufferRecord[], signal: AbortSignal): Promise<SendResult> {
    let answer: unknown;
    try {
      answer = await this.client.bulk(batchBody(batch), signal);
    } catch (error) {
      if (!(error instanceof BulkRequestError) || isUnavailable(error.status)) throw error;
      const outcome: ItemOutcome = { status: 'retry', errorClass: 'request_rejected', error: error.message };
      return { outcomes: batch.map(() => outcome), bytes: 0 };
    }
    const outcomes = bulkOutcomes(answer, batch.length);
    let bytes = 0;
    outcomes.forEach((outcome, i) => {
      if (outcome.status === 'ok' || outcome.status === 'exists') bytes += (batch[i] as BufferRecord).bytes;
    });
    return { outcomes, bytes };
  }

  async deadLetter(letters: readonly DeadLetter[], signal: AbortSignal): Promise<void> {
    const now = this.options.now?.() ?? new Date();
    const entries = letters.map((letter) => deadLetterEntry(letter, this.options.namespace, now));
    for (const index of new Set(entries.map((entry) => entry.index))) await this.ensureIndex(index, signal);
    const answer = await this.client.bulk(Buffer.from(entries.map((entry) => entry.payload).join(''), 'utf8'), signal);
    const failed = bulkOutcomes(answer, entries.length).filter((outcome) => outcome.status === 'retry' || outcome.status === 'reject');
    // Thrown, so the helper keeps the records unacked and tries again: a dead letter must not be lost either.
    if (failed.length > 0) {
      const first = failed[0] as Extract<ItemOutcome, { status: 'retry' | 'reject' }>;
      throw new Error(`dead-letter write: ${failed.length} of ${entries.length} items failed, first: ${first.error}`);
    }
  }

  async healthy(): Promise<boolean> {
    return this.client.ping();
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** Created at first need, once per process; a failed attempt is forgotten so the next write tries again. */
  private ensureIndex(name: string, signal: AbortSignal): Promise<void> {
    let ready = this.indices.get(name);
    if (!ready) {
      ready = this.client.createIndex(name, DEAD_LETTER_INDEX_BODY, signal).then(() => undefined);
      ready.catch(() => this.indices.delete(name));
      this.indices.set(name, ready);
    }
    return ready;
  }
}

/** The batch's payloads in one buffer: the clients take one body (an array would be serialized as JSON). */
export function batchBody(batch: readonly BufferRecord[]): Buffer {
  const payloads = new Array<Buffer>(batch.length);
  let bytes = 0;
  for (let i = 0; i < batch.length; i++) {
    const record = batch[i] as BufferRecord;
    payloads[i] = record.payload;
    bytes += record.bytes;
  }
  return Buffer.concat(payloads, bytes);
}
