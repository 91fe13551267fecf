/**
 * The Kafka tier's components without a broker: the `kafka` sink's and source's factories (schema, defaults, checks),
 * and the wire format (`ingest/kafka/kafka-record.ts`): what the sink's encoder writes, the source reads back as the
 * same line with the same metadata and id, whatever the line holds.
 */
import { describe, expect, it } from 'vitest';
import { sinkFactory, sourceFactory } from '../../ingest/components/contract.js';
import { COMPONENTS } from '../../ingest/components/registry.js';
import { ConfigError, parseConfig } from '../../ingest/config/load-config.js';
import type { KafkaSinkConfig } from '../../ingest/config/types.js';
import { kafkaSinkEncoder } from '../../ingest/kafka/kafka-encoder.js';
import {
  decodeRecordValue,
  encodeRecordValue,
  KAFKA_FORMAT_VERSION,
  KafkaRecordError,
  partitionKey,
  splitSpoolPayload,
} from '../../ingest/kafka/kafka-record.js';
import { zstdAvailable } from '../../ingest/kafka/kafka-schema.js';
import { recordToLine } from '../../ingest/kafka/kafka-source.js';
import { parseLines } from '../../ingest/pipeline/process-stage.js';
import type { RawLine } from '../../ingest/pipeline/raw-line.js';
import { VARIANT_LINES } from '../support/parser-corpus.js';

const config = (body: string) => parseConfig(`data_dir: /tmp/fortiems-kafka-unit\n${body}`, 'test.yaml', {});

const collector = `
sources:
  tcp: { type: syslog, mode: tcp, address: "127.0.0.1:0" }
sinks:
  kafka: { type: kafka, brokers: ["127.0.0.1:9092"] }
`;

const indexer = `
sources:
  kafka: { type: kafka, brokers: ["k1:9092", "[::1]:9093"] }
sinks:
  opensearch: { type: opensearch, url: "http://127.0.0.1:9200" }
`;

function problems(body: string): string {
  try {
    config(body);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return '';
}

describe('kafka factories', () => {
  it('are registered, and their schemas give the documented defaults', () => {
    expect(sinkFactory(COMPONENTS, 'kafka').defaults).toMatchObject({
      topic: 'fortiems-raw',
      partition_key: 'sender',
      compression: 'lz4',
      concurrency: 1,
    });
    expect(sourceFactory(COMPONENTS, 'kafka').defaults).toMatchObject({
      topics: ['fortiems-raw'],
      group: 'fortiems-indexers',
      start: 'earliest',
    });
    const sink = config(collector).sinks?.kafka as KafkaSinkConfig;
    expect(sink).toMatchObject({ type: 'kafka', topic: 'fortiems-raw', compression: 'lz4', partition_key: 'sender' });
    expect(config(indexer).sources?.kafka).toMatchObject({
      type: 'kafka',
      topics: ['fortiems-raw'],
      group: 'fortiems-indexers',
      start: 'earliest',
    });
  });

  it('refuses what the schema and the checks catch, with the path', () => {
    expect(problems('sinks:\n  kafka: { type: kafka }\n')).toMatch(/brokers/);
    expect(problems('sinks:\n  kafka: { type: kafka, brokers: ["no-port"] }\n')).toMatch(/sinks\.kafka\.brokers/);
    expect(problems('sinks:\n  kafka: { type: kafka, brokers: ["a:1"], compression: brotli }\n')).toMatch(/compression/);
    expect(problems('sinks:\n  kafka: { type: kafka, brokers: ["a:1", "a:1"] }\n')).toMatch(/listed twice/);
    expect(problems('sinks:\n  kafka: { type: kafka, brokers: ["a:1"], topic: "bad topic" }\n')).toMatch(/topic/);
    expect(
      problems(
        'sources:\n  k: { type: kafka, brokers: ["a:1"], topics: [t, t], start: latest }\nsinks:\n  kafka: { type: kafka, brokers: ["a:1"] }\n',
      ),
    ).toMatch(/sources\.k\.topics\[1\]: topic t is listed twice/);
    expect(
      problems('sources:\n  k: { type: kafka, brokers: ["a:1"], start: middle }\nsinks:\n  kafka: { type: kafka, brokers: ["a:1"] }\n'),
    ).toMatch(/start/);
    // Committed once buffered, a memory buffer loses what a crash leaves; committed once delivered, Kafka keeps it.
    expect(
      problems(
        'sources:\n  k: { type: kafka, brokers: ["a:1"], commit_after: buffered }\nsinks:\n  os: { type: opensearch, buffer: { type: memory } }\n',
      ),
    ).toMatch(/sinks\.os\.buffer\.type: a kafka source with commit_after: buffered commits offsets/);
    expect(
      problems('sources:\n  k: { type: kafka, brokers: ["a:1"] }\nsinks:\n  os: { type: opensearch, buffer: { type: memory } }\n'),
    ).toBe('');
    expect(
      problems('sources:\n  k: { type: kafka, brokers: ["a:1"], commit_after: eventually }\nsinks:\n  os: { type: opensearch }\n'),
    ).toMatch(/commit_after/);
    // Offsets committed past events a full buffer dropped would lose what Kafka still held.
    expect(
      problems(
        'sources:\n  k: { type: kafka, brokers: ["a:1"] }\nsinks:\n  os: { type: opensearch, buffer: { when_full: drop_newest } }\n',
      ),
    ).toMatch(/sinks\.os\.buffer\.when_full: a kafka source commits offsets past what sink os drops/);
    // Two batches in flight to one partition can share an idempotent sequence number: the broker drops one as a duplicate.
    expect(problems('sinks:\n  kafka: { type: kafka, brokers: ["a:1"], concurrency: 2 }\n')).toMatch(/concurrency/);
    const zstd = problems('sinks:\n  kafka: { type: kafka, brokers: ["a:1"], compression: zstd }\n');
    if (zstdAvailable) expect(zstd).toBe('');
    else expect(zstd).toMatch(/zstd needs Node\.js 22\.15/);
  });
});

const line = (text: string, extra: Partial<RawLine> = {}): RawLine => ({
  line: text,
  receivedAt: 1_795_341_601_123,
  sourceId: 'tcp',
  zone: 'Europe/Paris',
  ...extra,
});

const HOSTILE = [
  '',
  ' ',
  'line\nwith\nnewlines\r\n',
  '{"v":1,"id":"forged","line":"x"}',
  '"quoted" \\ back\\slash \u0000 nul \u001b[31m escape',
  '\ud800 lone high, lone low \udfff, reversed \udc00\ud800',
  '😀 emoji and ü and 中文',
  'x'.repeat(70_000),
];

/** sink encoder → spool payload → Kafka key and value → source → the RawLine the indexer's pipeline gets. */
function roundTrip(raw: RawLine, sinkConfig: Partial<KafkaSinkConfig> = {}): { key: string; back: RawLine } {
  const [event] = parseLines([raw], 'default').events;
  const payload = kafkaSinkEncoder('kafka', { type: 'kafka', brokers: ['a:1'], ...sinkConfig }).encode(event as never);
  const { key, value } = splitSpoolPayload(Buffer.from(payload));
  return {
    key: key.toString('utf8'),
    back: recordToLine({ value: Buffer.from(value), topic: 't', partition: 0, offset: 0n }, 'kafka_in', 'UTC'),
  };
}

describe('the kafka wire format', () => {
  it('carries each line exactly, with its receive time, zone, first source and id, hostile lines included', () => {
    for (const text of [...Object.values(VARIANT_LINES), ...HOSTILE]) {
      const raw = line(text, { id: 'abcDEF123_-xyz' });
      const { back } = roundTrip({ ...raw });
      expect(back).toEqual({ line: text, receivedAt: raw.receivedAt, sourceId: 'kafka_in', zone: 'Europe/Paris', id: 'abcDEF123_-xyz' });
    }
  });

  it('keeps a framing error, so the indexer makes the same pipeline_error event', () => {
    const { back } = roundTrip(line('<13>partial fra', { id: 'i1', framingError: 'connection closed mid-frame' }));
    expect(back.framingError).toBe('connection closed mid-frame');
    const [again] = parseLines([back], 'default').events;
    expect(again?.kind).toBe('pipeline_error');
  });

  it('gives every line an id on the way when the pipeline did not, and the source keeps it', () => {
    const { back } = roundTrip(line(VARIANT_LINES.observedEms));
    expect(back.id).toMatch(/^[A-Za-z0-9_-]{17,27}$/);
  });

  it('keys each record by its sender: the EMS serial or host, else the receiving source', () => {
    expect(roundTrip(line(VARIANT_LINES.fortigateEndpoint)).key).toBe('FGT60FTK2209A001');
    // The EMS's own serial, as the EMS line names it.
    expect(roundTrip(line(VARIANT_LINES.observedEms)).key).toBe('FCTEMS8822000123');
    expect(roundTrip(line('<13>Oct  1 22:17:30 ems02 app: free text')).key).toBe('ems02');
    expect(roundTrip(line('no header at all')).key).toBe('tcp');
    expect(roundTrip(line(VARIANT_LINES.observedEms), { partition_key: 'source' }).key).toBe('tcp');
    expect(roundTrip(line(VARIANT_LINES.observedEms), { partition_key: 'none' }).key).toBe('');
    // The key is the spool payload's first line: no control character survives, and it stays short.
    expect(partitionKey({ document: { observer: { hostname: 'evil\nhost\u0007\r' } } } as never, 'x')).toBe('evilhost');
    expect(partitionKey({ document: { observer: { hostname: 'h'.repeat(1000) } } } as never, 'x')).toHaveLength(255);
  });

  it('is versioned: a value names its version and a reader refuses one it does not know', () => {
    const value = encodeRecordValue({ id: 'a', line: 'l', receivedAt: 1, sourceId: 's', zone: 'UTC' });
    expect(JSON.parse(value)).toEqual({ v: KAFKA_FORMAT_VERSION, id: 'a', line: 'l', received_at: 1, source: 's', zone: 'UTC' });
    expect(() => decodeRecordValue(value.replace('"v":1', '"v":2'))).toThrow(/unknown format version 2/);
    for (const bad of ['', 'not json', '[]', 'null', '{"v":1}', '{"v":1,"id":"a","line":3,"received_at":1,"source":"s","zone":"z"}'])
      expect(() => decodeRecordValue(bad)).toThrow(KafkaRecordError);
  });

  it('turns a record that is not ours into a pipeline_error line with an id its position fixes', () => {
    const message = { value: Buffer.from('plain text someone produced'), topic: 'fortiems-raw', partition: 3, offset: 42n };
    const first = recordToLine(message, 'kafka_in', 'UTC');
    expect(first).toMatchObject({
      line: 'plain text someone produced',
      sourceId: 'kafka_in',
      framingError: 'kafka record: the value is not JSON',
    });
    expect(recordToLine(message, 'kafka_in', 'UTC').id).toBe(first.id);
    expect(recordToLine({ ...message, offset: 43n }, 'kafka_in', 'UTC').id).not.toBe(first.id);
    const [event] = parseLines([first], 'default').events;
    expect(event?.kind).toBe('pipeline_error');
  });
});
