/**
 * Issue 17's acceptance for the scaled deployment, on the real engines: a collector (syslog TCP → `kafka` sink, in this
 * process), the run's shared Kafka broker, two indexers (`fortiems ingest` processes, one consumer group, `urls` naming
 * every node) and a 3-node OpenSearch cluster started here in its own folder. Each test has its own topic (6 partitions),
 * group and namespace; the Kafka outage runs on a broker of its own, so the shared one is never disturbed.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startManagedBroker, stopManagedBroker } from '../../app/kafka/managed-broker.js';
import { waitUntil } from '../../app/managed/process.js';
import { type ClusterState, startManagedCluster, stopManagedCluster } from '../../app/opensearch/managed-cluster.js';
import type { IngestService } from '../../app/service/ingest-service.js';
import { categoryByName } from '../../mappings/index.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import { emsLines } from '../bench/bench-support.js';
import { countDocuments, countsByDataset, eventIdDuplicates, metricSum, sendLines, waitForCount } from '../support/ingest-harness.js';
import { type IngestProcess, startIngestProcess } from '../support/ingest-process.js';
import { sharedKafka } from '../support/kafka.js';
import { createTopic, deleteTopic, indexerYaml, lagPartitions, metricsOf, startCollector } from '../support/kafka-tier.js';

const brokers = await sharedKafka();
const PARTITIONS = 6;
/** The figure. */
const EVENTS = 200_000;
/** The indexers' buffer, as in examples/indexer.yaml: memory (Kafka is the buffer), kept small. */
const INDEXER_BUFFER_BYTES = 16 * 1024 * 1024;
/**
 * Three OpenSearch JVMs, a broker and three pipelines on two cores starve heartbeats: with a 6 s session the group
 * rebalanced over and over mid-stream (each time re-reading what was not committed). 20 s is still a quick takeover.
 */
const SESSION_TIMEOUT_MS = 20_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);

/** Expected documents per data_stream.dataset, from each line's syslog tag (the EMS category, reference §2). */
function expectedByDataset(lines: readonly string[]): Record<string, number> {
  const expected: Record<string, number> = {};
  for (const line of lines) {
    const tag = /^<\d+>\w{3} [ \d]\d \d\d:\d\d:\d\d \S+ ([\w-]+):/.exec(line)?.[1] as string;
    const dataset = categoryByName(tag)?.dataset ?? `unknown tag ${tag}`;
    expected[dataset] = (expected[dataset] ?? 0) + 1;
  }
  return expected;
}

describe('the scaled tier: collector → Kafka → two indexers → a 3-node OpenSearch cluster', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fortiems-it-scale-'));
  // Folders of their own: the engines run as their service users, who cannot enter a folder private to us.
  const clusterDir = mkdtempSync(join(tmpdir(), 'fortiems-it-scale-cluster-'));
  const ownBrokerDir = mkdtempSync(join(tmpdir(), 'fortiems-it-scale-kafka-'));
  let cluster: ClusterState;
  let client: ReturnType<typeof createOpenSearchClient>;
  const topics: { brokers: string[]; topic: string }[] = [];
  const services: IngestService[] = [];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    const began = Date.now();
    cluster = (await startManagedCluster({ nodes: 3, instanceDir: clusterDir, port: 0, heap: '512m' })).state;
    client = createOpenSearchClient({ url: cluster.urls[0] as string, urls: cluster.urls });
    process.stderr.write(`3-node cluster up in ${seconds(began)} s: ${cluster.urls.join(', ')}\n`);
  }, 300_000);

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    for (const service of services) await service.stop().catch(() => undefined);
    for (const { brokers: on, topic } of topics) await deleteTopic(on, topic);
    await stopManagedBroker(ownBrokerDir, 10_000).catch(() => undefined);
    await client?.close();
    await stopManagedCluster(clusterDir, 10_000);
    for (const folder of [dir, clusterDir, ownBrokerDir]) rmSync(folder, { recursive: true, force: true });
  }, 120_000);

  /** A topic of 6 partitions, a group and a namespace of its own, and a folder for its processes. */
  async function fresh(name: string, on: string[] = brokers) {
    const tag = randomUUID().slice(0, 8);
    const topic = `fortiems-scale-${tag}`;
    await createTopic(on, topic, PARTITIONS);
    topics.push({ brokers: on, topic });
    const folder = join(dir, name);
    mkdirSync(folder);
    return { topic, group: topic, namespace: `scale${tag}`, streams: `logs-fortiems.*-scale${tag}`, folder };
  }

  async function startCollectorIn(folder: string, topic: string, on: string[] = brokers): Promise<IngestService> {
    // The simulated lines all come from one EMS (one serial): keyed by sender they would fill one partition, where a
    // fleet of EMS servers spreads over all of them. Unkeyed, they go round the partitions.
    const collector = await startCollector(folder, topic, on, 'none');
    services.push(collector);
    return collector;
  }

  /** An indexer process; its config file stays, so it can be started again on the same data folder. */
  async function startIndexer(
    folder: string,
    name: string,
    names: { topic: string; group: string; namespace: string },
    on: string[] = brokers,
  ): Promise<{ process: IngestProcess; configFile: string }> {
    const configFile = join(folder, `${name}.yaml`);
    writeFileSync(
      configFile,
      indexerYaml({
        dataDir: join(folder, name),
        brokers: on,
        ...names,
        opensearch: cluster.urls,
        bufferType: 'memory',
        spoolBytes: INDEXER_BUFFER_BYTES,
        sessionTimeoutMs: SESSION_TIMEOUT_MS,
      }),
    );
    const indexer = await startIngestProcess(configFile);
    children.push(indexer.child);
    return { process: indexer, configFile };
  }

  /** Waits until the members' lag series together name every partition of the topic, each member owning some. */
  async function waitForAssignment(httpUrls: readonly string[], timeoutMs = 60_000): Promise<string[][]> {
    let owned: string[][] = [];
    await waitUntil(
      async () => {
        owned = await Promise.all(httpUrls.map(async (url) => lagPartitions(await metricsOf(url))));
        return owned.every((partitions) => partitions.length > 0) && new Set(owned.flat()).size === PARTITIONS;
      },
      timeoutMs,
      500,
    );
    return owned;
  }

  /**
   * Waits until a member is at rest (its lag is 0: its last commits are in; its buffer is empty; every event accounted
   * for), at most 300 s (a survivor re-reads and indexes all its dead peer left undelivered: minutes on a loaded
   * machine), then returns its metrics for the caller to check.
   */
  async function atRest(httpUrl: string): Promise<Map<string, number>> {
    let metrics = await metricsOf(httpUrl);
    await waitUntil(
      async () => {
        metrics = await metricsOf(httpUrl);
        return (
          lagPartitions(metrics).length > 0 &&
          metricSum(metrics, 'fortiems_kafka_consumer_lag') === 0 &&
          metricSum(metrics, 'fortiems_buffer_events', { component_id: 'opensearch' }) === 0 &&
          metricSum(metrics, 'fortiems_unaccounted_events') === 0
        );
      },
      300_000,
      1000,
    );
    return metrics;
  }

  async function expectOnceEach(streams: string, lines: readonly string[]): Promise<void> {
    expect(await countsByDataset(client, streams)).toEqual(expectedByDataset(lines));
    // Late duplicates would show as a count above what was sent.
    await sleep(2000);
    expect(await countDocuments(client, streams)).toBe(lines.length);
    const ids = await eventIdDuplicates(client, streams);
    expect(ids.duplicates).toEqual([]);
  }

  it(`indexes ${EVENTS.toLocaleString('en')} events through two indexers in one group: each once, in its category, lag per partition, every account reconciled`, async () => {
    const names = await fresh('flow');
    const lines = await emsLines(EVENTS, 17);
    const collector = await startCollectorIn(names.folder, names.topic);
    const indexers = await Promise.all(['indexer-1', 'indexer-2'].map((name) => startIndexer(names.folder, name, names)));
    const urls = indexers.map((indexer) => indexer.process.httpUrl);
    // The group settles before the stream starts, so no rebalance re-reads anything in this test.
    const owned = await waitForAssignment(urls);
    expect(owned.map((partitions) => partitions.length).reduce((a, b) => a + b)).toBe(PARTITIONS);

    const began = Date.now();
    await sendLines(`tcp://127.0.0.1:${collector.ports().syslog_tcp}?framing=octet`, lines);
    const sentIn = seconds(began);
    expect(await waitForCount(client, names.streams, lines.length, 600_000)).toBe(lines.length);
    process.stderr.write(`${lines.length} events sent in ${sentIn} s, all searchable in the cluster after ${seconds(began)} s\n`);
    await expectOnceEach(names.streams, lines);

    const received: number[] = [];
    for (const url of urls) {
      const metrics = await atRest(url);
      // Each member reports the lag of the partitions it owns, and only those.
      expect(lagPartitions(metrics).length).toBeGreaterThan(0);
      expect(lagPartitions(metrics).every((partition) => partition.startsWith(`${names.topic}:`))).toBe(true);
      expect(metricSum(metrics, 'fortiems_kafka_consumer_lag')).toBe(0);
      expect(metricSum(metrics, 'fortiems_unaccounted_events')).toBe(0);
      expect(metricSum(metrics, 'fortiems_buffer_events', { component_id: 'opensearch' })).toBe(0);
      const read = metricSum(metrics, 'fortiems_component_received_events_total', { component_id: 'kafka', component_kind: 'source' });
      // Both did their share of the work.
      expect(read).toBeGreaterThan(0);
      received.push(read);
    }
    expect(new Set((await Promise.all(urls.map(async (url) => lagPartitions(await metricsOf(url))))).flat()).size).toBe(PARTITIONS);
    // Read at least once; more after a rebalance (what was read and not yet committed is read again by the new owner).
    const read = received.reduce((a, b) => a + b);
    expect(read).toBeGreaterThanOrEqual(lines.length);
    process.stderr.write(`records read by the indexers: ${received.join(' + ')} (${read - lines.length} read twice)\n`);
    const collectorMetrics = await metricsOf(collector.httpUrl as string);
    expect(metricSum(collectorMetrics, 'fortiems_component_sent_events_total', { component_id: 'kafka' })).toBe(lines.length);
    expect(metricSum(collectorMetrics, 'fortiems_unaccounted_events')).toBe(0);
    for (const indexer of indexers) indexer.process.child.kill('SIGTERM');
    await Promise.all(indexers.map((indexer) => indexer.process.exited));
  }, 900_000);

  it('loses and duplicates nothing when one of two indexers is SIGKILLed mid-stream: the other takes all six partitions', async () => {
    const names = await fresh('kill');
    const lines = await emsLines(60_000, 23);
    // The topic holds everything before the indexers start: the kill meets a backlog, most of it not yet committed.
    const collector = await startCollectorIn(names.folder, names.topic);
    await sendLines(`tcp://127.0.0.1:${collector.ports().syslog_tcp}?framing=octet`, lines);
    const produced = async () =>
      metricSum(await metricsOf(collector.httpUrl as string), 'fortiems_component_sent_events_total', { component_id: 'kafka' });
    await waitUntil(async () => (await produced()) >= lines.length, 120_000, 500);
    expect(await produced()).toBe(lines.length);

    const [victim, survivor] = await Promise.all(['victim', 'survivor'].map((name) => startIndexer(names.folder, name, names)));
    if (!victim || !survivor) throw new Error('two indexers');
    await waitForAssignment([victim.process.httpUrl, survivor.process.httpUrl]);

    // Killed between 20% and 60% indexed. Its lag gauge (measured every second) read 8,000 there in one run and 0 in
    // another, so it is printed, not asserted; what the kill left uncommitted shows as records read twice.
    await waitForCount(client, names.streams, lines.length * 0.2, 300_000);
    const beforeKill = await metricsOf(victim.process.httpUrl);
    victim.process.child.kill('SIGKILL');
    await victim.process.exited;
    const atKill = await countDocuments(client, names.streams);
    const victimLag = metricSum(beforeKill, 'fortiems_kafka_consumer_lag');
    const victimRead = metricSum(beforeKill, 'fortiems_component_received_events_total', {
      component_id: 'kafka',
      component_kind: 'source',
    });
    expect(atKill).toBeLessThan(lines.length * 0.6);

    // The survivor takes the dead member's partitions once its session expires, and reads them from their last commit.
    const [owned] = await waitForAssignment([survivor.process.httpUrl], 60_000);
    expect(owned).toHaveLength(PARTITIONS);
    const survivorMetrics = await atRest(survivor.process.httpUrl);
    expect(metricSum(survivorMetrics, 'fortiems_kafka_consumer_lag')).toBe(0);
    expect(metricSum(survivorMetrics, 'fortiems_buffer_events', { component_id: 'opensearch' })).toBe(0);
    expect(metricSum(survivorMetrics, 'fortiems_unaccounted_events')).toBe(0);
    // commit_after: delivered (the default): what the victim read and had not delivered was never committed, so the
    // survivor alone re-reads it from Kafka. Nothing waits for the victim to come back.
    expect(await waitForCount(client, names.streams, lines.length, 300_000)).toBe(lines.length);
    await expectOnceEach(names.streams, lines);
    const survivorAtEnd = await atRest(survivor.process.httpUrl);
    expect(metricSum(survivorAtEnd, 'fortiems_unaccounted_events')).toBe(0);
    expect(metricSum(survivorAtEnd, 'fortiems_kafka_consumer_lag')).toBe(0);

    const survivorRead = metricSum(survivorAtEnd, 'fortiems_component_received_events_total', {
      component_id: 'kafka',
      component_kind: 'source',
    });
    // The victim's count is its last scrape before the kill: what it read after that is missing, so this is a floor.
    const reread = victimRead + survivorRead - lines.length;
    process.stderr.write(
      `victim killed at ${atKill}/${lines.length} indexed (lag ${victimLag}, ${victimRead} read by it); the survivor alone ` +
        `brought the index to ${lines.length}; records read from Kafka twice: ≥ ${reread}\n`,
    );
    expect(reread).toBeGreaterThanOrEqual(0);
    survivor.process.child.kill('SIGTERM');
    await survivor.process.exited;
  }, 900_000);

  it('spools in the collector while Kafka is stopped for 30 s, then delivers every line', async () => {
    const { state } = await startManagedBroker({ instanceDir: ownBrokerDir, port: 0 });
    const own = [state.bootstrap];
    const names = await fresh('outage', own);
    const lines = await emsLines(40_000, 29);
    const collector = await startCollectorIn(names.folder, names.topic, own);
    const indexer = await startIndexer(names.folder, 'indexer', names, own);
    const tcp = `tcp://127.0.0.1:${collector.ports().syslog_tcp}?framing=octet`;
    const collectorMetric = async (name: string) =>
      metricSum(await metricsOf(collector.httpUrl as string), name, { component_id: 'kafka' });

    await sendLines(tcp, lines.slice(0, 10_000));
    expect(await waitForCount(client, names.streams, 10_000, 120_000)).toBe(10_000);

    await stopManagedBroker(ownBrokerDir, 30_000);
    const stoppedAt = Date.now();
    // 30 s of traffic into a collector whose Kafka is down: 1,000 lines a second.
    for (let second = 0; second < 30; second++) {
      await sendLines(tcp, lines.slice(10_000 + second * 1000, 11_000 + second * 1000));
      await sleep(Math.max(0, stoppedAt + (second + 1) * 1000 - Date.now()));
    }
    await waitUntil(async () => (await collectorMetric('fortiems_buffer_events')) >= 30_000, 60_000, 500);
    expect(await collectorMetric('fortiems_buffer_events')).toBe(30_000);
    expect(await collectorMetric('fortiems_component_sent_events_total')).toBe(10_000);
    expect(metricSum(await metricsOf(collector.httpUrl as string), 'fortiems_unaccounted_events')).toBe(0);

    await startManagedBroker({ instanceDir: ownBrokerDir, port: state.port });
    const restartedAt = Date.now();
    expect(await waitForCount(client, names.streams, lines.length, 300_000)).toBe(lines.length);
    process.stderr.write(
      `Kafka down ${((restartedAt - stoppedAt) / 1000).toFixed(1)} s with 30,000 lines spooled; all ${lines.length} searchable ${seconds(restartedAt)} s after it came back\n`,
    );
    await expectOnceEach(names.streams, lines);
    expect(await collectorMetric('fortiems_buffer_events')).toBe(0);
    expect(metricSum(await metricsOf(collector.httpUrl as string), 'fortiems_unaccounted_events')).toBe(0);
    expect(metricSum(await atRest(indexer.process.httpUrl), 'fortiems_unaccounted_events')).toBe(0);
    indexer.process.child.kill('SIGTERM');
    await indexer.process.exited;
  }, 600_000);
});
