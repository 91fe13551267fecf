import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { BOARDS } from '../boards/index.js';
import type { Board } from '../boards/model.js';
import { grafanaDashboard } from './dashboard.js';
import { dashboardsProviderYaml, datasourceYaml, type ProvisioningOptions } from './provisioning.js';

export { grafanaDashboard, grafanaPanelLucene } from './dashboard.js';
export { DATASOURCE_REF, DATASOURCE_VARIABLE, OPENSEARCH_PLUGIN_ID } from './datasource.js';
export type { OpenSearchTarget } from './opensearch-target.js';
export { dashboardsProviderYaml, datasourceYaml, GRAFANA_DASHBOARDS_PATH } from './provisioning.js';
export { ALL_VALUE } from './variables.js';

export interface GeneratedFile {
  /** Relative to the export folder (`--out`), `/`-separated. */
  path: string;
  content: string;
}

/** The dashboard JSON as Grafana stores it (functions the SDK keeps on objects are dropped by JSON). */
export function grafanaDashboardJson(board: Board): string {
  return `${JSON.stringify(grafanaDashboard(board) satisfies Dashboard, null, 2)}\n`;
}

/**
 * Everything Grafana needs: one dashboard per board in `grafana/`, and the provisioning files in
 * `grafana-provisioning/` (mounted as /etc/grafana/provisioning). Two folders, so the dashboards folder holds only
 * dashboards.
 */
export function grafanaFiles(options: ProvisioningOptions = {}, boards: readonly Board[] = BOARDS): GeneratedFile[] {
  return [
    ...boards.map((board) => ({ path: `grafana/${board.id}.json`, content: grafanaDashboardJson(board) })),
    { path: 'grafana-provisioning/dashboards/fortiems.yaml', content: dashboardsProviderYaml() },
    { path: 'grafana-provisioning/datasources/fortiems.yaml', content: datasourceYaml(options) },
  ];
}
