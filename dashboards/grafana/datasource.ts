import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';

/** The OpenSearch data source plugin's id (grafana-opensearch-datasource, not the Elasticsearch one). */
export const OPENSEARCH_PLUGIN_ID = 'grafana-opensearch-datasource';

/** The dashboard variable that picks the data source, so one set of JSON works against any provisioned OpenSearch. */
export const DATASOURCE_VARIABLE = 'datasource';

/** What every panel, target and query variable points at: whichever OpenSearch data source `$datasource` names. */
export const DATASOURCE_REF: DataSourceRef = { type: OPENSEARCH_PLUGIN_ID, uid: `\${${DATASOURCE_VARIABLE}}` };

/** The uid of the data source the provisioning file creates (the variable's default). */
export const PROVISIONED_DATASOURCE_UID = 'fortiems-opensearch';
export const PROVISIONED_DATASOURCE_NAME = 'FortiEMS OpenSearch';
