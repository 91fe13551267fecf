/**
 * A compiled correlation → one OpenSearch `_search` body over one time window, and the response → the groups whose
 * condition holds. Grouped: a terms (one field) or multi_terms (several) aggregation whose buckets carry the
 * metrics; OpenSearch drops groups below an event_count's lower bound itself (`min_doc_count`, no script needed)
 * and, when asked, every non-firing group (a painless `bucket_selector`). Ungrouped: the metrics at the top level.
 * The condition is always checked again here, so the answer is exact with or without the selector.
 */

import { formatTimespan } from './compile-correlation.js';
import type { CompiledCorrelation } from './compiled.js';
import { conditionHolds } from './load-correlation.js';
import type { Dsl } from './to-dsl.js';
import type { CorrelationCondition } from './types.js';

export interface CorrelationSearchOptions {
  /** Default `@timestamp`. */
  readonly timeField?: string;
  /** Groups evaluated per search (the terms size), default 1000; the most likely to fire come first. */
  readonly maxGroups?: number;
  /** Event ids kept per group, earliest first, default 100. */
  readonly maxEventIds?: number;
  /**
   * Add a `bucket_selector` so only firing groups come back. It needs the painless script engine, which the
   * managed node (OpenSearch's integ-test-zip, no modules) lacks: off by default, on for a full distribution.
   */
  readonly bucketSelector?: boolean;
}

/** Epoch milliseconds; both ends inclusive (`gte from`, `lte to`), the scheduler's and `rules test`'s convention. */
export interface CorrelationWindow {
  readonly from: number;
  readonly to: number;
}

export function correlationSearchBody(
  compiled: CompiledCorrelation,
  window: CorrelationWindow,
  options: CorrelationSearchOptions = {},
): Record<string, unknown> {
  const timeField = options.timeField ?? '@timestamp';
  return searchBody(compiled, { range: { [timeField]: { gte: window.from, lte: window.to, format: 'epoch_millis' } } }, options);
}

/** The same body over the timespan ending now (`gte: now-5m`), for printing a rule (`rules compile --to dsl`). */
export function correlationSearchBodyUntilNow(
  compiled: CompiledCorrelation,
  options: CorrelationSearchOptions = {},
): Record<string, unknown> {
  const timeField = options.timeField ?? '@timestamp';
  return searchBody(compiled, { range: { [timeField]: { gte: `now-${formatTimespan(compiled.rule.timespanMs)}` } } }, options);
}

function searchBody(compiled: CompiledCorrelation, range: Dsl, options: CorrelationSearchOptions): Record<string, unknown> {
  const timeField = options.timeField ?? '@timestamp';
  const metrics = metricsOf(compiled, timeField, options.maxEventIds ?? 100);
  return {
    size: 0,
    // Ungrouped rules read the event count from hits.total: it must be exact, not capped at 10,000.
    track_total_hits: true,
    query: { bool: { filter: [compiled.query, range] } },
    aggs: compiled.groupBy.length === 0 ? metrics : { groups: groupsOf(compiled, metrics, options) },
  };
}

function metricsOf(compiled: CompiledCorrelation, timeField: string, maxEventIds: number): Record<string, Dsl> {
  const metrics: Record<string, Dsl> = {
    first_seen: { min: { field: timeField } },
    last_seen: { max: { field: timeField } },
    events: { top_hits: { size: maxEventIds, _source: false, sort: [{ [timeField]: { order: 'asc', unmapped_type: 'date' } }] } },
  };
  // Below precision_threshold the cardinality aggregation counts (near) exactly; 40,000 is its maximum.
  if (compiled.valueField !== undefined) metrics.distinct = { cardinality: { field: compiled.valueField, precision_threshold: 40_000 } };
  if (compiled.rule.type === 'temporal') {
    for (const [index, branch] of compiled.branches.entries()) metrics[`rule_${index}`] = { filter: branch };
  }
  return metrics;
}

function groupsOf(compiled: CompiledCorrelation, metrics: Record<string, Dsl>, options: CorrelationSearchOptions): Dsl {
  const { type, condition } = compiled.rule;
  const size = options.maxGroups ?? 1000;
  // The terms size cuts the list: sort so the groups that can fire come first (fewest first for "at most" rules).
  const direction =
    condition.gt === undefined && condition.gte === undefined && condition.eq === undefined && type !== 'temporal' ? 'asc' : 'desc';
  const order = { [type === 'value_count' ? 'distinct' : '_count']: direction };
  const least = type === 'event_count' ? leastCount(condition) : 1;
  const common = { size, order, ...(least > 1 ? { min_doc_count: least } : {}) };
  const [single] = compiled.groupBy;
  const source =
    compiled.groupBy.length === 1
      ? { terms: { field: single, ...common } }
      : { multi_terms: { terms: compiled.groupBy.map((field) => ({ field })), ...common } };
  const selector = options.bucketSelector ? { firing: { bucket_selector: selectorOf(compiled) } } : {};
  return { ...source, aggs: { ...metrics, ...selector } };
}

/** The smallest whole count an event_count condition allows (counts are whole numbers). */
function leastCount(condition: CorrelationCondition): number {
  const bounds = [
    condition.gte === undefined ? 1 : Math.ceil(condition.gte),
    condition.gt === undefined ? 1 : Math.floor(condition.gt) + 1,
    condition.eq === undefined ? 1 : Math.ceil(condition.eq),
  ];
  return Math.max(1, ...bounds);
}

function selectorOf(compiled: CompiledCorrelation): Dsl {
  const { type, condition } = compiled.rule;
  if (type === 'temporal') {
    const paths = Object.fromEntries(compiled.branches.map((_branch, index) => [`r${index}`, `rule_${index}>_count`]));
    return {
      buckets_path: paths,
      script: {
        source: Object.keys(paths)
          .map((name) => `params.${name} > 0`)
          .join(' && '),
      },
    };
  }
  const name = type === 'value_count' ? 'distinct' : 'count';
  return {
    buckets_path: { [name]: type === 'value_count' ? 'distinct' : '_count' },
    script: { source: painlessCondition(`params.${name}`, condition) },
  };
}

function painlessCondition(value: string, condition: CorrelationCondition): string {
  const symbols = { gt: '>', gte: '>=', lt: '<', lte: '<=', eq: '==' } as const;
  return (Object.keys(symbols) as (keyof typeof symbols)[])
    .flatMap((op) => (condition[op] === undefined ? [] : [`${value} ${symbols[op]} ${condition[op]}`]))
    .join(' && ');
}

export interface FiringGroup {
  /** Index field name → the group's value. Empty without group-by. */
  readonly group: Record<string, string>;
  /** `field=value` pairs joined by `, `; '' without group-by. */
  readonly groupKey: string;
  readonly count: number;
  /** value_count: distinct values of the value field. */
  readonly distinct?: number;
  /** ISO timestamps of the group's first and last event in the window. */
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** The events' `_id`, earliest first, at most maxEventIds. */
  readonly eventIds: string[];
  /** `_index` of the earliest event. */
  readonly eventIndex: string;
}

type Bucket = Record<string, unknown>;

export function firingGroups(compiled: CompiledCorrelation, responseBody: unknown): FiringGroup[] {
  const body = asRecord(responseBody);
  const aggregations = asRecord(body.aggregations);
  if (compiled.groupBy.length === 0) {
    const total = asRecord(body.hits).total;
    const count = typeof total === 'number' ? total : Number(asRecord(total).value ?? 0);
    const group = groupOf(compiled, { ...aggregations, doc_count: count }, []);
    return group ? [group] : [];
  }
  const buckets = asRecord(aggregations.groups).buckets;
  return (Array.isArray(buckets) ? buckets : []).flatMap((bucket: Bucket) => {
    const key = bucket.key;
    // terms: one key (key_as_string for dates, booleans); multi_terms: an array of keys, in group-by order.
    const values = Array.isArray(key) ? key.map(String) : [String(bucket.key_as_string ?? key)];
    const group = groupOf(compiled, bucket, values);
    return group ? [group] : [];
  });
}

function groupOf(compiled: CompiledCorrelation, bucket: Bucket, values: readonly string[]): FiringGroup | undefined {
  const count = Number(bucket.doc_count ?? 0);
  const first = asRecord(bucket.first_seen).value;
  const last = asRecord(bucket.last_seen).value;
  if (count === 0 || typeof first !== 'number' || typeof last !== 'number') return undefined;
  const distinct = compiled.valueField === undefined ? undefined : Number(asRecord(bucket.distinct).value ?? 0);
  const { type, condition } = compiled.rule;
  const holds =
    type === 'temporal'
      ? compiled.branches.every((_branch, index) => Number(asRecord(bucket[`rule_${index}`]).doc_count ?? 0) > 0)
      : conditionHolds(condition, type === 'value_count' ? (distinct ?? 0) : count);
  if (!holds) return undefined;
  const hits = asRecord(asRecord(asRecord(bucket.events).hits)).hits;
  const events = (Array.isArray(hits) ? hits : []).map(asRecord);
  const group = Object.fromEntries(compiled.groupBy.map((field, index) => [field, values[index] ?? '']));
  return {
    group,
    groupKey: Object.entries(group)
      .map(([field, value]) => `${field}=${value}`)
      .join(', '),
    count,
    ...(distinct === undefined ? {} : { distinct }),
    firstSeen: new Date(first).toISOString(),
    lastSeen: new Date(last).toISOString(),
    eventIds: events.map((hit) => String(hit._id)),
    eventIndex: String(events[0]?._index ?? ''),
  };
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
