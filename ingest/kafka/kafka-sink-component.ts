/** The `kafka` sink as a component: each received line, unparsed, to a Kafka topic (the collector side of the Kafka tier). */
import { join } from 'node:path';
import { ComponentTelemetry } from '../../platform/telemetry/component-telemetry.js';
import { type ComponentProblem, type SinkFactory, schemaDefaults } from '../components/contract.js';
import type { KafkaSinkConfig } from '../config/types.js';
import { BufferedSink } from '../sinks/sink-helper.js';
import { createKafkaDriver } from './kafka-driver.js';
import { kafkaEncoderRecipe, kafkaSinkEncoder } from './kafka-encoder.js';
import { DEFAULT_TOPIC, KAFKA_SINK_SCHEMA, zstdAvailable } from './kafka-schema.js';

const SCHEMA = KAFKA_SINK_SCHEMA.properties;

function check(config: KafkaSinkConfig, path: readonly (string | number)[]): ComponentProblem[] {
  const problems: ComponentProblem[] = [];
  if (config.compression === 'zstd' && !zstdAvailable)
    problems.push({
      path: [...path, 'compression'],
      message: `zstd needs Node.js 22.15 or later (this is ${process.version})`,
      fix: 'use lz4, snappy or gzip',
    });
  const seen = new Set<string>();
  config.brokers.forEach((broker, index) => {
    if (seen.has(broker))
      problems.push({ path: [...path, 'brokers', index], message: `${broker} is listed twice`, fix: 'list each broker once' });
    seen.add(broker);
  });
  return problems;
}

export const kafkaSinkFactory: SinkFactory<KafkaSinkConfig> = {
  type: 'kafka',
  schema: KAFKA_SINK_SCHEMA,
  defaults: schemaDefaults(KAFKA_SINK_SCHEMA),
  check: (config, context) => check(config, context.path),
  create: (id, config, { buffer, registry, dataDir, logger }) => {
    const encoder = kafkaSinkEncoder(id, config);
    return new BufferedSink({
      id,
      buffer,
      encode: encoder.encode,
      encoderRecipe: kafkaEncoderRecipe(id, config),
      driver: createKafkaDriver({
        brokers: config.brokers,
        topic: config.topic ?? DEFAULT_TOPIC,
        compression: config.compression ?? SCHEMA.compression.default,
        clientId: config.client_id ?? SCHEMA.client_id.default,
        timeoutMs: config.timeout_ms ?? SCHEMA.timeout_ms.default,
        deadLetterFile: join(dataDir, 'dead-letter', `${id}.ndjson`),
      }),
      telemetry: new ComponentTelemetry(registry, { id, kind: 'sink', type: 'kafka' }),
      batch: {
        maxEvents: config.batch?.max_events ?? SCHEMA.batch.properties.max_events.default,
        maxBytes: config.batch?.max_bytes ?? SCHEMA.batch.properties.max_bytes.default,
        timeoutMs: config.batch?.timeout_ms ?? SCHEMA.batch.properties.timeout_ms.default,
      },
      concurrency: config.concurrency ?? SCHEMA.concurrency.default,
      logger,
    });
  },
};
