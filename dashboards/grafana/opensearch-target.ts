import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';
import type { PanelQuery } from '../boards/model.js';
import { DATASOURCE_REF } from './datasource.js';

/**
 * A target of the OpenSearch data source plugin. The foundation SDK has no OpenSearch module, so this is the plugin's
 * own query model (the same shape as the Elasticsearch plugin's, which it was forked from).
 */
export interface OpenSearchTarget extends cog.Dataquery {
  refId: string;
  datasource: DataSourceRef;
  queryType: 'lucene';
  luceneQueryType: 'Metric' | 'RawData';
  query: string;
  timeField: string;
  metrics: OpenSearchMetric[];
  bucketAggs: OpenSearchBucketAgg[];
  format?: 'table' | 'time_series';
}

export type OpenSearchMetric =
  | { id: string; type: 'count' }
  | { id: string; type: 'cardinality'; field: string }
  | { id: string; type: 'raw_data'; settings: { size: string; order: 'desc' | 'asc'; useTimeRange: boolean } };

export type OpenSearchBucketAgg =
  | {
      id: string;
      type: 'terms';
      field: string;
      /** `_count`, or the id of the metric to rank by. */
      settings: { size: string; order: 'desc'; orderBy: string; min_doc_count: string };
    }
  | { id: string; type: 'date_histogram'; field: string; settings: { interval: string; min_doc_count: string } };

const COUNT_ID = '1';

function terms(id: string, field: string, size: number, orderBy = '_count'): OpenSearchBucketAgg {
  return { id, type: 'terms', field, settings: { size: String(size), order: 'desc', orderBy, min_doc_count: '1' } };
}

// `auto` lets Grafana size the buckets from the panel width; the console and the tests pass a fixed interval instead.
const HISTOGRAM: OpenSearchBucketAgg = {
  id: '9',
  type: 'date_histogram',
  field: '@timestamp',
  settings: { interval: 'auto', min_doc_count: '0' },
};

/** The metrics and bucket aggregations that compute a board's PanelQuery, in the plugin's terms. */
function aggregationsOf(spec: PanelQuery): Pick<OpenSearchTarget, 'metrics' | 'bucketAggs' | 'luceneQueryType' | 'format'> {
  switch (spec.type) {
    case 'count':
      return { luceneQueryType: 'Metric', metrics: [{ id: COUNT_ID, type: 'count' }], bucketAggs: [] };
    case 'cardinality':
      return { luceneQueryType: 'Metric', metrics: [{ id: COUNT_ID, type: 'cardinality', field: spec.field }], bucketAggs: [] };
    case 'terms':
      if (spec.distinct !== undefined) {
        return {
          luceneQueryType: 'Metric',
          format: 'table',
          metrics: [{ id: COUNT_ID, type: 'cardinality', field: spec.distinct }],
          bucketAggs: [terms('2', spec.field, spec.size, COUNT_ID)],
        };
      }
      return {
        luceneQueryType: 'Metric',
        format: 'table',
        metrics: [{ id: COUNT_ID, type: 'count' }],
        bucketAggs: [terms('2', spec.field, spec.size), ...(spec.splitBy ? [terms('3', spec.splitBy.field, spec.splitBy.size)] : [])],
      };
    case 'date_histogram':
      return {
        luceneQueryType: 'Metric',
        format: 'time_series',
        metrics: [{ id: COUNT_ID, type: 'count' }],
        bucketAggs: [...(spec.splitBy ? [terms('2', spec.splitBy.field, spec.splitBy.size)] : []), HISTOGRAM],
      };
    case 'events':
      return {
        luceneQueryType: 'RawData',
        metrics: [{ id: COUNT_ID, type: 'raw_data', settings: { size: String(spec.size), order: 'desc', useTimeRange: true } }],
        bucketAggs: [],
      };
  }
}

/** A builder (the SDK's contract for targets) for one panel's query over the given Lucene string. */
export class OpenSearchTargetBuilder implements cog.Builder<cog.Dataquery> {
  constructor(
    private readonly spec: PanelQuery,
    private readonly lucene: string,
    private readonly refId = 'A',
  ) {}

  build(): OpenSearchTarget {
    return {
      refId: this.refId,
      datasource: DATASOURCE_REF,
      queryType: 'lucene',
      query: this.lucene,
      timeField: '@timestamp',
      ...aggregationsOf(this.spec),
      // The SDK's marker that this object is a data query; a function, so it never reaches the JSON.
      _implementsDataqueryVariant: () => {},
    };
  }
}
