import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startManagedNode, stopManagedNode } from '../../app/opensearch/managed-node.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import { countDocuments, metricSum, parseMetrics, sendLines, startPipeline, waitForCount } from '../support/ingest-harness.js';
import { emsCorpus } from '../support/parser-corpus.js';

const instanceDir = inject('opensearchInstanceDir');

// Stopping OpenSearch needs the managed node; against OPENSEARCH_URL or testcontainers there is nothing of ours to stop.
describe.skipIf(!instanceDir).each([1, 2])('the pipeline while OpenSearch is down (pipeline.workers: %i)', (workers) => {
  const url = inject('opensearchUrl');
  const client = createOpenSearchClient({ url });
  const namespace = `outage${randomUUID().slice(0, 8)}`;
  const streams = `logs-fortiems.*-${namespace}`;
  let pipeline: Awaited<ReturnType<typeof startPipeline>> | undefined;

  afterAll(async () => {
    await pipeline?.stop();
    await client.indices.deleteDataStream({ name: streams }, { ignore: [404] });
  });

  it('spools while OpenSearch is stopped for 30 s mid-run, then delivers every event exactly once', async () => {
    pipeline = await startPipeline({ opensearchUrl: url, namespace, workers });
    const corpus = (await emsCorpus({ seed: 23, count: 30_000, start: Date.now() - 3_600_000 })).map((entry) => entry.line);
    const tcp = `tcp://127.0.0.1:${pipeline.ports.syslog_tcp}?framing=octet`;

    await sendLines(tcp, corpus.slice(0, 10_000));
    expect(await waitForCount(client, streams, 1, 60_000)).toBeGreaterThan(0);

    const stoppedAt = Date.now();
    await stopManagedNode(instanceDir);
    // Sent while the store is down: the sink's disk spool holds them.
    await sendLines(tcp, corpus.slice(10_000, 20_000));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 30_000 - (Date.now() - stoppedAt))));
    const metricsWhileDown = parseMetrics(await (await fetch(`${pipeline.service.httpUrl}/metrics`)).text());
    expect(metricSum(metricsWhileDown, 'fortiems_buffer_events', { component_id: 'opensearch' })).toBeGreaterThan(0);
    expect(
      metricSum(metricsWhileDown, 'fortiems_component_errors_total', { component_id: 'opensearch', error_type: 'unavailable' }),
    ).toBeGreaterThan(0);
    expect((await fetch(`${pipeline.service.httpUrl}/ready`)).status).toBe(503);

    await startManagedNode({ instanceDir, port: Number(new URL(url).port), heap: '1g' });
    await sendLines(tcp, corpus.slice(20_000));

    expect(await waitForCount(client, streams, corpus.length, 180_000)).toBe(corpus.length);
    // Stored is not yet acknowledged: a request whose answer the stopping node never sent is retried after a backoff
    // (up to 30 s), and answered 409 then. The sink is at rest once its buffer is empty.
    const metricsNow = async () => parseMetrics(await (await fetch(`${pipeline?.service.httpUrl}/metrics`)).text());
    let metrics = await metricsNow();
    for (
      let waited = 0;
      waited < 120_000 && metricSum(metrics, 'fortiems_buffer_events', { component_id: 'opensearch' }) > 0;
      waited += 500
    ) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      metrics = await metricsNow();
    }
    expect(await countDocuments(client, streams)).toBe(corpus.length);
    // Every event sent once; a restart can turn the answer to our own earlier write into a 409 (a per-item 5xx, then
    // "already exists" on the retry), counted as deduplicated: the total is exact, the split may move (ingest/README).
    expect(
      metricSum(metrics, 'fortiems_component_sent_events_total', { component_id: 'opensearch' }) +
        metricSum(metrics, 'fortiems_component_deduplicated_events_total', { component_id: 'opensearch' }),
    ).toBe(corpus.length);
    expect(metricSum(metrics, 'fortiems_buffer_events', { component_id: 'opensearch' })).toBe(0);
    expect(metricSum(metrics, 'fortiems_unaccounted_events')).toBe(0);
  }, 300_000);
});
