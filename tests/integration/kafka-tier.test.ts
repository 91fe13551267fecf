/**
 * The Kafka tier end to end, on a real broker and a real OpenSearch: a collector (syslog TCP → `kafka` sink) and an
 * indexer (`kafka` source → parse → OpenSearch). Every event is searchable once, in its category; an indexer killed
 * mid-stream (SIGKILL: nothing committed past what it had made durable) and started again loses nothing and stores
 * nothing twice. Each test has its own topic, group and namespace.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { IngestService } from '../../app/service/ingest-service.js';
import { parseConfig } from '../../ingest/config/load-config.js';
import { categoryByName } from '../../mappings/index.js';
import { silentLogger } from '../../platform/logging/logger.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import { countDocuments, countsByDataset, metricSum, sendLines, waitForCount } from '../support/ingest-harness.js';
import { startIngestProcess } from '../support/ingest-process.js';
import { sharedKafka } from '../support/kafka.js';
import {
  createTopic as createTopicOn,
  deleteTopic as deleteTopicOn,
  indexerYaml as indexerYamlOf,
  metricsOf,
  startCollector as startCollectorOn,
} from '../support/kafka-tier.js';
import { type CorpusLine, emsCorpus } from '../support/parser-corpus.js';

const brokers = await sharedKafka();
const PARTITIONS = 4;
const createTopic = (topic: string) => createTopicOn(brokers, topic, PARTITIONS);
const deleteTopic = (topic: string) => deleteTopicOn(brokers, topic);
const startCollector = (dir: string, topic: string, on: readonly string[] = brokers) => startCollectorOn(dir, topic, on);
const indexerYaml = (dataDir: string, topic: string, group: string, url: string, namespace: string) =>
  indexerYamlOf({ dataDir, brokers, topic, group, opensearch: url, namespace });

function expectedByDataset(corpus: readonly CorpusLine[]): Record<string, number> {
  const expected: Record<string, number> = {};
  for (const entry of corpus) {
    const dataset = categoryByName(entry.source.category)?.dataset as string;
    expected[dataset] = (expected[dataset] ?? 0) + 1;
  }
  return expected;
}

describe('collector → Kafka → indexer → OpenSearch', () => {
  const url = inject('opensearchUrl');
  const client = createOpenSearchClient({ url });
  const dir = mkdtempSync(join(tmpdir(), 'fortiems-it-kafka-'));
  const topics: string[] = [];
  const namespaces: string[] = [];
  const services: IngestService[] = [];
  const children: ChildProcess[] = [];

  beforeAll(() => {
    expect(brokers.length).toBeGreaterThan(0);
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    for (const service of services) await service.stop().catch(() => undefined);
    for (const topic of topics) await deleteTopic(topic);
    for (const namespace of namespaces) await client.indices.deleteDataStream({ name: `logs-fortiems.*-${namespace}` }, { ignore: [404] });
    rmSync(dir, { recursive: true, force: true });
  });

  function fresh(): { topic: string; group: string; namespace: string } {
    const tag = randomUUID().slice(0, 8);
    const names = { topic: `fortiems-it-${tag}`, group: `fortiems-it-${tag}`, namespace: `kafka${tag}` };
    topics.push(names.topic);
    namespaces.push(names.namespace);
    return names;
  }

  it('indexes every event once, in its category, and the indexer reports its lag and a reconciled account', async () => {
    const { topic, group, namespace } = fresh();
    const streams = `logs-fortiems.*-${namespace}`;
    await createTopic(topic);
    const collector = await startCollector(join(dir, 'a'), topic);
    services.push(collector);
    const indexerDir = join(dir, 'a', 'indexer');
    const indexer = new IngestService({ dataDir: indexerDir, logger: silentLogger(), drainTimeoutMs: 20_000 });
    services.push(indexer);
    await indexer.start(parseConfig(indexerYaml(indexerDir, topic, group, url, namespace), '<indexer>'));

    const corpus = await emsCorpus({ seed: 17, count: 20_000, start: Date.now() - 86_400_000, hostnames: ['ems01', 'ems02', 'ems03'] });
    await sendLines(
      `tcp://127.0.0.1:${collector.ports().syslog_tcp}?framing=octet`,
      corpus.map((entry) => entry.line),
    );
    expect(await waitForCount(client, streams, corpus.length, 240_000)).toBe(corpus.length);
    expect(await countsByDataset(client, streams)).toEqual(expectedByDataset(corpus));
    // Late duplicates would show as a count above the corpus.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await countDocuments(client, streams)).toBe(corpus.length);

    // At rest: the lag of every partition falls to 0 once the last commits are in, and nothing is unaccounted.
    const httpUrl = indexer.httpUrl as string;
    let metrics = await metricsOf(httpUrl);
    for (let i = 0; i < 30 && metricSum(metrics, 'fortiems_kafka_consumer_lag') !== 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      metrics = await metricsOf(httpUrl);
    }
    const lagSeries = [...metrics.keys()].filter((series) => series.startsWith('fortiems_kafka_consumer_lag{'));
    expect(lagSeries).toHaveLength(PARTITIONS);
    expect(lagSeries.every((series) => series.includes(`topic="${topic}"`))).toBe(true);
    expect(metricSum(metrics, 'fortiems_kafka_consumer_lag')).toBe(0);
    expect(metricSum(metrics, 'fortiems_component_received_events_total', { component_id: 'kafka', component_kind: 'source' })).toBe(
      corpus.length,
    );
    expect(metricSum(metrics, 'fortiems_unaccounted_events')).toBe(0);
    const collectorMetrics = await metricsOf(collector.httpUrl as string);
    expect(metricSum(collectorMetrics, 'fortiems_component_sent_events_total', { component_id: 'kafka' })).toBe(corpus.length);
    expect(metricSum(collectorMetrics, 'fortiems_unaccounted_events')).toBe(0);
  }, 400_000);

  it('loses nothing and stores nothing twice when the indexer is killed mid-stream and started again', async () => {
    const { topic, group, namespace } = fresh();
    const streams = `logs-fortiems.*-${namespace}`;
    await createTopic(topic);
    const collector = await startCollector(join(dir, 'b'), topic);
    services.push(collector);
    const corpus = await emsCorpus({
      seed: 23,
      count: 30_000,
      start: Date.now() - 86_400_000,
      hostnames: ['ems01', 'ems02', 'ems03', 'ems04'],
    });
    // The topic holds everything before the indexer starts: it is killed with most of it still to read.
    await sendLines(
      `tcp://127.0.0.1:${collector.ports().syslog_tcp}?framing=octet`,
      corpus.map((entry) => entry.line),
    );
    const collectorMetrics = async () =>
      metricSum(await metricsOf(collector.httpUrl as string), 'fortiems_component_sent_events_total', { component_id: 'kafka' });
    for (let i = 0; i < 120 && (await collectorMetrics()) < corpus.length; i++) await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await collectorMetrics()).toBe(corpus.length);

    const indexerDir = join(dir, 'b', 'indexer');
    const configFile = join(dir, 'b', 'indexer.yaml');
    writeFileSync(configFile, indexerYaml(indexerDir, topic, group, url, namespace));
    const first = await startIngestProcess(configFile);
    children.push(first.child);
    const midway = await waitForCount(client, streams, 3000, 120_000);
    expect(midway).toBeGreaterThanOrEqual(3000);
    first.child.kill('SIGKILL');
    await first.exited;
    const atKill = await countDocuments(client, streams);
    expect(atKill).toBeLessThan(corpus.length);

    const second = await startIngestProcess(configFile);
    children.push(second.child);
    expect(await waitForCount(client, streams, corpus.length, 240_000)).toBe(corpus.length);
    expect(await countsByDataset(client, streams)).toEqual(expectedByDataset(corpus));
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await countDocuments(client, streams)).toBe(corpus.length);
    // What the killed indexer had not indexed came back: from its spool (read from Kafka, committed, not yet indexed) or
    // from Kafka again (read, not yet durable, so not committed).
    const metrics = await metricsOf(second.httpUrl);
    const reread = metricSum(metrics, 'fortiems_component_received_events_total', { component_id: 'kafka', component_kind: 'source' });
    const recovered = metricSum(metrics, 'fortiems_component_recovered_events_total', { component_id: 'opensearch' });
    console.log(`killed at ${atKill}/${corpus.length} indexed: ${recovered} recovered from the spool, ${reread} read from Kafka again`);
    expect(reread + recovered).toBeGreaterThanOrEqual(corpus.length - atKill);
    expect(metricSum(metrics, 'fortiems_unaccounted_events')).toBe(0);
    second.child.kill('SIGTERM');
    await second.exited;
  }, 600_000);

  it('spools in the collector while Kafka cannot be reached, then delivers every line once it can', async () => {
    const { topic, group, namespace } = fresh();
    const streams = `logs-fortiems.*-${namespace}`;
    await createTopic(topic);
    // A broker address nothing listens on: Kafka is "down" for this collector.
    const down = await startCollector(join(dir, 'c'), topic, ['127.0.0.1:1']);
    const corpus = await emsCorpus({ seed: 29, count: 2000, start: Date.now() - 86_400_000 });
    await sendLines(
      `tcp://127.0.0.1:${down.ports().syslog_tcp}?framing=octet`,
      corpus.map((entry) => entry.line),
    );
    let metrics = await metricsOf(down.httpUrl as string);
    for (let i = 0; i < 60 && metricSum(metrics, 'fortiems_buffer_events', { component_id: 'kafka' }) < corpus.length; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      metrics = await metricsOf(down.httpUrl as string);
    }
    expect(metricSum(metrics, 'fortiems_buffer_events', { component_id: 'kafka' })).toBe(corpus.length);
    expect(metricSum(metrics, 'fortiems_component_sent_events_total', { component_id: 'kafka' })).toBe(0);
    expect(metricSum(metrics, 'fortiems_unaccounted_events')).toBe(0);
    await down.stop();

    // Kafka is back (the same spool, the right address): everything reaches the index, once.
    const collector = await startCollector(join(dir, 'c'), topic);
    services.push(collector);
    const indexerDir = join(dir, 'c', 'indexer');
    const indexer = new IngestService({ dataDir: indexerDir, logger: silentLogger(), drainTimeoutMs: 20_000 });
    services.push(indexer);
    await indexer.start(parseConfig(indexerYaml(indexerDir, topic, group, url, namespace), '<indexer>'));
    expect(await waitForCount(client, streams, corpus.length, 120_000)).toBe(corpus.length);
    expect(await countsByDataset(client, streams)).toEqual(expectedByDataset(corpus));
    const after = await metricsOf(collector.httpUrl as string);
    expect(metricSum(after, 'fortiems_component_recovered_events_total', { component_id: 'kafka' })).toBe(corpus.length);
  }, 300_000);
});
