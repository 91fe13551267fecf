/**
 * Issue 16's acceptance, end to end: the endpoint security scenarios are emitted by the EMS core as syslog, sent over
 * TCP into a running pipeline (framing, parse workers, enrichment, the disk spool, the bulk sink) and indexed in the
 * real OpenSearch; then every panel of the Endpoint security board must find data there, and the rogue administrator
 * must be searchable by the ECS fields a SOC uses.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { boardById } from '../../dashboards/boards/index.js';
import type { Board, Panel } from '../../dashboards/boards/model.js';
import { panelSearchBody } from '../../dashboards/query/search-body.js';
import { runSimulation } from '../../ems-core/simulation/runner.js';
import { type ScenarioName, scenarioDays } from '../../ems-core/simulation/scenarios.js';
import { Simulation } from '../../ems-core/simulation/simulation.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import { formatLine } from '../../syslog/index.js';
import { countDocuments, sendLines, startPipeline, waitForCount } from '../support/ingest-harness.js';

const DAY = 86_400_000;
const MONDAY = Date.parse('2026-11-23T00:00:00Z');
const SCENARIOS: readonly ScenarioName[] = ['malware-outbreak', 'unpatched-critical-vulnerability', 'rogue-admin-after-hours'];
const LAST_DAY = MONDAY + Math.max(...SCENARIOS.map(scenarioDays)) * DAY;

async function scenarioLines(scenario: ScenarioName, seed: number): Promise<string[]> {
  const sim = new Simulation({ seed, start: MONDAY, endpoints: 60, scenario });
  const lines: string[] = [];
  await runSimulation(
    sim,
    (source) => {
      lines.push(formatLine(source, { hostname: 'ems01.corp.example.com' }));
    },
    { until: MONDAY + scenarioDays(scenario) * DAY },
  );
  return lines;
}

describe('the endpoint security scenarios through the running pipeline', () => {
  const url = inject('opensearchUrl');
  const client = createOpenSearchClient({ url });
  const namespace = `endsec${randomUUID().slice(0, 8)}`;
  const index = `logs-fortiems.*-${namespace}`;
  const board = boardById('fortiems-endpoint-security') as Board;
  let pipeline: Awaited<ReturnType<typeof startPipeline>>;
  let sent = 0;

  beforeAll(async () => {
    pipeline = await startPipeline({ opensearchUrl: url, namespace, workers: 1 });
    const lines = (await Promise.all(SCENARIOS.map((scenario, i) => scenarioLines(scenario, 11 + i)))).flat();
    sent = lines.length;
    await sendLines(`tcp://127.0.0.1:${pipeline.ports.syslog_tcp}?framing=octet`, lines);
    await waitForCount(client, index, sent, 180_000);
  }, 300_000);

  afterAll(async () => {
    await pipeline?.stop();
    await client.indices.deleteDataStream({ name: index }).catch(() => undefined);
    await client.close();
  });

  it('indexes every line it was sent, none as a pipeline error', async () => {
    expect(await countDocuments(client, index)).toBe(sent);
    expect(await countDocuments(client, index, { term: { 'event.kind': 'pipeline_error' } })).toBe(0);
  });

  it.each(board.panels.map((panel) => [panel.id, panel] as const))('panel %s finds data', async (_id, panel: Panel) => {
    const body = panelSearchBody(board, panel, {
      from: new Date(MONDAY).toISOString(),
      to: new Date(LAST_DAY).toISOString(),
      interval: '1h',
    });
    const answer = (await client.search({ index, body: body as never })).body as unknown as {
      hits: { total: { value: number }; hits: unknown[] };
      aggregations?: Record<string, { buckets?: { doc_count: number }[]; value?: number | null }>;
    };
    const found = body.aggs
      ? Object.values(answer.aggregations ?? {}).some((agg) =>
          Array.isArray(agg.buckets) ? agg.buckets.some((bucket) => bucket.doc_count > 0) : (agg.value ?? 0) > 0,
        )
      : body.size === 0
        ? answer.hits.total.value > 0
        : answer.hits.hits.length > 0;
    expect(found, JSON.stringify(body)).toBe(true);
  });

  it('finds the account created at night and given full rights, by ECS fields', async () => {
    const created = await client.search({
      index,
      body: {
        query: {
          bool: {
            filter: [{ term: { 'event.action': 'admin-account-created' } }, { term: { 'user.target.name': 'svc_backup' } }],
          },
        },
      } as never,
    });
    const hits = (created.body as unknown as { hits: { hits: { _source: Record<string, unknown> }[] } }).hits.hits;
    expect(hits.length).toBe(1);
    const event = hits[0]?._source.event as { category: string[]; type: string[] };
    expect(event.category).toEqual(['iam']);
    expect(event.type).toEqual(['user', 'creation']);
    expect(
      await countDocuments(client, index, {
        bool: { filter: [{ term: { 'event.action': 'admin-role-changed' } }, { term: { 'user.target.name': 'svc_backup' } }] },
      }),
    ).toBe(1);
    expect(await countDocuments(client, index, { term: { 'user.changes.roles': 'Super Administrator' } })).toBeGreaterThanOrEqual(1);
  });
});
