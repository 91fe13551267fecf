import {
  ALERT_LEVELS,
  ALERT_STATUSES,
  type AlertDocument,
  type AlertLevel,
  type AlertStatus,
} from '../../../mappings/opensearch/alerts.js';
import type { AlertRow, AlertsAnswer } from '../api-types.js';
import type { SearchAnswer } from './shape-results.js';

export interface AlertFilters {
  from: string;
  to: string;
  q: string;
  /** The minimum level; absent means every level. */
  level?: AlertLevel | undefined;
  rule?: string | undefined;
  status?: AlertStatus | undefined;
}

// Enough for a rule select; the pack has a few dozen rules, a site rarely more than a hundred.
const RULES_SHOWN = 200;

export const levelsFrom = (minimum: AlertLevel): AlertLevel[] => ALERT_LEVELS.slice(ALERT_LEVELS.indexOf(minimum));

/**
 * The `_search` body of the alerts list. The range and query box narrow everything; the level and rule filters go to
 * `post_filter`, and each facet applies only the others, so the level and status counts and the rule select still show
 * what a selection hides (a select that drops its own alternatives cannot be changed back).
 */
export function alertsSearchBody(filters: AlertFilters, page: number, size: number): Record<string, unknown> {
  const query: Record<string, unknown>[] = [{ range: { '@timestamp': { gte: filters.from, lte: filters.to } } }];
  if (filters.q.trim() !== '') query.push({ query_string: { query: filters.q, default_operator: 'AND', analyze_wildcard: true } });
  const byLevel = filters.level ? { terms: { 'fortiems.alert.level': levelsFrom(filters.level) } } : { match_all: {} };
  const byRule = filters.rule ? { term: { 'rule.id': filters.rule } } : { match_all: {} };
  const byStatus = filters.status ? statusFilter(filters.status) : { match_all: {} };
  return {
    from: (page - 1) * size,
    size,
    track_total_hits: true,
    query: { bool: { filter: query } },
    post_filter: { bool: { filter: [byLevel, byRule, byStatus] } },
    // event.id breaks ties, so alerts of one run (same @timestamp) keep their order from page to page.
    sort: [{ '@timestamp': 'desc' }, { 'event.id': 'asc' }],
    aggs: {
      levels: {
        filter: { bool: { filter: [byRule, byStatus] } },
        aggs: { values: { terms: { field: 'fortiems.alert.level', size: ALERT_LEVELS.length } } },
      },
      statuses: {
        filter: { bool: { filter: [byLevel, byRule] } },
        // An alert of an older scheduler without the field is open: `missing` counts it there.
        aggs: { values: { terms: { field: 'fortiems.alert.status', size: ALERT_STATUSES.length, missing: 'open' } } },
      },
      rules: {
        filter: { bool: { filter: [byLevel, byStatus] } },
        aggs: {
          values: {
            terms: { field: 'rule.id', size: RULES_SHOWN },
            aggs: { name: { terms: { field: 'rule.name', size: 1 } } },
          },
        },
      },
    },
  };
}

/** `open` also takes the alerts that have no status (written before the field was set): they were never worked. */
function statusFilter(status: AlertStatus): Record<string, unknown> {
  if (status !== 'open') return { term: { 'fortiems.alert.status': status } };
  return {
    bool: {
      should: [{ term: { 'fortiems.alert.status': 'open' } }, { bool: { must_not: [{ exists: { field: 'fortiems.alert.status' } }] } }],
      minimum_should_match: 1,
    },
  };
}

interface Bucket {
  key: string;
  doc_count: number;
  name?: { buckets?: Bucket[] };
}

const bucketsOf = (aggregations: Record<string, unknown> | undefined, name: string): Bucket[] =>
  (aggregations?.[name] as { values?: { buckets?: Bucket[] } } | undefined)?.values?.buckets ?? [];

export function alertRow(hit: { _id: string; _index: string; _source?: Record<string, unknown> }): AlertRow {
  return { ...(hit._source as unknown as AlertDocument), id: hit._id, index: hit._index };
}

/** The list, the level counts (every level, zeros included) and the rule choices from the answer to alertsSearchBody. */
export function shapeAlerts(answer: SearchAnswer): Pick<AlertsAnswer, 'alerts' | 'levels' | 'statuses' | 'rules'> {
  const levels = Object.fromEntries(ALERT_LEVELS.map((level) => [level, 0])) as Record<AlertLevel, number>;
  for (const bucket of bucketsOf(answer.aggregations, 'levels'))
    if ((ALERT_LEVELS as readonly string[]).includes(bucket.key)) levels[bucket.key as AlertLevel] = bucket.doc_count;
  const statuses = Object.fromEntries(ALERT_STATUSES.map((status) => [status, 0])) as Record<AlertStatus, number>;
  for (const bucket of bucketsOf(answer.aggregations, 'statuses'))
    if ((ALERT_STATUSES as readonly string[]).includes(bucket.key)) statuses[bucket.key as AlertStatus] += bucket.doc_count;
  const rules = bucketsOf(answer.aggregations, 'rules').map((bucket) => ({
    id: bucket.key,
    name: bucket.name?.buckets?.[0]?.key ?? bucket.key,
    count: bucket.doc_count,
  }));
  return { alerts: (answer.hits?.hits ?? []).map(alertRow), levels, statuses, rules };
}

const globRegExp = (pattern: string) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);

// A plain name or wildcard pattern: no exclusion (`-…`), no remote cluster (`x:…`), no `_all`.
const INDEX_EXPRESSION = /^[a-z0-9][a-z0-9._*-]{0,254}$/;

/**
 * Where to look for an alert's events: its `event_index` when every part of it lies inside the console's own index
 * pattern, else that pattern. The alert document names the index, and the console must not read outside its scope
 * because a document said so. A part is inside when its text matches the pattern with its own `*` taken literally:
 * each of its wildcards then falls in one of the pattern's, so whatever it expands to does too.
 */
export function eventIndexWithin(eventIndex: string | undefined, consolePattern: string): string {
  const scope = consolePattern.split(',').map(globRegExp);
  const parts = (eventIndex ?? '').split(',');
  const inside = parts.every((part) => INDEX_EXPRESSION.test(part) && scope.some((pattern) => pattern.test(part)));
  return inside ? parts.join(',') : consolePattern;
}
