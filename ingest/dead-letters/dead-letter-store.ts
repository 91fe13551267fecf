import type { Client } from '@opensearch-project/opensearch';
import { deadLetterIndex } from '../sinks/search/dead-letter.js';
import { type DeadLetterFilter, filterQuery } from './filters.js';

/** One dead letter as `fortiems dead-letter` and the console show it (`ingest/sinks/search/dead-letter.ts` writes it). */
export interface StoredDeadLetter {
  /** The letter's `_id`: the event's id, which a replay keeps. */
  id: string;
  /** When it was dead-lettered (a replay refused again leaves it: the range filters stay stable). */
  timestamp: string;
  reason: string;
  message: string;
  dataset: string | undefined;
  /** The line as received: what a replay parses again. */
  original: string | undefined;
  targetIndex: string | undefined;
  attempts: number | undefined;
  /** The document as it was sent (JSON text). */
  document: string | undefined;
  /** How many replays refused it again. */
  replays: number;
}

export interface DeadLetterSummary {
  total: number;
  byReason: { key: string; count: number }[];
  byDataset: { key: string; count: number }[];
  /** The newest letters first. */
  sample: StoredDeadLetter[];
}

interface Source {
  '@timestamp'?: unknown;
  error?: { type?: unknown; message?: unknown };
  event?: { id?: unknown; dataset?: unknown; original?: unknown };
  fortiems?: { dead_letter?: { target_index?: unknown; attempts?: unknown; document?: unknown; replays?: unknown } };
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export function letterOf(id: string, source: Source): StoredDeadLetter {
  const meta = source.fortiems?.dead_letter;
  return {
    id,
    timestamp: text(source['@timestamp']) ?? '',
    reason: text(source.error?.type) ?? 'unknown',
    message: text(source.error?.message) ?? '',
    dataset: text(source.event?.dataset),
    original: text(source.event?.original),
    targetIndex: text(meta?.target_index),
    attempts: typeof meta?.attempts === 'number' ? meta.attempts : undefined,
    document: text(meta?.document),
    replays: typeof meta?.replays === 'number' ? meta.replays : 0,
  };
}

interface Hit {
  _id: string;
  _source: Source;
  sort?: unknown[];
}

const isMissingIndex = (error: unknown): boolean =>
  (error as { meta?: { body?: { error?: { type?: string } } } }).meta?.body?.error?.type === 'index_not_found_exception';

/**
 * The dead-letter index of one namespace (`fortiems-dead-letter-<ns>`), read and pruned. A missing index is an empty
 * store: no sink has refused anything yet.
 */
export class DeadLetterStore {
  readonly index: string;

  constructor(
    private readonly client: Client,
    readonly namespace: string,
  ) {
    this.index = deadLetterIndex(namespace);
  }

  async summary(filter: DeadLetterFilter, sampleSize = 20): Promise<DeadLetterSummary> {
    let body: {
      hits: { total: { value: number }; hits: Hit[] };
      aggregations: Record<'reasons' | 'datasets', { buckets: { key: string; doc_count: number }[] }>;
    };
    try {
      const response = await this.client.search({
        index: this.index,
        body: {
          query: filterQuery(filter),
          size: sampleSize,
          track_total_hits: true,
          sort: [{ '@timestamp': 'desc' }, { 'event.id': 'asc' }],
          aggs: {
            reasons: { terms: { field: 'error.type', size: 50 } },
            datasets: { terms: { field: 'event.dataset', size: 50, missing: '(none)' } },
          },
        } as never,
      });
      body = response.body as never;
    } catch (error) {
      if (isMissingIndex(error)) return { total: 0, byReason: [], byDataset: [], sample: [] };
      throw error;
    }
    const buckets = (name: 'reasons' | 'datasets') =>
      body.aggregations[name].buckets.map((bucket) => ({ key: String(bucket.key), count: bucket.doc_count }));
    return {
      total: body.hits.total.value,
      byReason: buckets('reasons'),
      byDataset: buckets('datasets'),
      sample: body.hits.hits.map((hit) => letterOf(hit._id, hit._source)),
    };
  }

  async get(id: string): Promise<StoredDeadLetter | undefined> {
    const response = await this.client.get({ index: this.index, id }, { ignore: [404] });
    const body = response.body as { found?: boolean; _id: string; _source: Source };
    return body.found ? letterOf(body._id, body._source) : undefined;
  }

  /** Up to `size` letters after `after` (oldest first), with the cursor for the next page. */
  async page(
    filter: DeadLetterFilter,
    size: number,
    after?: unknown[],
  ): Promise<{ letters: StoredDeadLetter[]; next: unknown[] | undefined }> {
    let hits: Hit[];
    try {
      const response = await this.client.search({
        index: this.index,
        body: {
          query: filterQuery(filter),
          size,
          sort: [{ '@timestamp': 'asc' }, { 'event.id': 'asc' }],
          ...(after ? { search_after: after } : {}),
        } as never,
      });
      hits = (response.body as { hits: { hits: Hit[] } }).hits.hits;
    } catch (error) {
      if (isMissingIndex(error)) return { letters: [], next: undefined };
      throw error;
    }
    return { letters: hits.map((hit) => letterOf(hit._id, hit._source)), next: hits.at(-1)?.sort };
  }

  /** Deletes letters by id; returns how many were deleted (an id already gone counts as deleted: a replay ran twice). */
  async delete(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const body = ids.map((id) => ({ delete: { _index: this.index, _id: id } }));
    const response = await this.client.bulk({ body: body as never, refresh: true });
    const items = (response.body as { items: { delete: { status: number } }[] }).items;
    return items.filter((item) => item.delete.status === 200 || item.delete.status === 404).length;
  }

  /**
   * A replay refused again: the letter stays, with the new reason and the count of replays (`@timestamp` is kept, so a
   * replay paging by time never meets the same letter twice).
   */
  async refusedAgain(letters: readonly { letter: StoredDeadLetter; reason: string; message: string }[], at: Date): Promise<void> {
    if (letters.length === 0) return;
    const body = letters.flatMap(({ letter, reason, message }) => [
      { update: { _index: this.index, _id: letter.id } },
      {
        doc: {
          error: { type: reason, message },
          fortiems: { dead_letter: { replays: letter.replays + 1, replayed_at: at.toISOString() } },
        },
      },
    ]);
    await this.client.bulk({ body: body as never, refresh: true });
  }
}
