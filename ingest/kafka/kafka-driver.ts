/**
 * The `kafka` sink's driver: sends a batch of spooled records with an idempotent producer (acks=all), so a record the
 * client retries inside one send is written once. What a failed send means decides what happens to its records:
 *
 * - no answer, or an answer the client may retry (broker down, not leader, timeout): thrown, so the helper retries the
 *   same batch without limit while the spool holds the events;
 * - the producer's session is no longer valid (out-of-order sequence, fenced or unknown producer): a new producer (a
 *   new idempotent session) and the batch retried;
 * - a refusal of the records themselves (too large, invalid record): one record at a time, in order, so only those
 *   refused on their own are dead-lettered;
 * - a refusal of the whole send the client will not retry (topic authorization, policy): the batch is dead-lettered
 *   with the broker's reason.
 *
 * A retried record may be in the topic twice, with one id, which the index stores once.
 */
import { type MessageToProduce, ProduceAcks, Producer } from '@platformatic/kafka';
import type { BufferRecord } from '../buffers/event-buffer.js';
import { appendDeadLetters } from '../forward/dead-letter-file.js';
import type { DeadLetter, ItemOutcome, SendResult, SinkDriver } from '../sinks/sink-driver.js';
import { DEAD_LETTER_FORMAT, FORMAT_HEADER, KAFKA_FORMAT_VERSION, splitSpoolPayload } from './kafka-record.js';

/** The part of the client's producer the driver uses (a test hands in a fake one). */
export interface KafkaProducer {
  send(options: { messages: MessageToProduce[] }): Promise<unknown>;
  metadata(options: { topics: string[] }): Promise<unknown>;
  close(): Promise<void>;
}

export interface KafkaDriverOptions {
  brokers: string[];
  topic: string;
  compression: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
  clientId: string;
  timeoutMs: number;
  deadLetterFile: string;
  /** The sink's id, recorded in each dead-letter line (with the payload's format) for its replay. */
  sinkId?: string;
  /** Builds a producer; by default the client's idempotent one with the settings above. */
  createProducer?: () => KafkaProducer;
  /** Told each time the producer is replaced by a new one (for the sink's metrics and log). */
  onProducerReset?: (reason: string) => void;
}

/** Retry class of a batch whose producer was replaced: retried without limit (the records are not the problem). */
export const PRODUCER_STATE_CLASS = 'producer_state';

// Without serializers the client takes header keys and values as bytes.
const FORMAT_KEY = Buffer.from(FORMAT_HEADER);
const FORMAT = Buffer.from(String(KAFKA_FORMAT_VERSION));

/** A record refused for what it is: sent alone, it is refused again, and its neighbours are not. */
const RECORD_REFUSALS = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'INVALID_TIMESTAMP']);
/** The broker no longer takes this producer's session (its id, epoch or sequence numbers). */
const PRODUCER_STATE = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'DUPLICATE_SEQUENCE_NUMBER',
  'INVALID_PRODUCER_EPOCH',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_ID_MAPPING',
  'PRODUCER_FENCED',
]);
/** Not retriable for the client, yet says nothing about the records: a bounded number of retries, then dead letters. */
const SERVER_ERRORS = new Set(['UNKNOWN_SERVER_ERROR']);

type Failure =
  | { kind: 'transient' }
  | { kind: 'producer_state'; reason: string }
  | { kind: 'server_error'; reason: string }
  | { kind: 'record'; reason: string }
  | { kind: 'refused'; reason: string };

interface ClientError {
  message?: string;
  errors?: unknown[];
  apiId?: unknown;
  canRetry?: unknown;
  producerFenced?: unknown;
}

/** The errors a client error is made of (a send over several brokers, or retried, nests them). */
function leaves(error: unknown, into: ClientError[] = []): ClientError[] {
  const inner = (error as ClientError | null)?.errors;
  if (Array.isArray(inner) && inner.length > 0) for (const each of inner) leaves(each, into);
  else if (error !== null && typeof error === 'object') into.push(error as ClientError);
  return into;
}

/**
 * What a failed send means. Only a broker's answer (a protocol error, `apiId`) decides a refusal: the client also
 * marks its own timeout and a closed client as not retriable, and those are no reason to give up on the records.
 */
export function classifyKafkaFailure(error: unknown): Failure {
  const answers = leaves(error).filter((leaf) => typeof leaf.apiId === 'string');
  const ids = answers.map((leaf) => leaf.apiId as string);
  const reasonOf = (id: string) => id.toLowerCase();
  const producer =
    ids.find((id) => PRODUCER_STATE.has(id)) ?? (answers.some((leaf) => leaf.producerFenced === true) ? 'PRODUCER_FENCED' : undefined);
  if (producer) return { kind: 'producer_state', reason: reasonOf(producer) };
  const record = ids.find((id) => RECORD_REFUSALS.has(id));
  if (record) return { kind: 'record', reason: reasonOf(record) };
  const refusal = answers.find((leaf) => leaf.canRetry === false && !SERVER_ERRORS.has(leaf.apiId as string));
  if (refusal) return { kind: 'refused', reason: reasonOf(refusal.apiId as string) };
  const server = ids.find((id) => SERVER_ERRORS.has(id));
  if (server) return { kind: 'server_error', reason: reasonOf(server) };
  return { kind: 'transient' };
}

function message(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const inner = leaves(error).filter((leaf) => leaf !== error);
  return inner.length > 0 ? `${error.message}: ${inner.map((each) => each.message ?? String(each)).join('; ')}` : error.message;
}

export function createKafkaDriver(options: KafkaDriverOptions): SinkDriver {
  const create =
    options.createProducer ??
    (() =>
      new Producer({
        clientId: options.clientId,
        bootstrapBrokers: options.brokers,
        idempotent: true,
        acks: ProduceAcks.ALL,
        compression: options.compression,
        timeout: options.timeoutMs,
        // Short client retries: the sink helper retries with backoff and its spool holds the records meanwhile.
        retries: 2,
        retryDelay: 250,
        autocreateTopics: true,
      }));
  let producer = create();
  /**
   * After a send that failed with an answer, the client's sequence numbers may no longer match what the broker holds
   * (a partition's part of a failed request may have been written), and the next send is not the same batch again: a
   * new session's sequences start afresh, where the old ones could make the broker drop new records as duplicates.
   * The sink sends one batch at a time (concurrency 1), so no send is using the producer when it is replaced.
   */
  const reset = async (reason: string): Promise<void> => {
    const old = producer;
    producer = create();
    options.onProducerReset?.(reason);
    await old.close().catch(() => undefined);
  };
  const toMessage = (record: BufferRecord): MessageToProduce => {
    const { key, value } = splitSpoolPayload(record.payload);
    return {
      topic: options.topic,
      ...(key.length > 0 ? { key } : {}),
      value,
      headers: new Map([[FORMAT_KEY, FORMAT]]),
    };
  };
  const retryAll = (batch: readonly BufferRecord[], errorClass: string, error: string): SendResult => ({
    outcomes: batch.map(() => ({ status: 'retry', errorClass, error }) as const),
    bytes: 0,
  });

  /**
   * One record at a time, in order. A record refused on its own is dead-lettered and the walk goes on; at the first
   * other failure it stops, and that record and all after it are retried in order: sending a later record before an
   * earlier one that failed would reorder the partition.
   */
  const walk = async (batch: readonly BufferRecord[]): Promise<SendResult> => {
    const outcomes: ItemOutcome[] = [];
    let bytes = 0;
    for (const [index, record] of batch.entries()) {
      try {
        await producer.send({ messages: [toMessage(record)] });
        bytes += record.payload.length;
        outcomes.push({ status: 'ok' });
      } catch (error) {
        const failure = classifyKafkaFailure(error);
        const text = message(error);
        if (failure.kind === 'record' || failure.kind === 'refused') {
          // Refused with an answer: nothing of it was written, so the session's sequence numbers still hold.
          outcomes.push({ status: 'reject', errorType: failure.reason, error: text });
          continue;
        }
        let errorClass = 'unavailable';
        if (failure.kind === 'producer_state') {
          errorClass = PRODUCER_STATE_CLASS;
          await reset(failure.reason);
        } else if (failure.kind === 'server_error') {
          errorClass = 'server_error';
          await reset(failure.reason);
        }
        for (let rest = index; rest < batch.length; rest++) outcomes.push({ status: 'retry', errorClass, error: text });
        break;
      }
    }
    return { outcomes, bytes };
  };

  return {
    type: 'kafka',
    async send(batch: readonly BufferRecord[]): Promise<SendResult> {
      let bytes = 0;
      for (const record of batch) bytes += record.payload.length;
      let failure: Failure;
      let text: string;
      try {
        await producer.send({ messages: batch.map(toMessage) });
        return { outcomes: batch.map(() => ({ status: 'ok' }) as const), bytes };
      } catch (error) {
        failure = classifyKafkaFailure(error);
        text = message(error);
        // Retried as the same batch: the idempotent session makes a repeat of what was written harmless.
        if (failure.kind === 'transient') throw new Error(`kafka: ${text}`, { cause: error });
      }
      await reset(failure.reason);
      switch (failure.kind) {
        case 'producer_state':
          return retryAll(batch, PRODUCER_STATE_CLASS, text);
        case 'server_error':
          return retryAll(batch, 'server_error', text);
        case 'refused':
          return { outcomes: batch.map(() => ({ status: 'reject', errorType: failure.reason, error: text }) as const), bytes: 0 };
        case 'record':
          return batch.length === 1 ? { outcomes: [{ status: 'reject', errorType: failure.reason, error: text }], bytes: 0 } : walk(batch);
      }
    },
    deadLetter: (letters: readonly DeadLetter[]) =>
      appendDeadLetters(
        options.deadLetterFile,
        letters,
        options.sinkId !== undefined ? { sink: options.sinkId, format: DEAD_LETTER_FORMAT } : undefined,
      ),
    async healthy(): Promise<boolean> {
      try {
        await producer.metadata({ topics: [options.topic] });
        return true;
      } catch {
        return false;
      }
    },
    close: () => producer.close(),
  };
}
