/** The `kafka` sink as a component: each received line, unparsed, to a Kafka topic (the collector side of the Kafka tier). */
import { join } from 'node:path';
import { ComponentTelemetry } from '../../platform/telemetry/component-telemetry.js';
import { type ComponentProblem, type SinkContext, type SinkFactory, schemaDefaults } from '../components/contract.js';
import type { KafkaSinkConfig } from '../config/types.js';
import type { RetryPolicy } from '../sinks/retry-policy.js';
import { BufferedSink } from '../sinks/sink-helper.js';
import { createKafkaDriver, type KafkaDriverOptions, type KafkaProducer, PRODUCER_STATE_CLASS } from './kafka-driver.js';
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
  create: (id, config, context) => createKafkaSink(id, config, context),
};

/** Where sink `id` appends what the broker refused (`fortiems dead-letter list|replay --sink ID` reads it). */
export const kafkaDeadLetterFile = (dataDir: string, id: string): string => join(dataDir, 'dead-letter', `${id}.ndjson`);

/** The driver's settings for sink `id` as configured: the sink's and its dead letters' replay (`fortiems dead-letter`). */
export function kafkaDriverOptions(id: string, config: KafkaSinkConfig, dataDir: string): KafkaDriverOptions {
  return {
    brokers: config.brokers,
    topic: config.topic ?? DEFAULT_TOPIC,
    compression: config.compression ?? SCHEMA.compression.default,
    clientId: config.client_id ?? SCHEMA.client_id.default,
    timeoutMs: config.timeout_ms ?? SCHEMA.timeout_ms.default,
    deadLetterFile: kafkaDeadLetterFile(dataDir, id),
    sinkId: id,
  };
}

/** The sink; fault-injection tests hand in a producer of their own and shorter retry delays. */
export function createKafkaSink(
  id: string,
  config: KafkaSinkConfig,
  { buffer, registry, dataDir, logger }: Pick<SinkContext, 'buffer' | 'registry' | 'dataDir' | 'logger'>,
  overrides: { createProducer?: () => KafkaProducer; retry?: Partial<RetryPolicy> } = {},
): BufferedSink {
  const { createProducer, retry } = overrides;
  const encoder = kafkaSinkEncoder(id, config);
  const telemetry = new ComponentTelemetry(registry, { id, kind: 'sink', type: 'kafka' });
  return new BufferedSink({
    id,
    buffer,
    encode: encoder.encode,
    encoderRecipe: kafkaEncoderRecipe(id, config),
    driver: createKafkaDriver({
      ...kafkaDriverOptions(id, config, dataDir),
      ...(createProducer ? { createProducer } : {}),
      onProducerReset: (reason) => {
        telemetry.error('producer_reset', reason);
        logger.warn({ sink: id, reason }, 'kafka producer replaced by a new idempotent session');
      },
    }),
    telemetry,
    // A new producer session is no reason to give up on the records: retried like a broker that is down.
    retry: { ...retry, maxFailures: { ...retry?.maxFailures, [PRODUCER_STATE_CLASS]: Number.POSITIVE_INFINITY } },
    batch: {
      maxEvents: config.batch?.max_events ?? SCHEMA.batch.properties.max_events.default,
      maxBytes: config.batch?.max_bytes ?? SCHEMA.batch.properties.max_bytes.default,
      timeoutMs: config.batch?.timeout_ms ?? SCHEMA.batch.properties.timeout_ms.default,
    },
    concurrency: config.concurrency ?? SCHEMA.concurrency.default,
    logger,
  });
}
