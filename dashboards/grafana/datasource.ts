import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';

/** The OpenSearch data source plugin's id (grafana-opensearch-datasource, not the Elasticsearch one). */
export const OPENSEARCH_PLUGIN_ID = 'grafana-opensearch-datasource';

/** The dashboard variable that picks the data source, so one set of JSON works against any provisioned OpenSearch. */
export const DATASOURCE_VARIABLE = 'datasource';

/** What every panel, target and query variable points at: whichever OpenSearch data source `$datasource` names. */
export const DATASOURCE_REF: DataSourceRef = { type: OPENSEARCH_PLUGIN_ID, uid: `\${${DATASOURCE_VARIABLE}}` };

import { ALERTS_INDEX_PATTERN, type BoardSource, EVENTS_INDEX_PATTERN } from '../boards/model.js';

/** The uid of the data source the provisioning file creates (the variable's default). */
export const PROVISIONED_DATASOURCE_UID = 'fortiems-opensearch';
export const PROVISIONED_DATASOURCE_NAME = 'FortiEMS OpenSearch';

/**
 * A Grafana OpenSearch data source reads one index pattern, so the alerts boards have their own (same cluster,
 * `fortiems-alerts-*`); their data source variable defaults to it.
 */
export const PROVISIONED_ALERTS_DATASOURCE_UID = 'fortiems-opensearch-alerts';
export const PROVISIONED_ALERTS_DATASOURCE_NAME = 'FortiEMS OpenSearch alerts';

export interface ProvisionedDatasource {
  uid: string;
  name: string;
  database: string;
}

export function provisionedDatasource(source: BoardSource): ProvisionedDatasource {
  return source === 'alerts'
    ? { uid: PROVISIONED_ALERTS_DATASOURCE_UID, name: PROVISIONED_ALERTS_DATASOURCE_NAME, database: ALERTS_INDEX_PATTERN }
    : { uid: PROVISIONED_DATASOURCE_UID, name: PROVISIONED_DATASOURCE_NAME, database: EVENTS_INDEX_PATTERN };
}
