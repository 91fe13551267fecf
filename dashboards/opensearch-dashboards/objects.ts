import { layoutPanels } from '../boards/layout.js';
import { ALERTS_INDEX_PATTERN, type Board, type BoardSource, EVENTS_INDEX_PATTERN } from '../boards/model.js';
import { panelLucene } from '../query/lucene.js';
import { boardIndexPatternId, dashboardId, indexPatternId, panelObjectId } from './ids.js';
import { INDEX_REF_NAME, MIGRATION_VERSIONS, type SavedObject, type SavedObjectReference } from './saved-object.js';
import { searchSourceJson } from './search-source.js';
import { visState } from './vis-state.js';

const indexReference = (board: Board): SavedObjectReference => ({
  name: INDEX_REF_NAME,
  type: 'index-pattern',
  id: boardIndexPatternId(board),
});

export function indexPatternObject(source: BoardSource = 'events'): SavedObject {
  return {
    type: 'index-pattern',
    id: indexPatternId(source),
    // No `fields`: OSD reads them from the cluster when the pattern is first used, so they follow the templates.
    attributes: { title: source === 'alerts' ? ALERTS_INDEX_PATTERN : EVENTS_INDEX_PATTERN, timeFieldName: '@timestamp' },
    references: [],
    migrationVersion: { 'index-pattern': MIGRATION_VERSIONS['index-pattern'] },
  };
}

/**
 * The panel objects of one board: a visualization per panel, a saved search per events panel. Each carries the
 * board's filter too, so it shows the right thing when opened on its own (Visualize, Discover).
 */
export function panelObjects(board: Board): SavedObject[] {
  return board.panels.map((panel): SavedObject => {
    const id = panelObjectId(board, panel);
    const meta = { searchSourceJSON: searchSourceJson(panelLucene(board, panel)) };
    const description = panel.description ?? '';
    if (panel.query.type === 'events') {
      return {
        type: 'search',
        id,
        attributes: {
          title: `${board.title} — ${panel.title}`,
          description,
          columns: panel.query.columns.filter((column) => column !== '@timestamp'),
          sort: [['@timestamp', 'desc']],
          version: 1,
          kibanaSavedObjectMeta: meta,
        },
        references: [indexReference(board)],
        migrationVersion: { search: MIGRATION_VERSIONS.search },
      };
    }
    return {
      type: 'visualization',
      id,
      attributes: {
        title: `${board.title} — ${panel.title}`,
        description,
        visState: JSON.stringify(visState(panel)),
        uiStateJSON: '{}',
        version: 1,
        kibanaSavedObjectMeta: meta,
      },
      references: [indexReference(board)],
      migrationVersion: { visualization: MIGRATION_VERSIONS.visualization },
    };
  });
}

/** OSD's grid has 48 columns (twice the boards') and rows of 15 px (Grafana's are 30): both scale by two. */
const SCALE = 2;

export function dashboardObject(board: Board, panels: readonly SavedObject[]): SavedObject {
  const positions = layoutPanels(board.panels);
  const panelsJson = board.panels.map((_panel, index) => {
    const position = positions[index] ?? { x: 0, y: 0, w: 24, h: 8 };
    const panelIndex = String(index + 1);
    return {
      version: '2.19.0',
      panelIndex,
      gridData: { x: position.x * SCALE, y: position.y * SCALE, w: position.w * SCALE, h: position.h * SCALE, i: panelIndex },
      embeddableConfig: {},
      panelRefName: `panel_${index}`,
    };
  });
  return {
    type: 'dashboard',
    id: dashboardId(board),
    attributes: {
      title: board.title,
      description: board.description,
      hits: 0,
      panelsJSON: JSON.stringify(panelsJson),
      optionsJSON: JSON.stringify({ hidePanelTitles: false, useMargins: true }),
      version: 1,
      timeRestore: true,
      timeFrom: 'now-24h',
      timeTo: 'now',
      refreshInterval: { pause: false, value: 60_000 },
      // The board filter lives in each panel, so the query bar starts empty for the analyst's own query.
      kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify({ query: { query: '', language: 'lucene' }, filter: [] }) },
    },
    references: panels.map((panel, index) => ({ name: `panel_${index}`, type: panel.type, id: panel.id })),
    migrationVersion: { dashboard: MIGRATION_VERSIONS.dashboard },
  };
}
