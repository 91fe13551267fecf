/**
 * End-to-end acknowledgements on a real broker and a real OpenSearch (`commit_after: delivered`, the kafka source's
 * default): an indexer whose target is down holds every event it read in its memory buffer and commits none of them;
 * SIGKILLed and never started again, it loses nothing, because another member of the group reads them all again from
 * Kafka and indexes each once. With `commit_after: buffered` the same indexer would have committed them (a memory
 * buffer is refused there for that reason) and they would be gone. Its own topic, group and namespace.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { IngestService } from '../../app/service/ingest-service.js';
import { categoryByName } from '../../mappings/index.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import { countDocuments, countsByDataset, eventIdDuplicates, metricSum, sendLines, waitForCount } from '../support/ingest-harness.js';
import { startIngestProcess } from '../support/ingest-process.js';
import { sharedKafka } from '../support/kafka.js';
import { createTopic, deleteTopic, indexerYaml, metricsOf, startCollector } from '../support/kafka-tier.js';
import { emsCorpus } from '../support/parser-corpus.js';

const brokers = await sharedKafka();
const PARTITIONS = 4;
const EVENTS = 6000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('kafka source, commit_after: delivered', () => {
  const url = inject('opensearchUrl');
  const client = createOpenSearchClient({ url });
  const dir = mkdtempSync(join(tmpdir(), 'fortiems-it-acks-'));
  const tag = randomUUID().slice(0, 8);
  const topic = `fortiems-it-acks-${tag}`;
  const group = `fortiems-it-acks-${tag}`;
  const namespace = `acks${tag}`;
  const streams = `logs-fortiems.*-${namespace}`;
  const services: IngestService[] = [];
  const children: ChildProcess[] = [];

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    for (const service of services) await service.stop().catch(() => undefined);
    await deleteTopic(brokers, topic);
    await client.indices.deleteDataStream({ name: streams }, { ignore: [404] });
    rmSync(dir, { recursive: true, force: true });
  });

  it('an indexer killed with its sink down and events in its memory buffer loses none: another member indexes each once', async () => {
    await createTopic(brokers, topic, PARTITIONS);
    const collector = await startCollector(join(dir, 'collector'), topic, brokers, 'none');
    services.push(collector);
    const corpus = await emsCorpus({ seed: 41, count: EVENTS, start: Date.now() - 86_400_000, hostnames: ['ems01', 'ems02'] });
    await sendLines(
      `tcp://127.0.0.1:${collector.ports().syslog_tcp}?framing=octet`,
      corpus.map((entry) => entry.line),
    );
    const collectorSent = async () =>
      metricSum(await metricsOf(collector.httpUrl as string), 'fortiems_component_sent_events_total', { component_id: 'kafka' });
    for (let i = 0; i < 120 && (await collectorSent()) < EVENTS; i++) await pause(500);
    expect(await collectorSent()).toBe(EVENTS);

    // Indexer A: its OpenSearch is an address nothing listens on, so every event it reads waits in its memory buffer.
    const aFile = join(dir, 'a.yaml');
    writeFileSync(
      aFile,
      indexerYaml({ dataDir: join(dir, 'a'), brokers, topic, group, opensearch: 'http://127.0.0.1:1', namespace, bufferType: 'memory' }),
    );
    const a = await startIngestProcess(aFile);
    children.push(a.child);
    const buffered = async () => {
      const metrics = await metricsOf(a.httpUrl);
      return {
        received: metricSum(metrics, 'fortiems_component_received_events_total', { component_id: 'kafka', component_kind: 'source' }),
        waiting: metricSum(metrics, 'fortiems_buffer_events', { component_id: 'opensearch' }),
        sent: metricSum(metrics, 'fortiems_component_sent_events_total', { component_id: 'opensearch' }),
        lag: metricSum(metrics, 'fortiems_kafka_consumer_lag'),
      };
    };
    let state = await buffered();
    for (let i = 0; i < 240 && (state.waiting < EVENTS || state.lag < EVENTS); i++) {
      await pause(500);
      state = await buffered();
    }
    // Everything read and in the buffer (the old commit point), nothing delivered, so nothing committed: the lag is whole.
    expect(state).toEqual({ received: EVENTS, waiting: EVENTS, sent: 0, lag: EVENTS });
    a.child.kill('SIGKILL');
    await a.exited;

    // Indexer B: the same group, a working sink, a data_dir of its own: A is never started again.
    const bFile = join(dir, 'b.yaml');
    writeFileSync(bFile, indexerYaml({ dataDir: join(dir, 'b'), brokers, topic, group, opensearch: url, namespace, bufferType: 'memory' }));
    const b = await startIngestProcess(bFile);
    children.push(b.child);
    expect(await waitForCount(client, streams, EVENTS, 240_000)).toBe(EVENTS);
    const expected: Record<string, number> = {};
    for (const entry of corpus) {
      const dataset = categoryByName(entry.source.category)?.dataset as string;
      expected[dataset] = (expected[dataset] ?? 0) + 1;
    }
    expect(await countsByDataset(client, streams)).toEqual(expected);
    // Late duplicates would show as a count above the corpus, or as an id stored twice.
    await pause(2000);
    expect(await countDocuments(client, streams)).toBe(EVENTS);
    expect((await eventIdDuplicates(client, streams)).duplicates).toEqual([]);

    // B read every record again (A had committed none) and, at rest, has committed them all and accounted for each.
    let metrics = await metricsOf(b.httpUrl);
    for (let i = 0; i < 30 && metricSum(metrics, 'fortiems_kafka_consumer_lag') !== 0; i++) {
      await pause(1000);
      metrics = await metricsOf(b.httpUrl);
    }
    expect(metricSum(metrics, 'fortiems_component_received_events_total', { component_id: 'kafka', component_kind: 'source' })).toBe(
      EVENTS,
    );
    expect(metricSum(metrics, 'fortiems_component_sent_events_total', { component_id: 'opensearch' })).toBe(EVENTS);
    expect(metricSum(metrics, 'fortiems_kafka_consumer_lag')).toBe(0);
    expect(metricSum(metrics, 'fortiems_unaccounted_events')).toBe(0);
    b.child.kill('SIGTERM');
    await b.exited;
  }, 600_000);
});
