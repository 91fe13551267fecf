/**
 * The `kafka` sink's driver: sends a batch of spooled records with an idempotent producer (acks=all), so a record the
 * client retries inside one send is written once. The helper retries a failed send whole (at-least-once: a record may
 * then be in the topic twice, with one id, which the index stores once).
 */
import { type MessageToProduce, ProduceAcks, Producer } from '@platformatic/kafka';
import type { BufferRecord } from '../buffers/event-buffer.js';
import { appendDeadLetters } from '../forward/dead-letter-file.js';
import type { DeadLetter, ItemOutcome, SendResult, SinkDriver } from '../sinks/sink-driver.js';
import { FORMAT_HEADER, KAFKA_FORMAT_VERSION, splitSpoolPayload } from './kafka-record.js';

export interface KafkaDriverOptions {
  brokers: string[];
  topic: string;
  compression: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
  clientId: string;
  timeoutMs: number;
  deadLetterFile: string;
}

// Without serializers the client takes header keys and values as bytes.
const FORMAT_KEY = Buffer.from(FORMAT_HEADER);
const FORMAT = Buffer.from(String(KAFKA_FORMAT_VERSION));

/** The broker refuses a record or a batch for its size: retrying it as it is cannot help. */
function tooLarge(error: unknown): boolean {
  const text = error instanceof Error ? `${error.message} ${JSON.stringify((error as { errors?: unknown }).errors ?? '')}` : String(error);
  return /MESSAGE_TOO_LARGE|RECORD_LIST_TOO_LARGE|too large/i.test(text);
}

function message(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const inner = (error as { errors?: unknown[] }).errors;
  return Array.isArray(inner) && inner.length > 0
    ? `${error.message}: ${inner.map((each) => (each as Error).message ?? String(each)).join('; ')}`
    : error.message;
}

export function createKafkaDriver(options: KafkaDriverOptions): SinkDriver {
  const producer = new Producer({
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
  });
  const toMessage = (record: BufferRecord): MessageToProduce => {
    const { key, value } = splitSpoolPayload(record.payload);
    return {
      topic: options.topic,
      ...(key.length > 0 ? { key } : {}),
      value,
      headers: new Map([[FORMAT_KEY, FORMAT]]),
    };
  };
  const sendOne = async (record: BufferRecord): Promise<ItemOutcome> => {
    try {
      await producer.send({ messages: [toMessage(record)] });
      return { status: 'ok' };
    } catch (error) {
      if (tooLarge(error)) return { status: 'reject', errorType: 'message_too_large', error: message(error) };
      return { status: 'retry', errorClass: 'unavailable', error: message(error) };
    }
  };
  return {
    type: 'kafka',
    async send(batch: readonly BufferRecord[]): Promise<SendResult> {
      let bytes = 0;
      for (const record of batch) bytes += record.payload.length;
      try {
        await producer.send({ messages: batch.map(toMessage) });
        return { outcomes: batch.map(() => ({ status: 'ok' }) as const), bytes };
      } catch (error) {
        if (!tooLarge(error)) throw new Error(`kafka: ${message(error)}`);
      }
      // Something in the batch is too large for the broker: one at a time, so only that record is dead-lettered.
      const outcomes: ItemOutcome[] = [];
      let sent = 0;
      for (const record of batch) {
        const outcome = await sendOne(record);
        if (outcome.status === 'ok') sent += record.payload.length;
        outcomes.push(outcome);
      }
      return { outcomes, bytes: sent };
    },
    deadLetter: (letters: readonly DeadLetter[]) => appendDeadLetters(options.deadLetterFile, letters),
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
