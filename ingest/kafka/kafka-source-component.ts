/** The `kafka` source as a component: a consumer-group member reading a collector's lines (the indexer side of the Kafka tier). */
import { type ComponentProblem, type ListenerSourceFactory, schemaDefaults } from '../components/contract.js';
import type { KafkaSourceConfig } from '../config/types.js';
import { DEFAULT_TOPIC, KAFKA_SOURCE_SCHEMA } from './kafka-schema.js';
import { KafkaSource } from './kafka-source.js';

const SCHEMA = KAFKA_SOURCE_SCHEMA.properties;

function check(config: KafkaSourceConfig, path: readonly (string | number)[]): ComponentProblem[] {
  const problems: ComponentProblem[] = [];
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
  check: (config, context) => check(config, context.path),
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
