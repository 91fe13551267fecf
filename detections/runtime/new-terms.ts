/**
 * First-seen rules (`fortiems.new_terms`, detections/sigma/new-terms.ts) on the real OpenSearch, in two searches
 * per page of candidates:
 *
 *   1. the range: a composite aggregation over the rule's fields, on the events its query matches in [from, to];
 *      each bucket is a candidate value with its first event (top_hits, earliest first);
 *   2. the history: the same query over [from - history, from), restricted to the page's values (`terms` per field),
 *      a composite aggregation over the same fields with the last time each value was seen.
 *
 * A candidate is new when it was not seen in the `history` before its first event in the range: never in the history
 * search, or last seen longer ago than that. One alert per new value, on its first event, so a value that comes back
 * in the next run (in the lookback) raises the same alert id again, which the alerts index answers with 409; once the
 * range has moved past it, its own events are its history. Events without the field (or one of the fields) are no
 * candidate: there is no value to compare.
 */
import type { Client } from '@opensearch-project/opensearch';
import type { CompiledRule } from '../sigma/compile.js';
import type { CompiledNewTerms } from '../sigma/new-terms.js';
import { MATCHED_EVENT_FIELDS, type MatchedEvent } from './alert-document.js';
import { isPartial } from './correlation-evaluate.js';
import { indexInNamespace } from './rule-samples.js';

export type NewTermsRule = CompiledRule & { readonly newTerms: CompiledNewTerms };

export interface NewTerm {
  /** The value of each field, by index field name. */
  readonly values: Readonly<Record<string, string | number>>;
  /** `field=value` pairs, for messages and tests. */
  readonly key: string;
  readonly firstSeen: number;
  readonly event: MatchedEvent;
}

export interface NewTermsOptions {
  /** Default `@timestamp`. */
  readonly timeField?: string;
  /** Candidate values come from events in this range (epoch ms, inclusive). */
  readonly range: { readonly from: number; readonly to: number };
  /** Values per page of the composite aggregations (default 500). */
  readonly pageSize?: number;
}

type CompositeKey = Record<string, string | number>;

interface CandidateBucket {
  key: CompositeKey;
  first: { hits: { hits: { _id: string; _index: string; _source?: Record<string, unknown> }[] } };
}

interface HistoryBucket {
  key: CompositeKey;
  last: { value: number | null };
}

const sourceName = (index: number): string => `f${index}`;

function sources(rule: NewTermsRule): Record<string, unknown>[] {
  return rule.newTerms.fields.map((field, index) => ({ [sourceName(index)]: { terms: { field } } }));
}

function keyOf(rule: NewTermsRule, key: CompositeKey): string {
  return JSON.stringify(rule.newTerms.fields.map((_, index) => key[sourceName(index)]));
}

/** One search; the bodies are built here, so the client's request types add nothing but casts. */
async function search(client: Client, index: string, body: Record<string, unknown>): Promise<{ aggregations?: unknown }> {
  const response = await client.search({ index, allow_no_indices: true, ignore_unavailable: true, body: body as never });
  return response.body as { aggregations?: unknown };
}

function assertComplete(answer: unknown, what: string): void {
  const { error } = answer as { error?: unknown };
  if (error !== undefined) throw new Error(`${what} failed: ${JSON.stringify(error)}`);
  if (isPartial(answer)) throw new Error(`${what} answered partially (timed out or shards failed)`);
}

/** Every value of the rule's fields first seen in `range` and not in the `history` before it, earliest first. */
export async function newTerms(client: Client, rule: NewTermsRule, index: string, options: NewTermsOptions): Promise<NewTerm[]> {
  const timeField = options.timeField ?? '@timestamp';
  const size = options.pageSize ?? 500;
  const { range } = options;
  const found: NewTerm[] = [];
  let after: CompositeKey | undefined;
  do {
    const response = await search(client, index, {
      size: 0,
      query: { bool: { filter: [rule.dsl, { range: { [timeField]: { gte: range.from, lte: range.to, format: 'epoch_millis' } } }] } },
      aggs: {
        values: {
          composite: { size, sources: sources(rule), ...(after ? { after } : {}) },
          aggs: {
            first: {
              top_hits: {
                size: 1,
                sort: [{ [timeField]: { order: 'asc' } }, { 'event.id': { order: 'asc', unmapped_type: 'keyword' } }],
                _source: [...MATCHED_EVENT_FIELDS, timeField],
              },
            },
          },
        },
      },
    });
    assertComplete(response, `first-seen search of ${rule.file}`);
    const aggregation = (response.aggregations as { values?: { buckets: CandidateBucket[]; after_key?: CompositeKey } } | undefined)
      ?.values;
    const buckets = aggregation?.buckets ?? [];
    if (buckets.length > 0) found.push(...(await unseen(client, rule, index, buckets, timeField, range.from, size)));
    after = buckets.length > 0 ? aggregation?.after_key : undefined;
  } while (after !== undefined);
  return found.sort((a, b) => a.firstSeen - b.firstSeen || a.event.id.localeCompare(b.event.id));
}

/** The candidates of one page that the history does not know. */
async function unseen(
  client: Client,
  rule: NewTermsRule,
  index: string,
  candidates: readonly CandidateBucket[],
  timeField: string,
  from: number,
  size: number,
): Promise<NewTerm[]> {
  const { fields, historyMs } = rule.newTerms;
  const valuesOf = (position: number): (string | number)[] => [
    ...new Set(candidates.map((bucket) => bucket.key[sourceName(position)] as string | number)),
  ];
  const lastSeen = new Map<string, number>();
  let after: CompositeKey | undefined;
  do {
    const response = await search(client, index, {
      size: 0,
      query: {
        bool: {
          filter: [
            rule.dsl,
            { range: { [timeField]: { gte: from - historyMs, lt: from, format: 'epoch_millis' } } },
            ...fields.map((field, position) => ({ terms: { [field]: valuesOf(position) } })),
          ],
        },
      },
      aggs: {
        values: {
          composite: { size, sources: sources(rule), ...(after ? { after } : {}) },
          aggs: { last: { max: { field: timeField } } },
        },
      },
    });
    assertComplete(response, `first-seen history search of ${rule.file}`);
    const aggregation = (response.aggregations as { values?: { buckets: HistoryBucket[]; after_key?: CompositeKey } } | undefined)?.values;
    const buckets = aggregation?.buckets ?? [];
    for (const bucket of buckets) if (bucket.last.value !== null) lastSeen.set(keyOf(rule, bucket.key), bucket.last.value);
    after = buckets.length > 0 ? aggregation?.after_key : undefined;
  } while (after !== undefined);

  const fresh: NewTerm[] = [];
  for (const bucket of candidates) {
    const hit = bucket.first.hits.hits[0];
    if (!hit) continue;
    const source = hit._source ?? {};
    const firstSeen = Date.parse(String(timeAt(source, timeField)));
    const last = lastSeen.get(keyOf(rule, bucket.key));
    if (last !== undefined && last >= firstSeen - historyMs) continue;
    const values = Object.fromEntries(fields.map((field, position) => [field, bucket.key[sourceName(position)] as string | number]));
    fresh.push({
      values,
      key: fields.map((field) => `${field}=${values[field]}`).join(' '),
      firstSeen,
      event: { id: hit._id, index: hit._index, source },
    });
  }
  return fresh;
}

function timeAt(source: Record<string, unknown>, path: string): unknown {
  if (path in source) return source[path];
  return path.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], source);
}

/**
 * What `fortiems rules test` counts for a first-seen rule over its samples: the values new in the range that starts
 * one `history` after the earliest matching sample (before that, the samples cannot say whether a value was known)
 * and ends at the latest. With `ids`, only those documents count.
 */
export async function newTermsOverEvents(
  client: Client,
  rule: NewTermsRule,
  namespace: string,
  ids?: readonly string[],
): Promise<NewTerm[]> {
  const scoped: NewTermsRule = ids === undefined ? rule : { ...rule, dsl: { bool: { filter: [rule.dsl, { ids: { values: [...ids] } }] } } };
  const index = indexInNamespace(rule.index, namespace);
  const response = await search(client, index, {
    size: 0,
    query: scoped.dsl,
    aggs: { first: { min: { field: '@timestamp' } }, last: { max: { field: '@timestamp' } } },
  });
  assertComplete(response, `first-seen bounds of ${rule.file}`);
  const bounds = response.aggregations as { first?: { value: number | null }; last?: { value: number | null } } | undefined;
  const first = bounds?.first?.value;
  const last = bounds?.last?.value;
  if (first === null || first === undefined || last === null || last === undefined) return [];
  const from = first + rule.newTerms.historyMs;
  if (from > last) return [];
  return newTerms(client, scoped, index, { range: { from, to: last } });
}
