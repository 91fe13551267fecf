/** The `kafka` source as a component: a consumer-group member reading a collector's lines (the indexer side of the Kafka tier). */
import { type ComponentProblem, type ListenerSourceFactory, schemaDefaults } from '../components/contract.js';
import type { FortiemsConfig, KafkaSourceConfig } from '../config/types.js';
import { DEFAULT_TOPIC, KAFKA_SOURCE_SCHEMA } from './kafka-schema.js';
import { KafkaSource } from './kafka-source.js';

const SCHEMA = KAFKA_SOURCE_SCHEMA.properties;

function check(config: KafkaSourceConfig, path: readonly (string | number)[], whole: FortiemsConfig): ComponentProblem[] {
  const problems: ComponentProblem[] = [];
  // An offset is committed once the events are in every sink's buffer: a memory buffer would make that a promise a
  // crash breaks (committed, then lost with the process).
  for (const [id, sink] of Object.entries(whole.sinks ?? {})) {
    const buffer = (sink as { buffer?: { type?: string; when_full?: string } }).buffer;
    if (buffer?.type === 'memory')
      problems.push({
        path: ['sinks', id, 'buffer', 'type'],
        message: `a kafka source commits offsets once events are in every sink's buffer, and sink ${id}'s memory buffer loses them in a crash`,
        fix: 'use buffer type disk (the default) for every sink of an indexer',
      });
    // A full buffer that drops would let the source commit offsets past events it never stored: Kafka still held them.
    if (buffer?.when_full === 'drop_newest')
      problems.push({
        path: ['sinks', id, 'buffer', 'when_full'],
        message: `a kafka source commits offsets once events are in every sink's buffer, and sink ${id} drops what a full buffer cannot take`,
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
    const source = new KafkaSource({
      id,
      brokers: config.brokers,
      topics: config.topics ?? [DEFAULT_TOPIC],
      group: config.group ?? SCHEMA.group.default,
      start: config.start ?? SCHEMA.start.default,
      clientId: config.client_id ?? SCHEMA.client_id.default,
      zone: config.timezone ?? context.pipelineZone,
      maxBatchEvents: config.max_batch_events ?? SCHEMA.max_batch_events.default,
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
