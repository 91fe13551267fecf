import { type Board, boardVariables, type Panel, type TemplateVariable } from '../boards/model.js';

export interface PanelRequest {
  /** ISO instants or OpenSearch date math (`now-24h`). */
  from: string;
  to: string;
  /** Selected values per template variable; an empty list or absence means "all". */
  variables?: Partial<Record<TemplateVariable['name'], readonly string[]>>;
  /** The user's Lucene query from the query box ('' for none). */
  query?: string;
  /** date_histogram bucket width, e.g. `1h` (default: chosen from the range by the caller; `auto` lets OpenSearch pick). */
  interval?: string;
}

/** The `bool.filter` clauses shared by every panel of a board: time range, board and panel filters, variables, query. */
export function panelFilters(board: Board, panel: Panel, request: PanelRequest): Record<string, unknown>[] {
  const filters: Record<string, unknown>[] = [{ range: { '@timestamp': { gte: request.from, lte: request.to } } }];
  for (const lucene of [board.filter, panel.filter ?? '', request.query ?? '']) {
    // query_string, not simple_query_string: analysts type Lucene (field:value, AND/OR, ranges) as in Kibana/Grafana.
    if (lucene.trim() !== '') filters.push({ query_string: { query: lucene, default_operator: 'AND', analyze_wildcard: true } });
  }
  for (const variable of boardVariables(board)) {
    const values = request.variables?.[variable.name];
    if (values && values.length > 0) filters.push({ terms: { [variable.field]: [...values] } });
  }
  return filters;
}

/** The OpenSearch `_search` body for one panel. */
export function panelSearchBody(board: Board, panel: Panel, request: PanelRequest): Record<string, unknown> {
  const query = { bool: { filter: panelFilters(board, panel, request) } };
  const spec = panel.query;
  switch (spec.type) {
    case 'count':
      return { size: 0, track_total_hits: true, query };
    case 'cardinality':
      return { size: 0, query, aggs: { value: { cardinality: { field: spec.field } } } };
    case 'terms': {
      if (spec.distinct !== undefined) {
        // Ranked by the distinct count: `order` on a sub-aggregation is exact enough at these sizes (OpenSearch's own
        // per-shard error bound applies, and the templates keep one shard per data stream).
        const distinct = { cardinality: { field: spec.distinct } };
        return {
          size: 0,
          query,
          aggs: { terms: { terms: { field: spec.field, size: spec.size, order: { distinct: 'desc' } }, aggs: { distinct } } },
        };
      }
      const split = spec.splitBy ? { aggs: { split: { terms: { field: spec.splitBy.field, size: spec.splitBy.size } } } } : {};
      return { size: 0, query, aggs: { terms: { terms: { field: spec.field, size: spec.size }, ...split } } };
    }
    case 'date_histogram': {
      const histogram = {
        date_histogram: {
          field: '@timestamp',
          ...(request.interval && request.interval !== 'auto' ? { fixed_interval: request.interval } : { fixed_interval: '1h' }),
          min_doc_count: 0,
          extended_bounds: { min: request.from, max: request.to },
        },
      };
      if (!spec.splitBy) return { size: 0, query, aggs: { over_time: histogram } };
      return {
        size: 0,
        query,
        aggs: { split: { terms: { field: spec.splitBy.field, size: spec.splitBy.size }, aggs: { over_time: histogram } } },
      };
    }
    case 'events':
      return { size: spec.size, query, sort: [{ '@timestamp': 'desc' }], _source: true };
  }
}
