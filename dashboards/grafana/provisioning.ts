import { stringify } from 'yaml';
import { OPENSEARCH_PLUGIN_ID, provisionedDatasource } from './datasource.js';

/**
 * Where the compose file mounts the generated dashboards inside the Grafana container (outside /var/lib/grafana, which
 * is Grafana's own volume).
 */
export const GRAFANA_DASHBOARDS_PATH = '/etc/fortiems/grafana-dashboards';

export interface ProvisioningOptions {
  /** OpenSearch as Grafana's server reaches it (the compose service by default). */
  opensearchUrl?: string;
}

/** `grafana-provisioning/dashboards/fortiems.yaml`: load every JSON file of the mounted folder into a "FortiEMS" folder. */
export function dashboardsProviderYaml(): string {
  return stringify({
    apiVersion: 1,
    providers: [
      {
        name: 'fortiems',
        orgId: 1,
        folder: 'FortiEMS',
        type: 'file',
        // Generated files are the source of truth: edits in the UI are not kept (regenerate from the boards instead).
        allowUiUpdates: false,
        disableDeletion: false,
        updateIntervalSeconds: 30,
        options: { path: GRAFANA_DASHBOARDS_PATH, foldersFromFilesStructure: false },
      },
    ],
  });
}

/**
 * `grafana-provisioning/datasources/fortiems.yaml`: the OpenSearch data sources the dashboards' `$datasource` defaults
 * to, one per index pattern (the events, the default; the alerts).
 */
export function datasourceYaml(options: ProvisioningOptions = {}): string {
  return stringify({
    apiVersion: 1,
    datasources: (['events', 'alerts'] as const).map((source) => {
      const { name, uid, database } = provisionedDatasource(source);
      return {
        name,
        uid,
        type: OPENSEARCH_PLUGIN_ID,
        access: 'proxy',
        url: options.opensearchUrl ?? 'http://opensearch:9200',
        isDefault: source === 'events',
        editable: false,
        jsonData: {
          database,
          timeField: '@timestamp',
          flavor: 'opensearch',
          // The plugin asks the cluster at save time; provisioning has no such step, so the version is given.
          version: '2.19.0',
          maxConcurrentShardRequests: 5,
          logMessageField: 'message',
          logLevelField: source === 'alerts' ? 'fortiems.alert.level' : 'log.level',
          pplEnabled: false,
        },
      };
    }),
  });
}
