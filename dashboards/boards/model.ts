import { alertsIndex } from '../../mappings/opensearch/alerts.js';

/**
 * The boards, defined once. Every output is generated from these definitions — Grafana JSON, OpenSearch Dashboards
 * saved objects, the web console's views — and every panel's query is executed against a real OpenSearch in the tests,
 * so a board cannot drift from the data it claims to show.
 */

/** The filters every board offers, each bound to one indexed field. */
export interface TemplateVariable {
  /** Name in Grafana (`$name`) and in the console's URL. */
  name: 'ems_server' | 'category' | 'level' | 'site';
  label: string;
  field: string;
}

export const TEMPLATE_VARIABLES: readonly TemplateVariable[] = [
  { name: 'ems_server', label: 'EMS server', field: 'observer.hostname' },
  { name: 'category', label: 'Category', field: 'data_stream.dataset' },
  { name: 'level', label: 'Level', field: 'log.level' },
  { name: 'site', label: 'Site', field: 'ems.vd' },
];

/** What a panel computes over the documents its filter selects. */
export type PanelQuery =
  /** One number: how many documents. */
  | { type: 'count' }
  /** One number: distinct values of a field. */
  | { type: 'cardinality'; field: string }
  /** The top values of a field with their counts (optionally split by a second field). */
  | { type: 'terms'; field: string; size: number; splitBy?: { field: string; size: number }; distinct?: undefined }
  /**
   * The top values of a field ranked by how many distinct values of `distinct` each has (e.g. CVEs by affected hosts),
   * not by documents: a CVE reported on three hosts every day for a week counts 3, not 21.
   */
  | { type: 'terms'; field: string; size: number; distinct: string; splitBy?: undefined }
  /** Documents per time bucket, optionally one series per value of a field. */
  | { type: 'date_histogram'; splitBy?: { field: string; size: number } }
  /** The newest matching documents, with these columns. */
  | { type: 'events'; columns: readonly string[]; size: number };

export type PanelKind = 'stat' | 'timeseries' | 'bar' | 'pie' | 'table' | 'events';

export interface Panel {
  id: string;
  title: string;
  kind: PanelKind;
  /** Lucene query narrowing the board's documents for this panel (ANDed with the board's filter). */
  filter?: string;
  query: PanelQuery;
  /** Layout on a 24-column grid (Grafana's): width and height in grid units. */
  width: number;
  height: number;
  description?: string;
}

/** What a board reads: the EMS events (default) or the alerts the detection scheduler raised. */
export type BoardSource = 'events' | 'alerts';

export interface Board {
  /** Stable id: the Grafana uid, the saved-object id, the console's route. */
  id: string;
  /** `alerts`: the board reads ALERTS_INDEX_PATTERN and takes none of the template variables (alerts have no such fields). */
  source?: BoardSource;
  title: string;
  description: string;
  /** Lucene query every panel of the board starts from ('' for all events). */
  filter: string;
  panels: readonly Panel[];
}

/**
 * The index pattern every board reads: the fortiems data streams of every namespace. A board narrows it to its
 * datasets with its filter on `data_stream.dataset` (one Lucene term or several ORed), so one index pattern, one
 * Grafana data source and one OSD index pattern serve every board.
 */
export const EVENTS_INDEX_PATTERN = 'logs-fortiems.*';

/** The index pattern the alerts boards read: every namespace's alerts index. */
export const ALERTS_INDEX_PATTERN = alertsIndex('*');

export const boardSource = (board: Board): BoardSource => board.source ?? 'events';

/** Where a board's documents are. */
export const boardIndexPattern = (board: Board): string => (boardSource(board) === 'alerts' ? ALERTS_INDEX_PATTERN : EVENTS_INDEX_PATTERN);

/** The template variables a board takes: the events' ones, none on an alerts board (the fields are not there). */
export const boardVariables = (board: Board): readonly TemplateVariable[] => (boardSource(board) === 'alerts' ? [] : TEMPLATE_VARIABLES);
