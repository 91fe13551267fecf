/**
 * The Kafka tier's wire format (version 1): what a collector's `kafka` sink writes and an indexer's `kafka` source
 * reads. One Kafka record per received line:
 *
 * - key: the partition key (UTF-8; see `partitionKey`), so one sender's lines stay in one partition, in order;
 * - value: compact JSON `{"v":1,"id","line","received_at","source","zone"[,"framing_error"]}`;
 * - header `fortiems-format: 1` (the value says its version too).
 *
 * The line travels unparsed, so an indexer parses it with the same code (and a replay of the topic re-parses it), and
 * with the event id given on arrival, so a record read twice is stored once. JSON keeps any line exact, lone UTF-16
 * surrogates included (JSON.stringify escapes them as `\udXXX`). A change that an older reader cannot read takes the
 * next version; a reader refuses versions it does not know (the record becomes a pipeline_error event with its bytes).
 */

import { textAt } from '../../parsers/event-fields.js';
import type { ParsedEvent, ReceivedLine } from '../../parsers/parse-line.js';

export const KAFKA_FORMAT_VERSION = 1;
export const FORMAT_HEADER = 'fortiems-format';
/** The `format` of a kafka sink's dead-letter lines: their payload is a spool payload (`<key>\n<value>`) of this version. */
export const DEAD_LETTER_FORMAT = `fortiems-kafka-${KAFKA_FORMAT_VERSION}`;

/** One line and what its first receiver knew: the value of a record. */
export interface KafkaLineRecord {
  id: string;
  line: string;
  receivedAt: number;
  sourceId: string;
  zone: string;
  framingError?: string;
}

/** The record value (JSON text). */
export function encodeRecordValue(record: KafkaLineRecord): string {
  return JSON.stringify({
    v: KAFKA_FORMAT_VERSION,
    id: record.id,
    line: record.line,
    received_at: record.receivedAt,
    source: record.sourceId,
    zone: record.zone,
    ...(record.framingError !== undefined ? { framing_error: record.framingError } : {}),
  });
}

export class KafkaRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KafkaRecordError';
  }
}

const isText = (value: unknown): value is string => typeof value === 'string';

/** Reads a record value; throws a `KafkaRecordError` saying what is wrong with one that is not version 1. */
export function decodeRecordValue(value: string): KafkaLineRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new KafkaRecordError('kafka record: the value is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new KafkaRecordError('kafka record: not an object');
  const fields = parsed as Record<string, unknown>;
  if (fields.v !== KAFKA_FORMAT_VERSION) throw new KafkaRecordError(`kafka record: unknown format version ${JSON.stringify(fields.v)}`);
  const { id, line, received_at: receivedAt, source, zone, framing_error: framingError } = fields;
  if (!isText(id) || id.length === 0 || id.length > 128) throw new KafkaRecordError('kafka record: no valid id');
  if (!isText(line)) throw new KafkaRecordError('kafka record: no line');
  if (typeof receivedAt !== 'number' || !Number.isFinite(receivedAt)) throw new KafkaRecordError('kafka record: no received_at');
  if (!isText(source) || !isText(zone)) throw new KafkaRecordError('kafka record: no source or zone');
  if (framingError !== undefined && !isText(framingError)) throw new KafkaRecordError('kafka record: framing_error is not text');
  return { id, line, receivedAt, sourceId: source, zone, ...(framingError !== undefined ? { framingError } : {}) };
}

/** Keys are short: a hostile hostname must not make every record large. */
const MAX_KEY_CHARS = 255;

/**
 * The partition key of an event: the sender's identity as parsing found it — the EMS serial (`observer.serial_number`),
 * else its host name (`observer.hostname`, then the syslog HOSTNAME) — else the receiving source, so each EMS keeps
 * its order. Control characters are removed (the spool payload puts the key on its own line).
 */
export function partitionKey(event: ParsedEvent, fallback: string): string {
  const document = event.document;
  const key =
    textAt(document, 'observer.serial_number') ??
    textAt(document, 'observer.hostname') ??
    textAt(document, 'log.syslog.hostname') ??
    event.received?.sourceId ??
    fallback;
  return keyText(key);
}

/** A partition key as the spool payload can carry it: no control characters (so no newline), at most 255 characters. */
export function keyText(key: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is removed
  return key.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, MAX_KEY_CHARS);
}

/** What the pipeline knew about an event's line; an event made outside the pipeline is rebuilt from its document. */
export function lineRecordOf(event: ParsedEvent, fallbackSource: string): KafkaLineRecord {
  const received: ReceivedLine | undefined = event.received;
  const document = event.document;
  const id = received?.id ?? textAt(document, 'event.id');
  if (id === undefined) throw new Error('the event has no id');
  if (received)
    return {
      id,
      line: received.line,
      receivedAt: received.receivedAt,
      sourceId: received.sourceId,
      zone: received.zone,
      ...(received.framingError !== undefined ? { framingError: received.framingError } : {}),
    };
  const line = textAt(document, 'event.original');
  if (line === undefined) throw new Error('the event has no original line');
  const ingested = Date.parse(textAt(document, 'event.ingested') ?? '');
  return { id, line, receivedAt: Number.isFinite(ingested) ? ingested : Date.now(), sourceId: fallbackSource, zone: 'UTC' };
}

/**
 * The sink's spool payload is `<key>\n<value>`: the key holds no newline (`partitionKey`) and JSON text holds no raw
 * one, so the first newline splits them, and a dead letter decoded as text stays readable. This splits one into the
 * record's key and value bytes (views, no copy).
 */
export function splitSpoolPayload(payload: Buffer): { key: Buffer; value: Buffer } {
  const newline = payload.indexOf(0x0a);
  if (newline < 0) return { key: Buffer.alloc(0), value: payload };
  return { key: payload.subarray(0, newline), value: payload.subarray(newline + 1) };
}
