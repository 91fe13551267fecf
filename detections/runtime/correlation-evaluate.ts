/**
 * Evaluates a correlation rule over events already indexed, the way a scheduler running at every instant would:
 * the compiled aggregation (correlationSearchBody + firingGroups, on the real OpenSearch) over the window
 * [t - timespan, t] ending at each distinct timestamp t of an event the base query matches. Windows ending
 * elsewhere add no group for rising conditions (gt, gte, temporal): a window's counts only grow at its next
 * matching event. Used by the scheduler (over the range since its last run), by `fortiems rules test`
 * (expected_matches of a correlation = distinct firing groups) and the scenario integration tests.
 */
import type { Client } from '@opensearch-project/opensearch';
import type { CompiledCorrelation } from '../sigma/compile.js';
import { correlationSearchBody, type FiringGroup, firingGroups } from '../sigma/correlation-search.js';
import { indicesInNamespace } from './rule-samples.js';

/** Windows per multi-search request. */
const BATCH = 100;
/** Beyond this many matching instants, windows end at the last instant of each tenth of the timespan instead. */
const DEFAULT_MAX_WINDOWS = 2000;

export interface Firing {
  readonly group: FiringGroup;
  /** The window it fired in (epoch ms, both ends inclusive). */
  readonly window: { readonly from: number; readonly to: number };
}

export interface FiringOptions {
  /** Default `@timestamp`. */
  readonly timeField?: string;
  /** Only windows ending in this range (epoch ms, inclusive). Default: every matching instant. */
  readonly range?: { readonly from: number; readonly to: number };
  readonly maxWindows?: number;
  /** Whether the group was there already in the aggregation's terms cut (`sum_other_doc_count` > 0). */
  readonly onGroupsCut?: (otherDocuments: number) => void;
}

/**
 * Every incident: a group that fires in a window whose start is after the last firing window's last event of the
 * same group (a burst seen by several overlapping windows is one incident), in order.
 */
export async function correlationFirings(
  client: Client,
  compiled: CompiledCorrelation,
  index: string,
  options: FiringOptions = {},
): Promise<Firing[]> {
  const timeField = options.timeField ?? '@timestamp';
  const { range } = options;
  const matching = range
    ? { bool: { filter: [compiled.query, { range: { [timeField]: { gte: range.from, lte: range.to, format: 'epoch_millis' } } }] } }
    : compiled.query;
  const ends = windowEnds(await matchingInstants(client, index, matching, timeField), compiled.rule.timespanMs, options.maxWindows);
  const lastSeen = new Map<string, number>();
  const firings: Firing[] = [];
  for (let start = 0; start < ends.length; start += BATCH) {
    const windows = ends.slice(start, start + BATCH).map((end) => ({ from: end - compiled.rule.timespanMs, to: end }));
    const body = windows.flatMap((window) => [
      { index, allow_no_indices: true, ignore_unavailable: true },
      correlationSearchBody(compiled, window, { timeField }),
    ]);
    const response = await client.msearch({ body });
    (response.body.responses as unknown[]).forEach((answer, position) => {
      assertComplete(answer, compiled.file);
      const cut = Number(
        (answer as { aggregations?: { groups?: { sum_other_doc_count?: number } } }).aggregations?.groups?.sum_other_doc_count ?? 0,
      );
      if (cut > 0) options.onGroupsCut?.(cut);
      const window = windows[position] as Firing['window'];
      for (const group of firingGroups(compiled, answer)) {
        const previous = lastSeen.get(group.groupKey);
        if (previous === undefined || previous < window.from) firings.push({ group, window });
        lastSeen.set(group.groupKey, Math.max(previous ?? 0, Date.parse(group.lastSeen)));
      }
    });
  }
  return firings;
}

/** A failed or partial answer is an error: a window evaluated on part of the data could miss an incident. */
function assertComplete(answer: unknown, file: string): void {
  const { error } = answer as { error?: unknown };
  if (error !== undefined) throw new Error(`correlation search failed for ${file}: ${JSON.stringify(error)}`);
  if (isPartial(answer)) throw new Error(`correlation search for ${file} answered partially (timed out or shards failed)`);
}

/** Timed out or with failed shards: the hits or buckets cover only part of the data. */
export function isPartial(answer: unknown): boolean {
  const { timed_out: timedOut, _shards: shards } = answer as { timed_out?: boolean; _shards?: { failed?: number } };
  return timedOut === true || (shards?.failed ?? 0) > 0;
}

/** Every matching instant, or (when there are too many) the last instant of each tenth of the timespan. */
function windowEnds(instants: readonly number[], timespanMs: number, maxWindows = DEFAULT_MAX_WINDOWS): number[] {
  if (instants.length <= maxWindows) return [...instants];
  // A burst shorter than 9/10 of the timespan still fits in the window ending at the last instant of its final step.
  const step = Math.max(1000, Math.floor(timespanMs / 10));
  return instants.filter((instant, index) => {
    const next = instants[index + 1];
    return next === undefined || Math.floor(next / step) !== Math.floor(instant / step);
  });
}

/** Every group that fires in some window, once (its first firing window), in order of first firing. */
export async function firingGroupsOverEvents(
  client: Client,
  compiled: CompiledCorrelation,
  namespace: string,
  ids?: readonly string[],
): Promise<FiringGroup[]> {
  // With ids, only those documents count (the samples of one rule among those of others in the same namespace).
  const scoped: CompiledCorrelation =
    ids === undefined ? compiled : { ...compiled, query: { bool: { filter: [compiled.query, { ids: { values: [...ids] } }] } } };
  const firing = new Map<string, FiringGroup>();
  for (const { group } of await correlationFirings(client, scoped, indicesInNamespace(compiled.index, namespace), {
    maxWindows: Number.POSITIVE_INFINITY,
  }))
    if (!firing.has(group.groupKey)) firing.set(group.groupKey, group);
  return [...firing.values()];
}

/** The distinct timestamps (epoch ms, ascending) of the events `query` matches, paged through a composite aggregation. */
async function matchingInstants(client: Client, index: string, query: Record<string, unknown>, timeField: string): Promise<number[]> {
  const instants: number[] = [];
  let after: Record<string, number | string> | undefined;
  do {
    const response = await client.search({
      index,
      allow_no_indices: true,
      ignore_unavailable: true,
      body: {
        size: 0,
        query,
        aggs: {
          instants: {
            composite: { size: 1000, sources: [{ t: { terms: { field: timeField } } }], ...(after ? { after } : {}) },
          },
        },
      },
    });
    assertComplete(response.body, index);
    const aggregation = (
      response.body.aggregations as
        | Record<string, { buckets: { key: { t: number } }[]; after_key?: Record<string, number | string> }>
        | undefined
    )?.instants;
    const buckets = aggregation?.buckets ?? [];
    for (const bucket of buckets) instants.push(bucket.key.t);
    after = buckets.length > 0 ? aggregation?.after_key : undefined;
  } while (after !== undefined);
  return instants;
}
