import type { Panel, PanelKind } from '../boards/model.js';

/** One aggregation of a visState, in the shape OSD's visualize editor saves. */
interface VisAgg {
  id: string;
  enabled: true;
  type: string;
  schema: string;
  params: Record<string, unknown>;
}

const COUNT: VisAgg = { id: '1', enabled: true, type: 'count', schema: 'metric', params: {} };

function terms(id: string, schema: string, field: string, size: number): VisAgg {
  return {
    id,
    enabled: true,
    type: 'terms',
    schema,
    params: {
      field,
      orderBy: '1',
      order: 'desc',
      size,
      otherBucket: false,
      otherBucketLabel: 'Other',
      missingBucket: false,
      missingBucketLabel: 'Missing',
    },
  };
}

const DATE_HISTOGRAM: VisAgg = {
  id: '2',
  enabled: true,
  type: 'date_histogram',
  schema: 'segment',
  params: {
    field: '@timestamp',
    interval: 'auto',
    useNormalizedOpenSearchInterval: true,
    scaleMetricValues: false,
    drop_partials: false,
    min_doc_count: 1,
    extended_bounds: {},
  },
};

/** The point-series params (line, bar) OSD's editor writes by default, with one value axis for the metric. */
function pointSeriesParams(
  type: 'line' | 'histogram' | 'horizontal_bar',
  mode: 'normal' | 'stacked',
  label: string,
): Record<string, unknown> {
  const horizontal = type === 'horizontal_bar';
  return {
    type,
    grid: { categoryLines: false },
    categoryAxes: [
      {
        id: 'CategoryAxis-1',
        type: 'category',
        position: horizontal ? 'left' : 'bottom',
        show: true,
        style: {},
        scale: { type: 'linear' },
        labels: { show: true, filter: !horizontal, truncate: 100 },
        title: {},
      },
    ],
    valueAxes: [
      {
        id: 'ValueAxis-1',
        name: 'LeftAxis-1',
        type: 'value',
        position: horizontal ? 'bottom' : 'left',
        show: true,
        style: {},
        scale: { type: 'linear', mode: 'normal' },
        labels: { show: true, rotate: 0, filter: horizontal, truncate: 100 },
        title: { text: label },
      },
    ],
    seriesParams: [
      {
        show: true,
        type: type === 'line' ? 'line' : 'histogram',
        mode,
        data: { label, id: '1' },
        valueAxis: 'ValueAxis-1',
        drawLinesBetweenPoints: true,
        lineWidth: 2,
        showCircles: true,
      },
    ],
    addTooltip: true,
    addLegend: true,
    legendPosition: 'right',
    times: [],
    addTimeMarker: false,
    labels: { show: false },
    thresholdLine: { show: false, value: 10, width: 1, style: 'full', color: '#E7664C' },
  };
}

const METRIC_PARAMS = {
  addTooltip: true,
  addLegend: false,
  type: 'metric',
  metric: {
    percentageMode: false,
    useRanges: false,
    colorSchema: 'Green to Red',
    metricColorMode: 'None',
    colorsRange: [{ from: 0, to: 10000 }],
    labels: { show: true },
    invertColors: false,
    style: { bgFill: '#000', bgColor: false, labelColor: false, subText: '', fontSize: 60 },
  },
};

const VIS_TYPES: Record<Exclude<PanelKind, 'events'>, string> = {
  stat: 'metric',
  timeseries: 'line',
  bar: 'horizontal_bar',
  pie: 'pie',
  table: 'table',
};

/** The visState of one panel: the visualization type, its params and the aggregations that compute its PanelQuery. */
export function visState(panel: Panel): Record<string, unknown> {
  if (panel.kind === 'events') throw new Error(`panel '${panel.id}' is an events panel: it becomes a saved search, not a visualization`);
  const spec = panel.query;
  const type = VIS_TYPES[panel.kind];
  // Buckets are 'segment' (x axis, slices) and 'group' (series) on charts, 'bucket' (rows) in tables.
  const split = panel.kind === 'table' ? 'bucket' : panel.kind === 'pie' ? 'segment' : 'group';
  let aggs: VisAgg[];
  switch (spec.type) {
    case 'count':
      aggs = [COUNT];
      break;
    case 'cardinality':
      aggs = [{ id: '1', enabled: true, type: 'cardinality', schema: 'metric', params: { field: spec.field } }];
      break;
    case 'terms':
      aggs = [
        // Ranked by the metric either way (the terms' orderBy is the metric's id).
        spec.distinct !== undefined
          ? { id: '1', enabled: true, type: 'cardinality', schema: 'metric', params: { field: spec.distinct } }
          : COUNT,
        terms('2', panel.kind === 'table' ? 'bucket' : 'segment', spec.field, spec.size),
        ...(spec.splitBy ? [terms('3', split, spec.splitBy.field, spec.splitBy.size)] : []),
      ];
      break;
    case 'date_histogram':
      aggs = [COUNT, DATE_HISTOGRAM, ...(spec.splitBy ? [terms('3', 'group', spec.splitBy.field, spec.splitBy.size)] : [])];
      break;
    case 'events':
      throw new Error(`panel '${panel.id}' has an events query but kind '${panel.kind}'`);
  }
  const params =
    type === 'metric'
      ? METRIC_PARAMS
      : type === 'pie'
        ? {
            type: 'pie',
            addTooltip: true,
            addLegend: true,
            legendPosition: 'right',
            isDonut: true,
            labels: { show: false, values: true, last_level: true, truncate: 100 },
          }
        : type === 'table'
          ? { perPage: 10, showPartialRows: false, showMetricsAtAllLevels: false, showTotal: false, totalFunc: 'sum', percentageCol: '' }
          : pointSeriesParams(
              type as 'line' | 'horizontal_bar',
              type === 'line' ? 'normal' : 'stacked',
              spec.type === 'terms' && spec.distinct !== undefined ? `Unique count of ${spec.distinct}` : 'Count',
            );
  return { title: panel.title, type, aggs, params };
}
