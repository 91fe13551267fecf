/** The `kafka` source as a component: a consumer-group member reading a collector's lines (the indexer side of the Kafka tier). */
import { type ComponentProblem, type ListenerSourceFactory, schemaDefaults } from '../components/contract.js';
import type { FortiemsConfig, KafkaSourceConfig } from '../config/types.js';
import { DEFAULT_TOPIC, KAFKA_SOURCE_SCHEMA } from './kafka-schema.js';
import { KafkaSource } from './kafka-source.js';

const SCHEMA = KAFKA_SOURCE_SCHEMA.properties;

/** Chunks in flight with `commit_after: buffered`: one parsed while the next is read, as the HTTP source does. */
const BUFFERED_CHUNKS_IN_FLIGHT = 4;

function check(config: KafkaSourceConfig, path: readonly (string | number)[], whole: FortiemsConfig): ComponentProblem[] {
  const problems: ComponentProblem[] = [];
  const buffered = (config.commit_after ?? SCHEMA.commit_after.default) === 'buffered';
  for (const [id, sink] of Object.entries(whole.sinks ?? {})) {
    const buffer = (sink as { buffer?: { type?: string; when_full?: string } }).buffer;
    // Committed once in the buffer: a memory buffer would make that a promise a crash breaks (committed, then lost with
    // the process). Committed once delivered, the memory buffer is enough: Kafka keeps what it held.
    if (buffered && buffer?.type === 'memory')
      problems.push({
        path: ['sinks', id, 'buffer', 'type'],
        message: `a kafka source with commit_after: buffered commits offsets once events are in every sink's buffer, and sink ${id}'s memory buffer loses them in a crash`,
        fix: 'use commit_after: delivered (the default), or buffer type disk for every sink of an indexer',
      });
    // A full buffer that drops would let the source commit offsets past events it never stored: Kafka still held them.
    if (buffer?.when_full === 'drop_newest')
      problems.push({
        path: ['sinks', id, 'buffer', 'when_full'],
        message: `a kafka source commits offsets past what sink ${id} drops when its buffer is full`,
        fix: 'use when_full: block (the default): Kafka holds the backlog while the sink catches up',
      });
  }
  const seen = new Set<string>();
  (config.topics ?? []).forEach((topic, index) => {
    if (seen.has(topic))
      problems.push({ path: [...path, 'topics', index], message: `topic ${topic} is listed twice`, fix: 'list each topic once' });
    seen.add(topic);
  });
  return problems;
}

export const kafkaSourceFactory: ListenerSourceFactory<KafkaSourceConfig> = {
  type: 'kafka',
  kind: 'listener',
  schema: KAFKA_SOURCE_SCHEMA,
  defaults: schemaDefaults(KAFKA_SOURCE_SCHEMA),
  check: (config, context) => check(config, context.path, context.config),
  start: async (id, config, context) => {
    const commitAfter = config.commit_after ?? SCHEMA.commit_after.default;
    const maxBatchEvents = config.max_batch_events ?? SCHEMA.max_batch_events.default;
    const source = new KafkaSource({
      id,
      brokers: config.brokers,
      topics: config.topics ?? [DEFAULT_TOPIC],
      group: config.group ?? SCHEMA.group.default,
      start: config.start ?? SCHEMA.start.default,
      clientId: config.client_id ?? SCHEMA.client_id.default,
      zone: config.timezone ?? context.pipelineZone,
      maxBatchEvents,
      commitAfter,
      // Delivery takes a bulk round trip (or a whole outage) longer than buffering: the read-ahead must cover the sinks'
      // batches in flight and the next ones, or the sinks would wait on the commits.
      maxInFlightEvents:
        commitAfter === 'delivered'
          ? Math.max(config.max_in_flight_events ?? SCHEMA.max_in_flight_events.default, maxBatchEvents)
          : BUFFERED_CHUNKS_IN_FLIGHT * maxBatchEvents,
      lagIntervalMs: config.lag_interval_ms ?? SCHEMA.lag_interval_ms.default,
      sessionTimeoutMs: config.session_timeout_ms ?? SCHEMA.session_timeout_ms.default,
      intake: context.intake,
      telemetry: context.telemetry,
      registry: context.registry,
    });
    await source.start();
    return source;
  },
};
