/** The `kafka` sink's and source's schema fragments; the defaults here are the ones their settings apply. */
import * as zlib from 'node:zlib';
import { batch, buffer, zone } from '../components/schema-parts.js';

export const broker = {
  type: 'string',
  pattern: '^(\\[[0-9a-fA-F:.]+\\]|[^\\s:/\\[\\]]+):[0-9]{1,5}$',
  description: 'a bootstrap broker, HOST:PORT',
} as const;

const brokers = {
  type: 'array',
  minItems: 1,
  items: broker,
  description: 'bootstrap brokers (a few are enough: the client learns the rest)',
} as const;
const topicName = { type: 'string', pattern: '^[A-Za-z0-9._-]{1,249}$' } as const;

export const DEFAULT_TOPIC = 'fortiems-raw';

export const KAFKA_SINK_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'brokers'],
  properties: {
    type: { const: 'kafka' },
    brokers,
    topic: { ...topicName, default: DEFAULT_TOPIC },
    partition_key: {
      enum: ['sender', 'source', 'none'],
      default: 'sender',
      description: "sender: the EMS serial or host (one sender's lines stay in order); source: the receiving source; none: spread",
    },
    compression: { enum: ['none', 'gzip', 'snappy', 'lz4', 'zstd'], default: 'lz4' },
    client_id: { type: 'string', minLength: 1, default: 'fortiems' },
    timeout_ms: { type: 'integer', minimum: 1000, maximum: 300_000, default: 30_000 },
    // One batch in flight: the idempotent producer reads a partition's sequence number when it builds a request and
    // advances it on success, so two batches in flight to one partition can carry the same sequence and the broker
    // drops the second as a duplicate while answering success (a silent loss), and retries could reorder.
    concurrency: { type: 'integer', minimum: 1, maximum: 1, default: 1 },
    batch,
    buffer,
  },
} as const;

export const KAFKA_SOURCE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'brokers'],
  properties: {
    type: { const: 'kafka' },
    brokers,
    topics: { type: 'array', minItems: 1, items: topicName, default: [DEFAULT_TOPIC] },
    group: { type: 'string', minLength: 1, default: 'fortiems-indexers', description: 'consumer group: its members share the partitions' },
    start: {
      enum: ['earliest', 'latest'],
      default: 'earliest',
      description:
        'where a partition with no committed offset starts; latest skips what a member read and never committed before a crash, so keep earliest for indexers',
    },
    client_id: { type: 'string', minLength: 1, default: 'fortiems' },
    commit_after: {
      enum: ['delivered', 'buffered'],
      default: 'delivered',
      description:
        "delivered: an offset is committed once every sink has sent (or dead-lettered) its events, so Kafka is the indexer's buffer; buffered: once they are in every sink's buffer (a disk spool then holds what a crash leaves)",
    },
    max_batch_events: { type: 'integer', minimum: 1, maximum: 100_000, default: 1000 },
    max_in_flight_events: {
      type: 'integer',
      minimum: 1,
      maximum: 1_000_000,
      default: 20_000,
      description:
        'commit_after delivered: records read and not yet delivered, at most (enough to keep the sinks busy while a bulk request is out)',
    },
    lag_interval_ms: { type: 'integer', minimum: 1000, maximum: 300_000, default: 5000 },
    session_timeout_ms: { type: 'integer', minimum: 6000, maximum: 300_000, default: 30_000 },
    timezone: { ...zone, description: 'zone of zone-less times for records that carry none (records from a kafka sink carry theirs)' },
  },
} as const;

/** Whether this Node.js can compress with zstd (node:zlib has it from 22.15 / 23.8). */
export const zstdAvailable = typeof (zlib as Record<string, unknown>).zstdCompressSync === 'function';
