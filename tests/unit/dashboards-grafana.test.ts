/**
 * The boards as generated files: Grafana dashboards against Grafana's dashboard JSON Schema, and the OpenSearch
 * Dashboards saved objects for structure and references. The queries themselves run against a real OpenSearch in
 * tests/integration/dashboards-queries.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { writeDashboardFiles } from '../../app/cli/dashboards-command.js';
import { BOARDS, boardById, boardSource, boardVariables, TEMPLATE_VARIABLES } from '../../dashboards/boards/index.js';
import { layoutPanels } from '../../dashboards/boards/layout.js';
import type { Board, Panel } from '../../dashboards/boards/model.js';
import {
  DATASOURCE_VARIABLE,
  GRAFANA_DASHBOARDS_PATH,
  grafanaDashboardJson,
  grafanaFiles,
  OPENSEARCH_PLUGIN_ID,
  type OpenSearchTarget,
} from '../../dashboards/grafana/index.js';
import {
  ALERTS_INDEX_PATTERN_ID,
  INDEX_PATTERN_ID,
  type SavedObject,
  savedObjectsNdjson,
} from '../../dashboards/opensearch-dashboards/index.js';
import { visState } from '../../dashboards/opensearch-dashboards/vis-state.js';
import { panelSearchBody } from '../../dashboards/query/search-body.js';
import { ALERTS_INDEX_BODY, buildTemplates } from '../../mappings/opensearch/index.js';

// Grafana's dashboard model as JSON Schema, vendored from the foundation SDK's repository (see its $comment).
const {
  $schema: draft07,
  $comment: origin,
  ...dashboardSchema
} = JSON.parse(readFileSync(new URL('../fixtures/grafana/dashboard.jsonschema.json', import.meta.url), 'utf8'));
// Formats (date-time) only occur in snapshots, which we never write; strict off for the schema's `default`s on $refs.
const validateDashboard = new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(dashboardSchema);

function schemaErrors(dashboard: unknown): string[] {
  return validateDashboard(dashboard) ? [] : (validateDashboard.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

interface GrafanaPanelJson {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: OpenSearchTarget[];
}
interface GrafanaDashboardJson {
  uid: string;
  title: string;
  panels: GrafanaPanelJson[];
  templating: { list: { type: string; name: string; query?: string; datasource?: { type?: string; uid?: string } }[] };
}

const dashboards = BOARDS.map((board) => ({ board, json: JSON.parse(grafanaDashboardJson(board)) as GrafanaDashboardJson }));

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

type Properties = Record<string, { type?: string; properties?: Record<string, unknown> }>;

function walkFields(properties: Properties, prefix: string, fields: Set<string>): void {
  for (const [name, mapping] of Object.entries(properties)) {
    const path = `${prefix}${name}`;
    if (mapping.properties) walkFields(mapping.properties as never, `${path}.`, fields);
    else fields.add(path);
  }
}

/** Every field path the alerts index maps. */
function mappedAlertFields(): Set<string> {
  const fields = new Set<string>();
  walkFields(ALERTS_INDEX_BODY.mappings.properties as unknown as Properties, '', fields);
  return fields;
}

/** Every field path the index templates map (ECS fields, `ems.*` raw fields and their top-level aliases). */
function mappedFields(): Set<string> {
  const fields = new Set<string>();
  const walk = (properties: Properties, prefix: string) => walkFields(properties, prefix, fields);
  for (const component of Object.values(buildTemplates().componentTemplates)) {
    const properties = (component as { template?: { mappings?: { properties?: Record<string, never> } } }).template?.mappings?.properties;
    if (properties) walk(properties, '');
  }
  return fields;
}

/** The fields a panel aggregates on or lists. */
function panelFields(panel: Panel): string[] {
  const spec = panel.query;
  switch (spec.type) {
    case 'count':
      return [];
    case 'cardinality':
      return [spec.field];
    case 'terms':
      return [spec.field, ...(spec.splitBy ? [spec.splitBy.field] : [])];
    case 'date_histogram':
      return spec.splitBy ? [spec.splitBy.field] : [];
    case 'events':
      return [...spec.columns];
  }
}

describe('the boards', () => {
  it('have unique ids (Grafana uids of at most 40 characters) and unique panel ids per board', () => {
    expect(new Set(BOARDS.map((board) => board.id)).size).toBe(BOARDS.length);
    for (const board of BOARDS) {
      expect(board.id).toMatch(/^[a-z0-9-]{1,40}$/);
      expect(new Set(board.panels.map((panel) => panel.id)).size, board.id).toBe(board.panels.length);
      expect(boardById(board.id)).toBe(board);
    }
    expect(boardById('no-such-board')).toBeUndefined();
  });

  it('cover the areas of the issue, with an events panel that shows the raw line', () => {
    expect(BOARDS.map((board) => board.id)).toEqual([
      'fortiems-overview',
      'fortiems-endpoints',
      'fortiems-endpoint-security',
      'fortiems-admin-auth',
      'fortiems-vpn',
      'fortiems-ad-connector',
      'fortiems-updates',
      'fortiems-errors',
      'fortiems-events',
      'fortiems-alerts',
    ]);
    expect(BOARDS.filter((board) => boardSource(board) === 'alerts').map((board) => board.id)).toEqual(['fortiems-alerts']);
    const events = boardById('fortiems-events')?.panels.find((panel) => panel.kind === 'events');
    expect(events?.query.type === 'events' && events.query.columns).toContain('event.original');
  });

  it('only name fields the index templates (or the alerts index, for an alerts board) map', () => {
    const mapped = mappedFields();
    const alertFields = mappedAlertFields();
    const variables = TEMPLATE_VARIABLES.map((variable) => variable.field);
    const unknown = BOARDS.flatMap((board) =>
      board.panels.flatMap((panel) =>
        panelFields(panel)
          .filter((field) => !(boardSource(board) === 'alerts' ? alertFields : mapped).has(field))
          .map((field) => `${board.id}/${panel.id}: ${field}`),
      ),
    );
    expect(unknown).toEqual([]);
    expect(variables.filter((field) => !mapped.has(field))).toEqual([]);
  });

  it('rank a terms panel with `distinct` by that distinct count in every output', () => {
    const ranked = BOARDS.flatMap((board) =>
      board.panels.flatMap((panel) =>
        panel.query.type === 'terms' && panel.query.distinct ? [{ board, panel, distinct: panel.query.distinct }] : [],
      ),
    );
    expect(ranked.length).toBeGreaterThan(0);
    for (const { board, panel, distinct } of ranked) {
      const where = `${board.id}/${panel.id}`;
      const body = panelSearchBody(board, panel, { from: 'now-1d', to: 'now' }) as { aggs: { terms: Record<string, unknown> } };
      expect(body.aggs.terms, where).toMatchObject({
        terms: { order: { distinct: 'desc' } },
        aggs: { distinct: { cardinality: { field: distinct } } },
      });
      const json = dashboards.find((dashboard) => dashboard.board === board)?.json;
      const target = json?.panels[board.panels.indexOf(panel)]?.targets?.[0];
      expect(target?.metrics, where).toEqual([{ id: '1', type: 'cardinality', field: distinct }]);
      expect(target?.bucketAggs[0], where).toMatchObject({ type: 'terms', settings: { orderBy: '1' } });
      const vis = visState(panel) as { aggs: { id: string; type: string; schema: string; params: Record<string, unknown> }[] };
      expect(vis.aggs[0], where).toMatchObject({ id: '1', type: 'cardinality', schema: 'metric', params: { field: distinct } });
      expect(vis.aggs[1], where).toMatchObject({ type: 'terms', params: { orderBy: '1' } });
    }
  });

  it('read the endpoint security board from EMS relays and FortiClient lines alike', () => {
    expect(boardById('fortiems-endpoint-security')?.filter).toBe('data_stream.dataset:(fortiems.client OR fortiems.forticlient)');
  });

  it('lay panels out on the 24-column grid without overlaps', () => {
    for (const board of BOARDS) {
      const positions = layoutPanels(board.panels);
      for (const [i, a] of positions.entries()) {
        expect(a.x + a.w, `${board.id} panel ${i}`).toBeLessThanOrEqual(24);
        for (const b of positions.slice(i + 1)) {
          const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
          expect(overlap, `${board.id}: panels ${i} and ${positions.indexOf(b)} overlap`).toBe(false);
        }
      }
    }
  });
});

describe('Grafana dashboards', () => {
  it('are checked against the draft-07 dashboard schema from the Grafana foundation SDK', () => {
    expect(draft07).toMatch(/draft-07/);
    expect(origin).toMatch(/grafana-foundation-sdk/);
  });

  it.each(dashboards.map(({ board, json }) => [board.id, json] as const))('%s is valid against the dashboard schema', (_id, json) => {
    expect(schemaErrors(json)).toEqual([]);
  });

  it('are checked by a schema that really rejects mistakes', () => {
    const [first] = dashboards;
    const broken = structuredClone(first?.json) as unknown as Record<string, unknown> & GrafanaDashboardJson;
    (broken.panels[0] as GrafanaPanelJson).gridPos.w = 30;
    broken.templating.list[0] = { ...broken.templating.list[0], type: 'no-such-type' } as never;
    const { schemaVersion: _schemaVersion, ...withoutVersion } = broken;
    const errors = schemaErrors({ ...withoutVersion, surprise: true });
    expect(errors.join('\n')).toMatch(/schemaVersion/);
    expect(errors.join('\n')).toMatch(/gridPos\/w/);
    expect(errors.join('\n')).toMatch(/templating\/list\/0\/type/);
    expect(errors.join('\n')).toMatch(/additional properties/);
  });

  it.each(dashboards.map(({ board, json }) => [board.id, board, json] as const))(
    '%s: one panel per board panel, each on the OpenSearch data source with the board filter',
    (_id, board: Board, json) => {
      expect(json.uid).toBe(board.id);
      expect(json.panels.map((panel) => panel.title)).toEqual(board.panels.map((panel) => panel.title));
      const defined = new Set(json.templating.list.map((variable) => variable.name));
      json.panels.forEach((grafanaPanel, index) => {
        const panel = board.panels[index] as Panel;
        const where = `${board.id}/${panel.id}`;
        expect(grafanaPanel.datasource, where).toEqual({ type: OPENSEARCH_PLUGIN_ID, uid: `\${${DATASOURCE_VARIABLE}}` });
        expect(grafanaPanel.targets?.length, where).toBe(1);
        for (const target of grafanaPanel.targets ?? []) {
          expect(target.datasource, where).toEqual(grafanaPanel.datasource);
          expect(target.queryType, where).toBe('lucene');
          expect(target.timeField, where).toBe('@timestamp');
          if (board.filter) expect(target.query, where).toContain(`(${board.filter})`);
          // Parenthesised when ANDed with anything; alone (an alerts board without variables) it stands as it is.
          if (panel.filter)
            expect(target.query, where).toMatch(new RegExp(`^${escapeRegExp(panel.filter)}$|\\(${escapeRegExp(panel.filter)}\\)`));
          for (const variable of boardVariables(board)) expect(target.query, where).toContain(`${variable.field}:$${variable.name}`);
          // An alerts board has none of the events' fields: a variable clause there (`*` = exists) would hide everything.
          if (boardSource(board) === 'alerts') expect(target.query, where).not.toMatch(/\$/);
          // Every $variable a query uses is defined on the dashboard.
          for (const [, name] of target.query.matchAll(/\$(\w+)/g)) expect(defined, `${where}: $${name}`).toContain(name);
          expect(target.metrics.length, where).toBe(1);
          const ids = [...target.metrics, ...target.bucketAggs].map((agg) => agg.id);
          expect(new Set(ids).size, where).toBe(ids.length);
          if (panel.query.type === 'events') expect(target.metrics[0]?.type, where).toBe('raw_data');
          if (panel.query.type === 'date_histogram') expect(target.bucketAggs.at(-1)?.type, where).toBe('date_histogram');
          if (panel.query.type === 'terms') expect(target.bucketAggs[0], where).toMatchObject({ type: 'terms', field: panel.query.field });
        }
      });
    },
  );

  it('define the data source variable and EMS server, category, level and site as terms queries over their fields', () => {
    for (const { board, json } of dashboards) {
      const [datasource, ...filters] = json.templating.list;
      expect(datasource, board.id).toMatchObject({ type: 'datasource', name: DATASOURCE_VARIABLE, query: OPENSEARCH_PLUGIN_ID });
      // Each board defaults to the provisioned data source over its own indices.
      expect((datasource as { current?: { value?: string } }).current?.value, board.id).toBe(
        boardSource(board) === 'alerts' ? 'fortiems-opensearch-alerts' : 'fortiems-opensearch',
      );
      expect(filters.map((variable) => variable.name)).toEqual(boardVariables(board).map((variable) => variable.name));
      filters.forEach((variable, index) => {
        const template = TEMPLATE_VARIABLES[index];
        expect(variable).toMatchObject({ type: 'query', datasource: { type: OPENSEARCH_PLUGIN_ID, uid: `\${${DATASOURCE_VARIABLE}}` } });
        expect(JSON.parse(variable.query as string)).toMatchObject({ find: 'terms', field: template?.field });
      });
    }
  });

  it('come with provisioning for the dashboards folder and an OpenSearch data source at http://opensearch:9200', () => {
    const files = new Map(grafanaFiles().map((file) => [file.path, file.content]));
    expect([...files.keys()].filter((path) => path.startsWith('grafana/')).sort()).toEqual(
      BOARDS.map((b) => `grafana/${b.id}.json`).sort(),
    );
    const provider = parseYaml(files.get('grafana-provisioning/dashboards/fortiems.yaml') as string);
    expect(provider.providers[0]).toMatchObject({ type: 'file', options: { path: GRAFANA_DASHBOARDS_PATH } });
    const datasource = parseYaml(files.get('grafana-provisioning/datasources/fortiems.yaml') as string);
    expect(datasource.datasources[0]).toMatchObject({ type: OPENSEARCH_PLUGIN_ID, url: 'http://opensearch:9200' });
    expect(datasource.datasources[0].jsonData).toMatchObject({
      database: 'logs-fortiems.*',
      timeField: '@timestamp',
      flavor: 'opensearch',
    });
    expect(datasource.datasources[0].isDefault).toBe(true);
    // The alerts boards' data source: same cluster, the alerts indices.
    expect(datasource.datasources[1]).toMatchObject({
      uid: 'fortiems-opensearch-alerts',
      type: OPENSEARCH_PLUGIN_ID,
      url: 'http://opensearch:9200',
      isDefault: false,
      jsonData: { database: 'fortiems-alerts-*', timeField: '@timestamp', flavor: 'opensearch' },
    });
  });
});

describe('OpenSearch Dashboards saved objects', () => {
  const lines = savedObjectsNdjson().trimEnd().split('\n');
  const objects = lines.map((line) => JSON.parse(line) as SavedObject);
  const byKey = new Map(objects.map((object) => [`${object.type}:${object.id}`, object]));

  it('are one JSON object per line, each with type, id and attributes, ids unique per type', () => {
    for (const object of objects) {
      expect(typeof object.type).toBe('string');
      expect(typeof object.id).toBe('string');
      expect(object.attributes).toBeTypeOf('object');
      expect(Array.isArray(object.references)).toBe(true);
    }
    expect(byKey.size).toBe(objects.length);
  });

  it('are an index pattern on logs-fortiems.* with @timestamp, one visualization or saved search per panel, one dashboard per board', () => {
    expect(byKey.get(`index-pattern:${INDEX_PATTERN_ID}`)?.attributes).toEqual({ title: 'logs-fortiems.*', timeFieldName: '@timestamp' });
    expect(byKey.get(`index-pattern:${ALERTS_INDEX_PATTERN_ID}`)?.attributes).toEqual({
      title: 'fortiems-alerts-*',
      timeFieldName: '@timestamp',
    });
    // Index patterns come first: an import resolves references in order.
    expect(objects.slice(0, 2).map((object) => object.type)).toEqual(['index-pattern', 'index-pattern']);
    const panels = BOARDS.flatMap((board) => board.panels.map((panel) => ({ board, panel })));
    for (const { board, panel } of panels) {
      const type = panel.kind === 'events' ? 'search' : 'visualization';
      expect(byKey.has(`${type}:${board.id}--${panel.id}`), `${board.id}/${panel.id}`).toBe(true);
    }
    expect(objects.filter((object) => object.type === 'visualization' || object.type === 'search').length).toBe(panels.length);
    expect(objects.filter((object) => object.type === 'dashboard').map((object) => object.id)).toEqual(BOARDS.map((board) => board.id));
  });

  it('have dashboards whose panels reference existing visualizations and searches', () => {
    for (const dashboard of objects.filter((object) => object.type === 'dashboard')) {
      const panels = JSON.parse(dashboard.attributes.panelsJSON as string) as {
        panelRefName: string;
        gridData: { w: number; x: number };
      }[];
      expect(panels.length).toBe(boardById(dashboard.id)?.panels.length);
      const references = new Map(dashboard.references.map((reference) => [reference.name, reference]));
      for (const panel of panels) {
        const reference = references.get(panel.panelRefName);
        expect(reference, `${dashboard.id}: ${panel.panelRefName}`).toBeDefined();
        expect(byKey.get(`${reference?.type}:${reference?.id}`), `${dashboard.id} → ${reference?.id}`).toBeDefined();
        expect(panel.gridData.x + panel.gridData.w).toBeLessThanOrEqual(48);
      }
    }
  });

  it('have visualizations and searches with a Lucene searchSource on the index pattern, and visStates that parse', () => {
    for (const object of objects.filter((o) => o.type === 'visualization' || o.type === 'search')) {
      const meta = object.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string };
      const source = JSON.parse(meta.searchSourceJSON) as { query: { query: string; language: string }; indexRefName: string };
      expect(source.query.language, object.id).toBe('lucene');
      const reference = object.references.find((r) => r.name === source.indexRefName);
      const [boardId, panelId] = object.id.split('--');
      const board = boardById(boardId as string) as Board;
      expect(reference, object.id).toMatchObject({
        type: 'index-pattern',
        id: boardSource(board) === 'alerts' ? ALERTS_INDEX_PATTERN_ID : INDEX_PATTERN_ID,
      });
      if (board.filter) expect(source.query.query, object.id).toContain(board.filter);
      const panel = board.panels.find((p) => p.id === panelId) as Panel;
      if (panel.filter) expect(source.query.query, object.id).toContain(panel.filter);
      if (object.type === 'visualization') {
        const vis = JSON.parse(object.attributes.visState as string) as { type: string; aggs: { schema: string }[] };
        expect(vis.aggs.filter((agg) => agg.schema === 'metric').length, object.id).toBe(1);
      } else {
        expect(object.attributes.columns, object.id).toContain('event.original');
      }
    }
  });
});

describe('fortiems dashboards export', () => {
  it('writes the Grafana dashboards and provisioning and the OSD ndjson under --out', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fortiems-dashboards-'));
    try {
      const written = await writeDashboardFiles(out);
      expect(
        written
          .map((path) =>
            path
              .slice(out.length + 1)
              .split('\\')
              .join('/'),
          )
          .sort(),
      ).toEqual(
        [
          ...BOARDS.map((board) => `grafana/${board.id}.json`),
          'grafana-provisioning/dashboards/fortiems.yaml',
          'grafana-provisioning/datasources/fortiems.yaml',
          'opensearch-dashboards/fortiems.ndjson',
        ].sort(),
      );
      const overview = JSON.parse(readFileSync(join(out, 'grafana', 'fortiems-overview.json'), 'utf8'));
      expect(schemaErrors(overview)).toEqual([]);
      expect(readFileSync(join(out, 'opensearch-dashboards', 'fortiems.ndjson'), 'utf8')).toBe(savedObjectsNdjson());
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
