/**
 * The pieces of the Kafka tier tests (tests/integration/kafka-tier.test.ts, scale-tier.test.ts): topics, a collector
 * (syslog TCP → `kafka` sink) in process, an indexer's configuration (`kafka` source → OpenSearch) and /metrics.
 */
import { join } from 'node:path';
import { Admin } from '@platformatic/kafka';
import { IngestService } from '../../app/service/ingest-service.js';
import { parseConfig } from '../../ingest/config/load-config.js';
import { silentLogger } from '../../platform/logging/logger.js';
import { parseMetrics } from './ingest-harness.js';

export async function createTopic(brokers: readonly string[], topic: string, partitions: number): Promise<void> {
  const admin = new Admin({ clientId: 'fortiems-test', bootstrapBrokers: [...brokers] });
  try {
    await admin.createTopics({ topics: [topic], partitions, replicas: 1 });
  } finally {
    await admin.close();
  }
}

export async function deleteTopic(brokers: readonly string[], topic: string): Promise<void> {
  const admin = new Admin({ clientId: 'fortiems-test', bootstrapBrokers: [...brokers] });
  try {
    await admin.deleteTopics({ topics: [topic] });
  } catch {
    // Already gone, or its broker is.
  } finally {
    await admin.close();
  }
}

/**
 * A collector in this process: syslog TCP → the `kafka` sink (disk spool under `<dir>/collector`). `partitionKey`
 * `none` spreads the lines of one EMS over every partition (the default, `sender`, keeps them in one).
 */
export async function startCollector(
  dir: string,
  topic: string,
  brokers: readonly string[],
  partitionKey: 'sender' | 'source' | 'none' = 'sender',
): Promise<IngestService> {
  const dataDir = join(dir, 'collector');
  const config = parseConfig(
    `data_dir: ${JSON.stringify(dataDir)}
sources:
  syslog_tcp: { type: syslog, mode: tcp, address: "127.0.0.1:0" }
pipeline:
  enrich: { geoip: false }
  workers: 1
sinks:
  kafka: { type: kafka, brokers: ${JSON.stringify(brokers)}, topic: ${topic}, partition_key: ${partitionKey}, batch: { timeout_ms: 100 } }
http:
  address: "127.0.0.1:0"
`,
    '<collector>',
  );
  const service = new IngestService({ dataDir, logger: silentLogger(), drainTimeoutMs: 20_000 });
  await service.start(config);
  return service;
}

export interface IndexerSettings {
  dataDir: string;
  brokers: readonly string[];
  topic: string;
  group: string;
  /** One URL, or every node of a cluster (the sink gets `urls`). */
  opensearch: string | readonly string[];
  namespace: string;
  /** The OpenSearch sink's `buffer.max_bytes` (left out: the default). */
  spoolBytes?: number;
  /** The group session: how long a silent member keeps its partitions (default here 6 s: a quick takeover). */
  sessionTimeoutMs?: number;
  /** The OpenSearch sink's buffer type (left out: the default disk spool). */
  bufferType?: 'disk' | 'memory';
  /** The source's `commit_after` (left out: the default). */
  commitAfter?: 'delivered' | 'buffered';
}

/** An indexer's YAML: the `kafka` source (lag measured every second) → one OpenSearch sink. */
export function indexerYaml(settings: IndexerSettings): string {
  const target =
    typeof settings.opensearch === 'string'
      ? `url: ${JSON.stringify(settings.opensearch)}`
      : `urls: ${JSON.stringify(settings.opensearch)}`;
  const bufferSettings = [
    ...(settings.bufferType === undefined ? [] : [`type: ${settings.bufferType}`]),
    ...(settings.spoolBytes === undefined ? [] : [`max_bytes: ${settings.spoolBytes}`]),
  ];
  const buffer = bufferSettings.length === 0 ? '' : `, buffer: { ${bufferSettings.join(', ')} }`;
  const commitAfter = settings.commitAfter === undefined ? '' : `, commit_after: ${settings.commitAfter}`;
  return `data_dir: ${JSON.stringify(settings.dataDir)}
sources:
  kafka: { type: kafka, brokers: ${JSON.stringify(settings.brokers)}, topics: [${settings.topic}], group: ${settings.group}, start: earliest, session_timeout_ms: ${settings.sessionTimeoutMs ?? 6000}, lag_interval_ms: 1000${commitAfter} }
pipeline:
  enrich: { geoip: false }
  workers: 1
sinks:
  opensearch: { type: opensearch, ${target}, namespace: ${settings.namespace}${buffer} }
http:
  address: "127.0.0.1:0"
`;
}

export async function metricsOf(httpUrl: string): Promise<Map<string, number>> {
  return parseMetrics(await (await fetch(`${httpUrl}/metrics`)).text());
}

/** The partitions (`topic:partition`) a member reports `fortiems_kafka_consumer_lag` for: the ones it owns. */
export function lagPartitions(metrics: Map<string, number>): string[] {
  const owned: string[] = [];
  for (const series of metrics.keys()) {
    const match = /^fortiems_kafka_consumer_lag\{.*?partition="(\d+)".*?\}$/.exec(series);
    const topic = /topic="([^"]+)"/.exec(series);
    if (match && topic) owned.push(`${topic[1]}:${match[1]}`);
  }
  return owned.sort();
}
