import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { DashboardBuilder, DashboardCursorSync } from '@grafana/grafana-foundation-sdk/dashboard';
import { layoutPanels } from '../boards/layout.js';
import { type Board, boardVariables } from '../boards/model.js';
import { panelLucene } from '../query/lucene.js';
import { grafanaPanel } from './panels.js';
import { dashboardVariables, variableClause } from './variables.js';

export const DASHBOARD_TAGS = ['fortiems', 'fortinet', 'ems'];

/** The Lucene query of one panel in Grafana: the board's and the panel's filters, then one clause per variable. */
export function grafanaPanelLucene(board: Board, panel: Board['panels'][number]): string {
  return panelLucene(board, panel, boardVariables(board).map(variableClause));
}

/** The Grafana dashboard (classic JSON model) for one board; the board id is the uid. */
export function grafanaDashboard(board: Board): Dashboard {
  const positions = layoutPanels(board.panels);
  const builder = new DashboardBuilder(board.title)
    .uid(board.id)
    .description(board.description)
    .tags(DASHBOARD_TAGS)
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: 'now-24h', to: 'now' })
    .timezone('browser')
    .refresh('1m')
    .variables(dashboardVariables(board));
  board.panels.forEach((panel, index) => {
    builder.withPanel(grafanaPanel(panel, index, positions[index] ?? { x: 0, y: 0, w: 24, h: 8 }, grafanaPanelLucene(board, panel)));
  });
  return builder.build();
}
