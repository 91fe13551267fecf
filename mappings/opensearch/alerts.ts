/**
 * The alerts index: what the detection scheduler writes when a rule fires, and what the console's alerts view and
 * the alert outputs read. A plain index per namespace (not a data stream): alerts are written with `create` and a
 * deterministic `_id`, so a rule run that sees the same event or the same group again never doubles an alert.
 * ECS names where ECS has them (`rule.*`, `event.*`, `threat.*`), the rest under `fortiems.alert`.
 */
export const alertsIndex = (namespace: string): string => `fortiems-alerts-${namespace}`;

/** Sigma levels, lowest first. */
export const ALERT_LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];

/** Sigma level → syslog severity (0 emergency … 7 debug), so alerts sort and forward like our events do. */
export const ALERT_SEVERITY: Readonly<Record<AlertLevel, number>> = {
  critical: 2,
  high: 3,
  medium: 4,
  low: 5,
  informational: 6,
};

/** An alert's workflow state: raised `open`, taken up (`acknowledged`), done (`closed`, with a note). */
export const ALERT_STATUSES = ['open', 'acknowledged', 'closed'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** The fields an analyst changes. */
export type AlertWorkField = 'status' | 'assignee' | 'note';

/** One change of one field, kept in the alert document in the order made. */
export interface AlertAuditEntry {
  /** The console user (or API caller) who made it. */
  who: string;
  /** ISO instant. */
  when: string;
  field: AlertWorkField;
  /** `null`: the field had no value (no assignee, no note) or has none now. */
  from: string | null;
  to: string | null;
}

/** What one request changes; absent fields stay as they are, `null` clears an assignee or a note. */
export interface AlertChange {
  status?: AlertStatus;
  assignee?: string | null;
  note?: string | null;
}

/** `_seq_no` and `_primary_term` of the version a change was made against (OpenSearch's optimistic concurrency). */
export interface AlertVersion {
  seq_no: number;
  primary_term: number;
}

/** How a change ended: the stored alert and its new version, or why nothing was written (HTTP-shaped status). */
export type AlertChangeOutcome =
  | { ok: true; index: string; alert: AlertDocument; version: AlertVersion; entries: AlertAuditEntry[] }
  | { ok: false; status: 400 | 404 | 409; message: string };

/** How a rule matched: one event (a plain Sigma rule) or a group over a window (a correlation rule). */
export type AlertRuleType = 'query' | 'event_count' | 'value_count' | 'temporal';

export interface AlertDocument {
  /** When the alert was raised (the scheduler's run time). */
  '@timestamp': string;
  message: string;
  event: {
    kind: 'alert';
    /** The alert's own id (also its `_id`). */
    id: string;
    severity: number;
    dataset: 'fortiems.alert';
  };
  rule: {
    /** The Sigma rule's `id` (a UUID), or its file name when it has none. */
    id: string;
    name: string;
    description?: string;
    /** `query` for plain rules, the correlation type otherwise. */
    category: AlertRuleType;
    /** The rule file, relative to the rules folder. */
    reference: string;
    author?: string;
  };
  threat?: {
    tactic?: { name: string[] };
    technique?: { id: string[] };
  };
  tags: string[];
  fortiems: {
    alert: {
      level: AlertLevel;
      /** `open` when raised; changed by an analyst (console drawer, PATCH /console/api/alerts/:id), never by a rule run. */
      status: AlertStatus;
      /** Who works on it; absent or `null`: nobody. */
      assignee?: string | null;
      /** The latest note (a closing alert needs one); earlier ones stay in `audit`. */
      note?: string | null;
      /** Every change of status, assignee and note: who, when, from what to what. */
      audit?: AlertAuditEntry[];
      /** False until every configured output holds the alert durably; a restart hands the false ones again. */
      handed_to_outputs: boolean;
      /** The searched window (the run's window, or the correlation's timespan ending at the run). */
      window: { start: string; end: string };
      /** Correlation rules: the group-by field values of the firing group; plain rules: absent. */
      group?: Record<string, string>;
      /** A stable text form of `group` (`field=value` joined by `, `), `''` when the rule has no group-by. */
      group_key: string;
      /** Matching events counted for this alert (1 for a plain rule). */
      count: number;
      /** value_count rules: the distinct values of the counted field. */
      distinct?: number;
      /** The first and last matching event times in the window. */
      first_seen: string;
      last_seen: string;
      /** Ids (`event.id`) of up to 100 matching events, for the console's drill-down. */
      event_ids: string[];
      /** The matching events' index (for the drill-down). */
      event_index: string;
      /** The rule's query as Lucene, for pasting into Dashboards or Grafana. */
      query: string;
      false_positives?: string[];
      /** Plain rules: the one matching event's message, host, user and source address, for a readable list. */
      source_event?: {
        dataset?: string;
        message?: string;
        host?: string;
        user?: string;
        source_ip?: string;
        timestamp?: string;
      };
    };
  };
}

export const ALERTS_INDEX_BODY = {
  settings: { number_of_shards: 1, auto_expand_replicas: '0-1', refresh_interval: '1s' },
  mappings: {
    dynamic: false,
    properties: {
      '@timestamp': { type: 'date' },
      message: { type: 'text' },
      tags: { type: 'keyword' },
      event: {
        properties: {
          kind: { type: 'keyword' },
          id: { type: 'keyword' },
          severity: { type: 'long' },
          dataset: { type: 'keyword' },
        },
      },
      rule: {
        properties: {
          id: { type: 'keyword' },
          name: { type: 'keyword' },
          description: { type: 'text' },
          category: { type: 'keyword' },
          reference: { type: 'keyword' },
          author: { type: 'keyword' },
        },
      },
      threat: {
        properties: {
          tactic: { properties: { name: { type: 'keyword' } } },
          technique: { properties: { id: { type: 'keyword' } } },
        },
      },
      fortiems: {
        properties: {
          alert: {
            properties: {
              level: { type: 'keyword' },
              status: { type: 'keyword' },
              assignee: { type: 'keyword' },
              note: { type: 'text' },
              audit: {
                properties: {
                  who: { type: 'keyword' },
                  when: { type: 'date' },
                  field: { type: 'keyword' },
                  // Kept to read back, not to search: a note can be long.
                  from: { type: 'keyword', index: false, doc_values: false },
                  to: { type: 'keyword', index: false, doc_values: false },
                },
              },
              handed_to_outputs: { type: 'boolean' },
              window: { properties: { start: { type: 'date' }, end: { type: 'date' } } },
              group: { type: 'flat_object' },
              group_key: { type: 'keyword' },
              count: { type: 'long' },
              distinct: { type: 'long' },
              first_seen: { type: 'date' },
              last_seen: { type: 'date' },
              event_ids: { type: 'keyword' },
              event_index: { type: 'keyword' },
              query: { type: 'text', index: false },
              false_positives: { type: 'text', index: false },
              source_event: {
                properties: {
                  dataset: { type: 'keyword' },
                  message: { type: 'keyword' },
                  host: { type: 'keyword' },
                  user: { type: 'keyword' },
                  source_ip: { type: 'keyword' },
                  timestamp: { type: 'date' },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;
