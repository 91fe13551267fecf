/**
 * Every panel of every board, run against a real OpenSearch holding EMS data: the board model's own search bodies
 * (panelSearchBody, what the console sends), the Lucene + aggregations of the generated Grafana targets, and the
 * searchSourceJSON + visState aggregations of the OpenSearch Dashboards objects. A query that errors or finds nothing
 * fails, naming the board and the panel: a board cannot claim a field or value the pipeline does not produce.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@opensearch-project/opensearch';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BOARDS, boardById, boardSource } from '../../dashboards/boards/index.js';
import type { Board, Panel } from '../../dashboards/boards/model.js';
import { ALL_VALUE, grafanaDashboard, type OpenSearchTarget } from '../../dashboards/grafana/index.js';
import { type SavedObject, savedObjects } from '../../dashboards/opensearch-dashboards/index.js';
import { panelSearchBody } from '../../dashboards/query/search-body.js';
import { plainAlert } from '../../detections/runtime/alert-document.js';
import { AlertStore } from '../../detections/runtime/alert-store.js';
import { changeAlert } from '../../detections/runtime/alert-workflow.js';
import type { CompiledRule } from '../../detections/sigma/compile.js';
import { runSimulation } from '../../ems-core/simulation/runner.js';
import { SCENARIOS, type ScenarioName, scenarioDays } from '../../ems-core/simulation/scenarios.js';
import { Simulation } from '../../ems-core/simulation/simulation.js';
import { assignEventId } from '../../ingest/enrich/event-id.js';
import { sharedGeoIp } from '../../ingest/enrich/geoip.js';
import { installMappings } from '../../ingest/sinks/search/install-mappings.js';
import { alertsIndex } from '../../mappings/opensearch/alerts.js';
import { parseLine } from '../../parsers/parse-line.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import { formatLine } from '../../syslog/index.js';

const DAY = 86_400_000;
const MONDAY = Date.parse('2026-11-23T00:00:00Z');
/** A week of office days (FortiClient upgrades and tag removals are not daily), plus each incident's day. */
const OFFICE_DAYS = 7;
const FROM = new Date(MONDAY).toISOString();
const TO = new Date(MONDAY + OFFICE_DAYS * DAY).toISOString();
const HOSTNAME = 'ems01.corp.example.com';

/** The EMS lines of one scenario, parsed as the pipeline does (GeoIP included: boards show countries), with ids. */
async function scenarioDocuments(scenario: ScenarioName, seed: number, namespace: string): Promise<Record<string, unknown>[]> {
  const sim = new Simulation({ seed, start: MONDAY, endpoints: 60, scenario });
  const documents: Record<string, unknown>[] = [];
  const days = scenario === 'office-day' ? OFFICE_DAYS : scenarioDays(scenario);
  await runSimulation(
    sim,
    (source) => {
      const event = parseLine(formatLine(source, { hostname: HOSTNAME }), { receivedAt: MONDAY + days * DAY, namespace });
      sharedGeoIp().enrichDocument(event.document);
      assignEventId(event.document, event.dataset);
      documents.push(event.document);
    },
    { until: MONDAY + days * DAY },
  );
  return documents;
}

async function bulkCreate(client: Client, documents: Record<string, unknown>[]): Promise<void> {
  const body: unknown[] = [];
  for (const document of documents) {
    const stream = document.data_stream as { dataset: string; namespace: string };
    const id = (document.event as { id?: string }).id;
    body.push({ create: { _index: `logs-${stream.dataset}-${stream.namespace}`, ...(id ? { _id: id } : {}) } }, document);
  }
  const response = await client.bulk({ body: body as never, refresh: 'wait_for' });
  const items = response.body.items as { create?: { status: number; error?: unknown } }[];
  // 409: the same line from two scenarios (same id) — indexed once, as the pipeline would.
  const failed = items.filter((item) => item.create && item.create.status >= 300 && item.create.status !== 409);
  if (failed.length > 0) throw new Error(`bulk: ${failed.length} failed, first: ${JSON.stringify(failed[0])}`);
}

type Aggregations = Record<string, unknown> | undefined;
interface SearchAnswer {
  hits: { total: { value: number } | number; hits: { _source: Record<string, unknown> }[] };
  aggregations?: Record<string, unknown>;
}

function totalHits(answer: SearchAnswer): number {
  return typeof answer.hits.total === 'number' ? answer.hits.total : answer.hits.total.value;
}

/** Whether an aggregation tree found anything: a bucket with documents, or a metric above zero. */
function aggregationFound(aggregations: Aggregations): boolean {
  if (!aggregations) return false;
  return Object.values(aggregations).some((value) => {
    const agg = value as { buckets?: { doc_count: number }[]; value?: number | null };
    if (Array.isArray(agg.buckets)) return agg.buckets.some((bucket) => bucket.doc_count > 0);
    return typeof agg.value === 'number' && agg.value > 0;
  });
}

/** What a panel must show for the query to count as answered, by what the body asked for. */
function answered(answer: SearchAnswer, body: Record<string, unknown>): boolean {
  if (body.aggs) return aggregationFound(answer.aggregations);
  if (body.size === 0) return totalHits(answer) > 0;
  return answer.hits.hits.length > 0;
}

/**
 * The `_search` body the OpenSearch data source plugin sends for a target: the Lucene query in a query_string, the
 * bucket aggregations nested in order around the metric. `auto` intervals become 1h (Grafana derives one from the
 * panel width); variables are given the values a user would pick.
 */
function targetBody(target: OpenSearchTarget, lucene: string): Record<string, unknown> {
  const query = {
    bool: {
      filter: [
        { range: { '@timestamp': { gte: FROM, lte: TO, format: 'strict_date_optional_time' } } },
        { query_string: { query: lucene, analyze_wildcard: true } },
      ],
    },
  };
  const [metric] = target.metrics;
  if (metric?.type === 'raw_data') return { size: Number(metric.settings.size), query, sort: [{ '@timestamp': 'desc' }] };
  const metricAggs = metric?.type === 'cardinality' ? { '1': { cardinality: { field: metric.field } } } : undefined;
  if (target.bucketAggs.length === 0) return { size: 0, track_total_hits: true, query, ...(metricAggs ? { aggs: metricAggs } : {}) };
  let aggs: Record<string, unknown> | undefined = metricAggs;
  for (const bucket of [...target.bucketAggs].reverse()) {
    const definition =
      bucket.type === 'terms'
        ? {
            terms: { field: bucket.field, size: Number(bucket.settings.size), order: { [bucket.settings.orderBy]: bucket.settings.order } },
          }
        : {
            date_histogram: { field: bucket.field, fixed_interval: bucket.settings.interval === 'auto' ? '1h' : bucket.settings.interval },
          };
    aggs = { [bucket.id]: { ...definition, ...(aggs ? { aggs } : {}) } };
  }
  return { size: 0, query, aggs };
}

/** The search an OSD visualization runs: its searchSourceJSON query and its visState aggregations, nested in order. */
function visualizationBody(object: SavedObject): Record<string, unknown> {
  const meta = object.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string };
  const source = JSON.parse(meta.searchSourceJSON) as { query: { query: string; language: string } };
  const query = {
    bool: {
      filter: [
        { range: { '@timestamp': { gte: FROM, lte: TO } } },
        { query_string: { query: source.query.query, analyze_wildcard: true } },
      ],
    },
  };
  if (object.type === 'search') return { size: 50, query, sort: [{ '@timestamp': 'desc' }] };
  const vis = JSON.parse(object.attributes.visState as string) as {
    aggs: { id: string; type: string; schema: string; params: { field?: string; size?: number; orderBy?: string; interval?: string } }[];
  };
  const metric = vis.aggs.find((agg) => agg.schema === 'metric');
  let aggs: Record<string, unknown> | undefined =
    metric?.type === 'cardinality' ? { [metric.id]: { cardinality: { field: metric.params.field } } } : undefined;
  const buckets = vis.aggs.filter((agg) => agg.schema !== 'metric');
  if (buckets.length === 0) return { size: 0, track_total_hits: true, query, ...(aggs ? { aggs } : {}) };
  for (const bucket of [...buckets].reverse()) {
    const definition =
      bucket.type === 'terms'
        ? {
            terms: {
              field: bucket.params.field,
              size: bucket.params.size,
              // orderBy names the metric; OSD ranks by document count when that metric is the count.
              ...(bucket.params.orderBy === metric?.id && metric?.type === 'cardinality' ? { order: { [metric.id]: 'desc' } } : {}),
            },
          }
        : { date_histogram: { field: bucket.params.field, fixed_interval: '1h' } };
    aggs = { [bucket.id]: { ...definition, ...(aggs ? { aggs } : {}) } };
  }
  return { size: 0, query, aggs };
}

/** Grafana's Lucene formatting of variable values: `*` for "All", `("a" OR "b")` for a selection. */
function withVariables(query: string, values: Partial<Record<string, readonly string[]>> = {}): string {
  return query.replace(/\$(\w+)/g, (_match, name: string) => {
    const selected = values[name];
    return selected ? `(${selected.map((value) => JSON.stringify(value)).join(' OR ')})` : ALL_VALUE;
  });
}

describe('every board panel on a real OpenSearch', () => {
  const url = inject('opensearchUrl');
  const client = createOpenSearchClient({ url });
  const namespace = `boards${randomUUID().slice(0, 8)}`;
  const index = `logs-fortiems.*-${namespace}`;
  const alertIndex = alertsIndex(namespace);
  const seeded: Record<string, number> = {};

  const search = async (body: Record<string, unknown>, board?: Board): Promise<SearchAnswer> => {
    const response = await client.search({ index: board && boardSource(board) === 'alerts' ? alertIndex : index, body: body as never });
    return response.body as unknown as SearchAnswer;
  };

  /** Runs one query; a failure names the board and the panel, and says whether it errored or came back empty. */
  const expectAnswered = async (where: string, body: Record<string, unknown>, board?: Board): Promise<void> => {
    let answer: SearchAnswer;
    try {
      answer = await search(body, board);
    } catch (error) {
      const reason = (error as { meta?: { body?: unknown } }).meta?.body ?? (error as Error).message;
      throw new Error(`${where}: the query failed: ${JSON.stringify(reason)}\n${JSON.stringify(body)}`);
    }
    if (!answered(answer, body)) throw new Error(`${where}: the query found nothing\n${JSON.stringify(body)}`);
  };

  beforeAll(async () => {
    await installMappings(client, { namespace });
    const scenarios = Object.keys(SCENARIOS) as ScenarioName[];
    for (const [i, scenario] of scenarios.entries()) {
      const documents = await scenarioDocuments(scenario, i + 1, namespace);
      await bulkCreate(client, documents);
      seeded[scenario] = documents.length;
    }
    await client.indices.refresh({ index });
    await seedAlerts();
  });

  /**
   * The alerts boards' data: alerts of three rules and levels over the week, as the scheduler writes them, some of them
   * acknowledged, assigned and closed through the runtime's changeAlert, as an analyst leaves them.
   */
  async function seedAlerts(): Promise<void> {
    const store = new AlertStore(client, alertIndex);
    const rules = (['low', 'high', 'critical'] as const).map(
      (level, i) =>
        ({
          file: `/rules/ems_board_${level}.yml`,
          document: 0,
          lucene: 'event.action:x',
          rule: { id: `d1b0a4c2-0000-4000-8000-00000000000${i}`, title: `Board rule ${level}`, level, tags: [], falsepositives: [] },
        }) as unknown as CompiledRule,
    );
    const alerts = Array.from({ length: 30 }, (_, i) => {
      const at = MONDAY + (i * 5 + 1) * 3_600_000;
      return plainAlert(
        rules[i % rules.length] as CompiledRule,
        { id: `board-event-${i}`, index, source: { '@timestamp': new Date(at).toISOString() } },
        { rulesRoot: '/rules', window: { from: at - 60_000, to: at }, now: at },
      );
    });
    expect((await store.create(alerts)).created).toHaveLength(alerts.length);
    for (const [i, alert] of alerts.entries()) {
      const work = { index: alertIndex, id: alert.event.id, who: 'analyst' };
      if (i % 3 === 1) expect((await changeAlert(client, { ...work, change: { status: 'acknowledged', assignee: 'ana' } })).ok).toBe(true);
      if (i % 3 === 2)
        expect((await changeAlert(client, { ...work, change: { status: 'closed', assignee: 'bob', note: 'benign' } })).ok).toBe(true);
    }
  }

  afterAll(async () => {
    await client.indices.delete({ index: alertIndex }, { ignore: [404] });
    await client.indices.deleteDataStream({ name: index }).catch(() => undefined);
    await client.close();
  });

  it('holds the office week and every incident scenario', async () => {
    expect(Object.keys(seeded).sort()).toEqual(Object.keys(SCENARIOS).sort());
    for (const count of Object.values(seeded)) expect(count).toBeGreaterThan(100);
    const answer = await search({ size: 0, track_total_hits: true, query: { match_all: {} } });
    expect(totalHits(answer)).toBeGreaterThan(5000);
  });

  const panels = BOARDS.flatMap((board) => board.panels.map((panel) => [`${board.id}/${panel.id}`, board, panel] as const));

  it.each(panels)('%s: panelSearchBody answers', async (where, board: Board, panel: Panel) => {
    await expectAnswered(where, panelSearchBody(board, panel, { from: FROM, to: TO, interval: '1h' }), board);
  });

  it.each(panels)('%s: panelSearchBody answers with the variables set', async (where, board: Board, panel: Panel) => {
    const variables = { ems_server: [HOSTNAME], site: ['default'] };
    await expectAnswered(`${where} (variables)`, panelSearchBody(board, panel, { from: FROM, to: TO, interval: '1h', variables }), board);
  });

  it('the events panels return whole documents with the raw line', async () => {
    for (const board of BOARDS) {
      for (const panel of board.panels.filter((p) => p.query.type === 'events')) {
        const answer = await search(panelSearchBody(board, panel, { from: FROM, to: TO }));
        const [first] = answer.hits.hits;
        expect(typeof (first?._source.event as { original?: unknown } | undefined)?.original, `${board.id}/${panel.id}`).toBe('string');
      }
    }
  });

  const targets = BOARDS.flatMap((board) =>
    (grafanaDashboard(board).panels ?? []).flatMap((grafanaPanel) =>
      ((grafanaPanel as { targets?: OpenSearchTarget[] }).targets ?? []).map(
        (target) => [`${board.id}: Grafana panel "${(grafanaPanel as { title?: string }).title}"`, target, board] as const,
      ),
    ),
  );

  it.each(targets)('%s: the target answers with "All"', async (where, target: OpenSearchTarget, board: Board) => {
    await expectAnswered(where, targetBody(target, withVariables(target.query)), board);
  });

  it.each(targets)(
    '%s: the target answers with an EMS server and a site selected',
    async (where, target: OpenSearchTarget, board: Board) => {
      const lucene = withVariables(target.query, { ems_server: [HOSTNAME], site: ['default', 'no-such-site'] });
      await expectAnswered(`${where} (variables)`, targetBody(target, lucene), board);
    },
  );

  const osdObjects = savedObjects()
    .filter((object) => object.type === 'visualization' || object.type === 'search')
    .map((object) => [`${object.type} ${object.id}`, object] as const);

  it.each(osdObjects)('OpenSearch Dashboards %s answers', async (where, object: SavedObject) => {
    await expectAnswered(where, visualizationBody(object), boardById(object.id.split('--')[0] as string));
  });
});

/**
 * The endpoint security incidents, each alone in its namespace (its own day or days of office life included): the board
 * must make them stand out, not merely answer.
 */
describe('the endpoint security board shows its incidents', () => {
  const url = inject('opensearchUrl');
  const client = createOpenSearchClient({ url });
  const board = boardById('fortiems-endpoint-security') as Board;
  const namespaces = { outbreak: `outbreak${randomUUID().slice(0, 8)}`, unpatched: `unpatched${randomUUID().slice(0, 8)}` };
  interface Bucket {
    key: string;
    doc_count: number;
    distinct?: { value: number };
    split?: { buckets: Bucket[] };
  }

  const panelAnswer = async (namespace: string, panelId: string): Promise<SearchAnswer> => {
    const panel = board.panels.find((p) => p.id === panelId) as Panel;
    const body = panelSearchBody(board, panel, { from: FROM, to: TO, interval: '1h' });
    const response = await client.search({ index: `logs-fortiems.*-${namespace}`, body: body as never });
    return response.body as unknown as SearchAnswer;
  };
  const buckets = async (namespace: string, panelId: string): Promise<Bucket[]> =>
    ((await panelAnswer(namespace, panelId)).aggregations?.terms as { buckets: Bucket[] } | undefined)?.buckets ?? [];
  const value = async (namespace: string, panelId: string): Promise<number> =>
    ((await panelAnswer(namespace, panelId)).aggregations?.value as { value: number } | undefined)?.value ?? 0;

  beforeAll(async () => {
    for (const [scenario, namespace] of [
      ['malware-outbreak', namespaces.outbreak],
      ['unpatched-critical-vulnerability', namespaces.unpatched],
    ] as const) {
      await installMappings(client, { namespace });
      await bulkCreate(client, await scenarioDocuments(scenario, 7, namespace));
      await client.indices.refresh({ index: `logs-fortiems.*-${namespace}` });
    }
  });

  afterAll(async () => {
    for (const namespace of Object.values(namespaces)) {
      await client.indices.deleteDataStream({ name: `logs-fortiems.*-${namespace}` }).catch(() => undefined);
    }
    await client.close();
  });

  it('malware-outbreak: one trojan on a dozen endpoints tops the malware, and its C2 domain is among the blocked domains', async () => {
    const [top, next] = await buckets(namespaces.outbreak, 'top-malware');
    expect(top?.key).toBe('W32/Qakbot.BQR!tr');
    expect(top?.doc_count).toBeGreaterThanOrEqual(12);
    expect(top?.doc_count).toBeGreaterThan(next?.doc_count ?? 0);
    expect(await value(namespaces.outbreak, 'infected-hosts-distinct')).toBeGreaterThanOrEqual(12);
    const domains = await buckets(namespaces.outbreak, 'top-blocked-domains');
    expect(domains.map((bucket) => bucket.key)).toContain('cdn-sync-telemetry.top');
    const quarantined = (await panelAnswer(namespaces.outbreak, 'quarantined-files')).hits.hits;
    expect(quarantined.some((hit) => (hit._source.threat as { software: { name: string } }).software.name === 'W32/Qakbot.BQR!tr')).toBe(
      true,
    );
  });

  it('unpatched-critical-vulnerability: the workstation is listed with both critical CVEs, reported on several days', async () => {
    const hosts = await buckets(namespaces.unpatched, 'critical-hosts');
    const victim = hosts.find((bucket) => bucket.distinct?.value === 2);
    expect(victim, JSON.stringify(hosts)).toBeDefined();
    const cves = (await buckets(namespaces.unpatched, 'top-cves')).map((bucket) => bucket.key);
    expect(cves).toEqual(expect.arrayContaining(['CVE-2024-38063', 'CVE-2024-21413']));
    // Ranked by endpoints, the daily reports of one workstation count once.
    const top = (await buckets(namespaces.unpatched, 'top-cves')).find((bucket) => bucket.key === 'CVE-2024-38063');
    expect(top?.distinct?.value).toBeLessThan(top?.doc_count ?? 0);
  });
});
