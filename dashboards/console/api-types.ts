/**
 * The JSON the console's API answers with: one definition the server fills and the browser reads, so the two cannot
 * drift. Types only (no code), so the browser build can import it.
 */
import type { AlertAuditEntry, AlertDocument, AlertLevel, AlertStatus, AlertVersion } from '../../mappings/opensearch/alerts.js';
import type { Board, TemplateVariable } from '../boards/model.js';

/** A scalar as it comes out of `_source` and into a table cell. Objects and arrays arrive as JSON text. */
export type CellValue = string | number | boolean | null;

/** Rows of events: one `values` entry per column, in column order. */
export interface EventRows {
  columns: readonly string[];
  /** Matching documents in the whole range (not only this page). */
  total: number;
  rows: { id: string; index: string; values: CellValue[] }[];
}

/** What a panel shows, by the shape of its query (not by how it is drawn). */
export type PanelData =
  /** `count` and `cardinality`. */
  | { type: 'value'; value: number }
  /** `terms`: buckets in the order OpenSearch ranked them; `split` per bucket when the query splits. */
  | { type: 'buckets'; buckets: { key: string; count: number; split?: { key: string; count: number }[] }[] }
  /** `date_histogram`: one shared time axis (epoch ms, bucket starts) and one series per split value. */
  | { type: 'series'; timestamps: number[]; series: { name: string; values: number[] }[] }
  /** `events`. */
  | ({ type: 'events' } & EventRows);

export interface SessionAnswer {
  user: string;
  /** Epoch ms after which the session is gone. */
  expiresAt: number;
  /** Whether log settings can be managed here (an EMS core admin API is configured). */
  emsApi: boolean;
  /** Whether alerts can be worked here (status, assignee, note): the service wired the detection runtime in. */
  alertChanges: boolean;
}

export interface BoardsAnswer {
  boards: readonly Board[];
  variables: readonly Pick<TemplateVariable, 'name' | 'label' | 'field'>[];
  /** The categories (`data_stream.dataset` values) the events view filters by. */
  datasets: readonly string[];
}

export interface RangeAnswer {
  /** The resolved range, ISO instants. */
  from: string;
  to: string;
}

export interface PanelAnswer extends RangeAnswer {
  board: string;
  panel: string;
  /** The date_histogram bucket width used, e.g. `5m`. */
  interval: string;
  data: PanelData;
  /** Shards that failed while others answered (the data is partial). */
  warnings: string[];
}

export interface VariableValuesAnswer {
  name: string;
  values: { key: string; count: number }[];
}

export interface EventsAnswer extends RangeAnswer, EventRows {
  page: number;
  size: number;
  warnings: string[];
}

export interface EventAnswer {
  id: string;
  index: string;
  /** The whole document as indexed, `event.original` (the raw line) included. */
  source: Record<string, unknown>;
}

/** An alert as the scheduler wrote it, with its `_id` (= `event.id`) and index. */
export type AlertRow = AlertDocument & { id: string; index: string };

export interface AlertsAnswer extends RangeAnswer {
  /** Alerts matching every filter (not only this page). */
  total: number;
  page: number;
  size: number;
  /** Newest first. */
  alerts: AlertRow[];
  /** Alerts per level in the range and query, whatever the minimum level (so the counts show what the filter hides). */
  levels: Record<AlertLevel, number>;
  /** Alerts per status in the range and query, whatever the status filter. */
  statuses: Record<AlertStatus, number>;
  /** The rules that fired in the range, query and minimum level, most alerts first: the rule filter's choices. */
  rules: { id: string; name: string; count: number }[];
  warnings: string[];
}

export interface AlertAnswer {
  alert: AlertRow;
  /** The version shown: a change sends it back, and answers 409 when the alert changed in between. */
  version?: AlertVersion;
  /** The alert's matching events that are still indexed, as the event table shows them. */
  events: EventRows;
  warnings: string[];
}

/** PATCH /api/alerts/:id: what a change sends (the version it was decided on, when known). */
export interface AlertChangeRequest {
  status?: AlertStatus;
  assignee?: string | null;
  note?: string | null;
  if_seq_no?: number;
  if_primary_term?: number;
}

/** The alert as stored after the change, its new version and the audit entries the change added. */
export interface AlertChangeAnswer {
  alert: AlertRow;
  version: AlertVersion;
  entries: AlertAuditEntry[];
}

/** Every error leaves in this shape; `problems` lists each invalid parameter. */
export interface ErrorAnswer {
  error: string;
  message?: string;
  problems?: string[];
}

/** The EMS core's volume counters: lines per category and level. */
export interface VolumeAnswer {
  emitted: Record<string, Record<string, number>>;
  suppressed: Record<string, Record<string, number>>;
}

export interface CategorySettingAnswer {
  enabled: boolean;
  level: string;
}

/** The part of the EMS core's log settings the console shows and changes. */
export interface LogSettingsAnswer {
  categories: Record<string, CategorySettingAnswer>;
  retentionDays: number;
  destinations: unknown[];
}

export interface LogSettingsPatchAnswer {
  settings: LogSettingsAnswer;
  changes: { setting: string; oldValue: string; newValue: string }[];
}
