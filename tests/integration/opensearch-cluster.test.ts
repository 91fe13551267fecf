import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signalTree, waitUntil } from '../../app/managed/process.js';
import { type ClusterState, startManagedCluster, stopManagedCluster } from '../../app/opensearch/managed-cluster.js';
import { isOpenSearchAlive } from '../../app/opensearch/process.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import {
  countDocuments,
  eventIdDuplicates,
  metricSum,
  parseMetrics,
  sendLines,
  startPipeline,
  waitForCount,
} from '../support/ingest-harness.js';
import { emsCorpus } from '../support/parser-corpus.js';

const cli = new URL('../../bin/fortiems.js', import.meta.url).pathname;
const fortiems = (...args: string[]) => promisify(execFile)(process.execPath, [cli, ...args], { encoding: 'utf8' });

/**
 * Issue 17's acceptance for the OpenSearch tier: a real 3-node cluster, started by the code behind
 * `fortiems opensearch start --nodes 3` in its own folder (never the shared node), loses its elected cluster manager to
 * SIGKILL while a pipeline indexes into it through all three URLs.
 */
describe('a pipeline writing to a 3-node OpenSearch cluster', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fortiems-it-cluster-'));
  const namespace = `cluster${randomUUID().slice(0, 8)}`;
  const streams = `logs-fortiems.*-${namespace}`;
  let cluster: ClusterState;
  let pipeline: Awaited<ReturnType<typeof startPipeline>> | undefined;

  beforeAll(async () => {
    const began = Date.now();
    cluster = (await startManagedCluster({ nodes: 3, instanceDir: dir, port: 0, heap: '512m' })).state;
    process.stderr.write(`3-node cluster up in ${((Date.now() - began) / 1000).toFixed(1)} s: ${cluster.urls.join(', ')}\n`);
  }, 300_000);

  afterAll(async () => {
    await pipeline?.stop();
    await stopManagedCluster(dir, 10_000);
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('keeps indexing when one node is killed mid-stream: every event searchable exactly once, nothing unaccounted', async () => {
    const client = createOpenSearchClient({ url: cluster.urls[0] as string, urls: cluster.urls });
    pipeline = await startPipeline({ opensearchUrl: cluster.urls[0] as string, opensearchUrls: cluster.urls, namespace });
    const corpus = (await emsCorpus({ seed: 17, count: 30_000, start: Date.now() - 3_600_000 })).map((entry) => entry.line);
    const tcp = `tcp://127.0.0.1:${pipeline.ports.syslog_tcp}?framing=octet`;

    await sendLines(tcp, corpus.slice(0, 10_000));
    expect(await waitForCount(client, streams, 10_000, 120_000)).toBe(10_000);

    // `fortiems@settings` says auto_expand_replicas 0-1: with more than one data node every backing index has a replica,
    // which is what lets the cluster lose a node without losing a shard.
    const settings = await client.indices.getSettings({ index: streams, name: 'index.number_of_replicas' });
    const replicas = Object.values(settings.body as Record<string, { settings: { index: { number_of_replicas: string } } }>);
    expect(replicas.length).toBeGreaterThan(0);
    for (const index of replicas) expect(index.settings.index.number_of_replicas).toBe('1');

    // The elected cluster manager is the hardest node to lose: an election follows, and it holds primaries too.
    const managers = (await client.cat.clusterManager({ format: 'json' })).body as { node: string }[];
    const victimIndex = Number(managers[0]?.node.replace('fortiems-', '')) - 1;
    const victim = cluster.nodes[victimIndex];
    expect(victim).toBeDefined();

    // Killed while the pipeline is still delivering the next 6,000, as soon as the first of them lands; the last 14,000
    // are sent after the kill, so the rest of the stream meets a cluster of two whatever the machine's speed.
    const began = Date.now();
    await sendLines(tcp, corpus.slice(10_000, 16_000));
    await waitForCount(client, streams, 10_001, 60_000);
    signalTree(victim?.pid as number, 'SIGKILL');
    const killedAt = Date.now();
    const countAtKill = await countDocuments(client, streams);
    expect(await waitUntil(() => !isOpenSearchAlive(victim?.pid as number), 10_000)).toBe(true);
    await sendLines(tcp, corpus.slice(16_000));

    expect(await waitForCount(client, streams, corpus.length, 180_000)).toBe(corpus.length);
    const finishedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await countDocuments(client, streams)).toBe(corpus.length);
    const health = (await client.cluster.health({})).body as { number_of_nodes: number; status: string };
    expect(health.number_of_nodes).toBe(2);

    const ids = await eventIdDuplicates(client, streams);
    expect(ids.duplicates).toEqual([]);
    expect(ids.distinct).toBeGreaterThan(corpus.length * 0.99);

    const metrics = parseMetrics(await (await fetch(`${pipeline.service.httpUrl}/metrics`)).text());
    const sent = metricSum(metrics, 'fortiems_component_sent_events_total', { component_id: 'opensearch' });
    // A 409 on an item's first attempt reads as "someone else stored this id" (deduplicated). In a cluster it can also be
    // our own write: the dead node, as primary, stored it on the replica before dying, and the coordinating node retried
    // the create on the promoted replica. Each event is accounted for once either way; only the label differs.
    const deduplicated = metricSum(metrics, 'fortiems_component_deduplicated_events_total', { component_id: 'opensearch' });
    expect(sent + deduplicated).toBe(corpus.length);
    expect(metricSum(metrics, 'fortiems_buffer_events', { component_id: 'opensearch' })).toBe(0);
    expect(metricSum(metrics, 'fortiems_unaccounted_events')).toBe(0);
    const retried = metricSum(metrics, 'fortiems_component_errors_total', { component_id: 'opensearch' });
    process.stderr.write(
      `node ${victim?.url} killed ${((killedAt - began) / 1000).toFixed(1)} s after the first 10,000 were indexed, with ${countAtKill} indexed; ` +
        `all ${corpus.length} searchable ${((finishedAt - killedAt) / 1000).toFixed(1)} s after the kill; sink errors retried: ${retried}; sent ${sent}, deduplicated ${deduplicated}\n`,
    );
    await client.close();

    // What an operator sees: the CLI lists every member, the killed one down, and exits 3.
    const status = await fortiems('opensearch', 'status', '--dir', dir, '--json').catch((error: { code: number; stdout: string }) => error);
    expect(status).toMatchObject({ code: 3 });
    const members = (JSON.parse(status.stdout) as { nodes: { status: string; url?: string }[] }).nodes;
    expect(members.map((member) => member.status).sort()).toEqual(['down', 'up', 'up']);
    expect(members.filter((member) => member.status === 'up').map((member) => member.url)).not.toContain(victim?.url);
  }, 300_000);
});
