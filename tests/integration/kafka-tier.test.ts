/**
 * The Kafka tier end to end, on a real broker and a real OpenSearch: a collector (syslog TCP → `kafka` sink) and an
 * indexer (`kafka` source → parse → OpenSearch). Every event is searchable once, in its category; an indexer killed
 * mid-stream (SIGKILL: nothing committed past what it had made durable) and started again loses nothing and stores
 * nothing twice. Each test has its own topic, group and namespace.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Admin, Consumer, stringDeserializers } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { IngestService } from '../../app/service/ingest-service.js';
import { MemoryBuffer } from '../../ingest/buffers/memory-buffer.js';
import { parseConfig } from '../../ingest/config/load-config.js';
import { createKafkaSink } from '../../ingest/kafka/kafka-sink-component.js';
import { parseLines } from '../../ingest/pipeline/process-stage.js';
import { categoryByName } from '../../mappings/index.js';
import { silentLogger } from '../../platform/logging/logger.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import { METRIC_NAMES } from '../../platform/telemetry/component-telemetry.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
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

/** The lines a topic holds, in partition order (one partition here), read from the start. */
async function topicLines(topic: string, count: number): Promise<string[]> {
  const consumer = new Consumer({
    groupId: `${topic}-reader`,
    clientId: 'fortiems-it',
    bootstrapBrokers: brokers,
    deserializers: stringDeserializers,
  });
  const lines: string[] = [];
  try {
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest' });
    try {
      for await (const message of stream) {
        lines.push(JSON.parse(message.value as string).line as string);
        if (lines.length >= count) break;
      }
    } finally {
      await stream.close();
    }
  } finally {
    await consumer.close();
  }
  return lines;
}

describe('the kafka sink against what a real broker refuses', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fortiems-it-ksink-'));
  const topics: string[] = [];
  afterAll(async () => {
    for (const topic of topics) await deleteTopic(topic);
    rmSync(dir, { recursive: true, force: true });
  });

  async function topicWith(configs: Record<string, string>): Promise<string> {
    const topic = `fortiems-it-ksink-${randomUUID().slice(0, 8)}`;
    topics.push(topic);
    const admin = new Admin({ clientId: 'fortiems-test', bootstrapBrokers: brokers });
    try {
      await admin.createTopics({
        topics: [topic],
        partitions: 1,
        replicas: 1,
        configs: Object.entries(configs).map(([name, value]) => ({ name, value })),
      });
    } finally {
      await admin.close();
    }
    return topic;
  }

  async function sinkOn(topic: string, name: string) {
    const registry = new MetricsRegistry();
    const sink = createKafkaSink(
      'kafka',
      { type: 'kafka', brokers, topic, partition_key: 'none', compression: 'none', batch: { timeout_ms: 50 } },
      { buffer: new MemoryBuffer(50_000_000), registry, dataDir: join(dir, name), logger: silentLogger() },
      { retry: { baseDelayMs: 10, maxDelayMs: 200 } },
    );
    await sink.start();
    const metric = (key: keyof typeof METRIC_NAMES, labels: Record<string, string> = {}) =>
      registry.get(METRIC_NAMES[key])?.total(labels) ?? 0;
    const send = (lines: readonly string[]) =>
      sink.accept(
        parseLines(
          lines.map((line) => ({ line, receivedAt: Date.now(), sourceId: 'tcp', zone: 'UTC' })),
          'default',
        ).events,
      );
    return { sink, metric, send };
  }

  it('dead-letters only the records too large for the topic; the others arrive, in order', async () => {
    // A batch of the small lines is over the limit too: the sink goes record by record and keeps their order.
    const topic = await topicWith({ 'max.message.bytes': '4096' });
    const { sink, metric, send } = await sinkOn(topic, 'large');
    const lines = Array.from({ length: 60 }, (_, i) => (i % 13 === 5 ? `big${i} ${'x'.repeat(6000)}` : `small${i}`));
    await send(lines);
    for (let i = 0; i < 600 && metric('sentEvents') + metric('deadLettered') < lines.length; i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    const small = lines.filter((line) => line.startsWith('small'));
    expect(metric('sentEvents')).toBe(small.length);
    expect(metric('deadLettered')).toBe(lines.length - small.length);
    expect(metric('errors', { stage: 'send', error_type: 'rejected' })).toBe(lines.length - small.length);
    expect(metric('receivedEvents') - metric('sentEvents') - metric('deadLettered') - metric('bufferEvents')).toBe(0);
    await sink.stop(5000);
    expect(await topicLines(topic, small.length)).toEqual(small);
  }, 120_000);

  it('dead-letters with the broker’s reason what it refuses for good (a keyless record on a compacted topic)', async () => {
    const topic = await topicWith({ 'cleanup.policy': 'compact' });
    const { sink, metric, send } = await sinkOn(topic, 'compact');
    await send(['one', 'two', 'three']);
    for (let i = 0; i < 600 && metric('deadLettered') < 3; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(metric('deadLettered')).toBe(3);
    expect(metric('sentEvents')).toBe(0);
    expect(metric('bufferEvents')).toBe(0);
    await sink.stop(5000);
    const letters = readFileSync(join(dir, 'compact', 'dead-letter', 'kafka.ndjson'), 'utf8')
      .trim()
      .split('\n');
    expect(letters.map((row) => (JSON.parse(row) as { error: { type: string } }).error.type)).toEqual([
      'invalid_record',
      'invalid_record',
      'invalid_record',
    ]);
  }, 120_000);
});
