import type { PanelQuery } from '../../boards/model.js';
import type { EventRows, PanelData } from '../api-types.js';
import { toCell, valueAt } from '../web/source-fields.js';

/** The parts of a `_search` answer the console reads. */
export interface SearchAnswer {
  hits?: { total?: number | { value: number }; hits?: { _id: string; _index: string; _source?: Record<string, unknown> }[] };
  aggregations?: Record<string, unknown>;
}

interface TermsBucket {
  key: string | number;
  key_as_string?: string;
  doc_count: number;
  /** The `distinct` cardinality of a terms query ranked by it. */
  distinct?: { value: number };
  split?: { buckets: TermsBucket[] };
  over_time?: { buckets: TimeBucket[] };
}

interface TimeBucket {
  key: number;
  doc_count: number;
}

const keyOf = (bucket: TermsBucket) => bucket.key_as_string ?? String(bucket.key);

function termsBuckets(aggregations: Record<string, unknown> | undefined, name: string): TermsBucket[] {
  return (aggregations?.[name] as { buckets?: TermsBucket[] } | undefined)?.buckets ?? [];
}

export function totalHits(answer: SearchAnswer): number {
  const total = answer.hits?.total;
  return typeof total === 'number' ? total : (total?.value ?? 0);
}

/** Event rows: the columns read from each hit's `_source`, in column order. */
export function eventRows(answer: SearchAnswer, columns: readonly string[]): EventRows {
  const rows = (answer.hits?.hits ?? []).map((hit) => ({
    id: hit._id,
    index: hit._index,
    values: columns.map((column) => toCell(valueAt(hit._source, column))),
  }));
  return { columns, total: totalHits(answer), rows };
}

function timeSeries(answer: SearchAnswer, split: boolean): PanelData {
  const named: { name: string; buckets: TimeBucket[] }[] = split
    ? termsBuckets(answer.aggregations, 'split').map((bucket) => ({ name: keyOf(bucket), buckets: bucket.over_time?.buckets ?? [] }))
    : [{ name: 'events', buckets: (answer.aggregations?.over_time as { buckets?: TimeBucket[] } | undefined)?.buckets ?? [] }];
  // Every split shares extended_bounds, so the axes agree; the union keeps the shape right even if one did not.
  const timestamps = [...new Set(named.flatMap((series) => series.buckets.map((bucket) => bucket.key)))].sort((a, b) => a - b);
  const position = new Map(timestamps.map((timestamp, index) => [timestamp, index]));
  const series = named.map(({ name, buckets }) => {
    const values = new Array<number>(timestamps.length).fill(0);
    for (const bucket of buckets) values[position.get(bucket.key) as number] = bucket.doc_count;
    return { name, values };
  });
  return { type: 'series', timestamps, series };
}

/** The chart data of one panel from the answer to its `panelSearchBody`. */
export function shapePanelData(query: PanelQuery, answer: SearchAnswer): PanelData {
  switch (query.type) {
    case 'count':
      return { type: 'value', value: totalHits(answer) };
    case 'cardinality':
      return { type: 'value', value: (answer.aggregations?.value as { value?: number } | undefined)?.value ?? 0 };
    case 'terms':
      return {
        type: 'buckets',
        buckets: termsBuckets(answer.aggregations, 'terms').map((bucket) => ({
          key: keyOf(bucket),
          count: bucket.distinct?.value ?? bucket.doc_count,
          ...(query.splitBy
            ? { split: (bucket.split?.buckets ?? []).map((inner) => ({ key: keyOf(inner), count: inner.doc_count })) }
            : {}),
        })),
      };
    case 'date_histogram':
      return timeSeries(answer, query.splitBy !== undefined);
    case 'events':
      return { type: 'events', ...eventRows(answer, query.columns) };
  }
}
