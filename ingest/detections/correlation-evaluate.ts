/**
 * Evaluates a correlation rule over events already indexed, the way a scheduler running at every instant would:
 * the compiled aggregation (correlationSearchBody + firingGroups, on the real OpenSearch) over the window
 * [t - timespan, t] ending at each distinct timestamp t of an event the base query matches. Windows ending
 * elsewhere add no group for rising conditions (gt, gte, temporal): a window's counts only grow at its next
 * matching event. Used by `fortiems rules
 * test` (expected_matches of a correlation = distinct firing groups) and the scenario integration tests.
 */
import type { Client } from '@opensearch-project/opensearch';
import type { CompiledCorrelation } from '../../detections/sigma/compile.js';
import { correlationSearchBody, type FiringGroup, firingGroups } from '../../detections/sigma/correlation-search.js';
import { indicesInNamespace } from './rule-samples.js';

const TIME_FIELD = '@timestamp';
/** Windows per multi-search request. */
const BATCH = 100;

/** Every group that fires in some window, once (its first firing window), in order of first firing. */
export async function firingGroupsOverEvents(
  client: Client,
  compiled: CompiledCorrelation,
  namespace: string,
  ids?: readonly string[],
): Promise<FiringGroup[]> {
  const index = indicesInNamespace(compiled.index, namespace);
  // With ids, only those documents count (the samples of one rule among those of others in the same namespace).
  const scoped: CompiledCorrelation =
    ids === undefined ? compiled : { ...compiled, query: { bool: { filter: [compiled.query, { ids: { values: [...ids] } }] } } };
  const instants = await matchingInstants(client, index, scoped.query);
  const firing = new Map<string, FiringGroup>();
  for (let start = 0; start < instants.length; start += BATCH) {
    const body = instants
      .slice(start, start + BATCH)
      .flatMap((instant) => [
        { index, allow_no_indices: true, ignore_unavailable: true },
        correlationSearchBody(scoped, { from: instant - compiled.rule.timespanMs, to: instant }, { timeField: TIME_FIELD }),
      ]);
    const response = await client.msearch({ body });
    for (const answer of response.body.responses as unknown[]) {
      const error = (answer as { error?: unknown }).error;
      if (error !== undefined) throw new Error(`correlation search failed for ${compiled.file}: ${JSON.stringify(error)}`);
      for (const group of firingGroups(scoped, answer)) if (!firing.has(group.groupKey)) firing.set(group.groupKey, group);
    }
  }
  return [...firing.values()];
}

/** The distinct timestamps (epoch ms, ascending) of the events `query` matches, paged through a composite aggregation. */
async function matchingInstants(client: Client, index: string, query: Record<string, unknown>): Promise<number[]> {
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
            composite: { size: 1000, sources: [{ t: { terms: { field: TIME_FIELD } } }], ...(after ? { after } : {}) },
          },
        },
      },
    });
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
