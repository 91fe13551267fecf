import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@opensearch-project/opensearch';
import { IngestService } from '../../app/service/ingest-service.js';
import { parseConfig } from '../../ingest/config/load-config.js';
import { silentLogger } from '../../platform/logging/logger.js';

export { sendLines } from './send-lines.js';

export interface HarnessOptions {
  opensearchUrl: string;
  /** Every node of a cluster: the sink gets `urls` (and `opensearchUrl` is not used). */
  opensearchUrls?: string[];
  namespace: string;
  /** Extra YAML under `sinks.opensearch` (indented by the caller is not needed: one flow mapping). */
  sinkExtra?: string;
  dataDir?: string;
  /** `pipeline.workers` (left out: the default, `auto`). */
  workers?: number;
}

/** An in-process pipeline on free ports: TCP, TLS and UDP syslog, HTTP, one OpenSearch sink with a disk spool. */
export async function startPipeline(options: HarnessOptions) {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'fortiems-it-ingest-'));
  const config = parseConfig(
    `data_dir: ${JSON.stringify(dataDir)}
sources:
  syslog_tcp: { type: syslog, mode: tcp, address: "127.0.0.1:0" }
  syslog_tls: { type: syslog, mode: tls, address: "127.0.0.1:0" }
  syslog_udp: { type: syslog, mode: udp, address: "127.0.0.1:0" }
  http: { type: http }
pipeline:
  enrich: { geoip: false }${options.workers === undefined ? '' : `\n  workers: ${options.workers}`}
sinks:
  opensearch: { type: opensearch, ${options.opensearchUrls ? `urls: ${JSON.stringify(options.opensearchUrls)}` : `url: ${JSON.stringify(options.opensearchUrl)}`}, namespace: ${options.namespace}${options.sinkExtra ? `, ${options.sinkExtra}` : ''} }
http:
  address: "127.0.0.1:0"
`,
    '<test>',
  );
  const service = new IngestService({ dataDir, logger: silentLogger(), drainTimeoutMs: 20_000 });
  await service.start(config);
  return {
    service,
    dataDir,
    ports: service.ports(),
    async stop(removeData = true) {
      await service.stop();
      if (removeData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Document count of an index pattern, after a refresh. */
export async function countDocuments(client: Client, index: string, query?: Record<string, unknown>): Promise<number> {
  await client.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
  const response = await client.count({ index, ignore_unavailable: true, allow_no_indices: true, ...(query ? { body: { query } } : {}) });
  return response.body.count;
}

export async function waitForCount(client: Client, index: string, expected: number, timeoutMs: number): Promise<number> {
  const end = Date.now() + timeoutMs;
  let count = 0;
  while (Date.now() < end) {
    count = await countDocuments(client, index).catch(() => -1);
    if (count >= expected) return count;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return count;
}

/** Documents per data_stream.dataset. */
export async function countsByDataset(client: Client, index: string): Promise<Record<string, number>> {
  await client.indices.refresh({ index });
  const body: Record<string, unknown> = { size: 0, aggs: { datasets: { terms: { field: 'data_stream.dataset', size: 50 } } } };
  const response = await client.search({ index, body });
  const buckets = (response.body.aggregations as { datasets: { buckets: { key: string; doc_count: number }[] } }).datasets.buckets;
  return Object.fromEntries(buckets.map((bucket) => [bucket.key, bucket.doc_count]));
}

/**
 * `event.id`s stored more than once (at most 10), and the approximate number of distinct ids (HyperLogLog: a
 * cross-check only). A duplicate always lands in the same single-shard backing index (one id, one dataset), so the
 * terms aggregation is exact: empty, with the count equal to what was sent, proves every event is there once.
 */
export async function eventIdDuplicates(client: Client, index: string): Promise<{ duplicates: unknown[]; distinct: number }> {
  await client.indices.refresh({ index });
  const body: Record<string, unknown> = {
    size: 0,
    aggs: {
      distinct: { cardinality: { field: 'event.id', precision_threshold: 40_000 } },
      twice: { terms: { field: 'event.id', min_doc_count: 2, size: 10 } },
    },
  };
  const response = await client.search({ index, body });
  const aggs = response.body.aggregations as { distinct: { value: number }; twice: { buckets: unknown[] } };
  return { duplicates: aggs.twice.buckets, distinct: aggs.distinct.value };
}

/** Parses Prometheus text into `name{labels}` → value. */
export function parseMetrics(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return values;
}

/** Sum of a metric over the series whose labels include every `name="value"` given. */
export function metricSum(values: Map<string, number>, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const [series, value] of values) {
    if (!(series === name || series.startsWith(`${name}{`))) continue;
    if (Object.entries(labels).every(([label, wanted]) => series.includes(`${label}="${wanted}"`))) sum += value;
  }
  return sum;
}
