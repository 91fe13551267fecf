import type { Board, Panel } from '../boards/model.js';

/**
 * One Lucene string for a panel, for the tools that take a query string instead of a `_search` body (Grafana targets,
 * OpenSearch Dashboards' searchSourceJSON). Each part is parenthesised so an `OR` inside a board filter cannot leak
 * into the conjunction. `panelSearchBody` stays the reference: it applies the same board and panel filters as
 * separate `query_string` clauses, which is the same conjunction.
 */
export function panelLucene(board: Board, panel: Panel, extra: readonly string[] = []): string {
  const parts = [board.filter, panel.filter ?? '', ...extra].map((part) => part.trim()).filter((part) => part !== '');
  if (parts.length === 0) return '*';
  if (parts.length === 1) return parts[0] as string;
  return parts.map((part) => `(${part})`).join(' AND ');
}
