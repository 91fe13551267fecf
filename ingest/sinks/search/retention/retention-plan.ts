/**
 * Which backing indices retention deletes: pure, so the rule is tested without a cluster.
 *
 * A backing index's age counts from its ROLLOVER (the moment it stopped receiving new events), not its creation: an
 * index created on day 0 and rolled over on day 1 holds events of day 1, and deleting it 30 days after its creation
 * would keep them only 29. The rollover time is the cluster's `rollover_info`; when that cannot be read (a user without
 * cluster monitor rights) the creation date of the next backing index stands in for it (the rollover created that
 * index), and only then the index's own creation date. The write index (the last) is never a candidate, whatever its age.
 */
export interface BackingIndex {
  name: string;
  /** `index.creation_date`, ms since the epoch. */
  createdAt: number;
  /** When the data stream rolled over away from this index (`rollover_info.<stream>.time`), when known. */
  rolledOverAt?: number;
}

export interface StreamIndices {
  name: string;
  /** In generation order, as `GET _data_stream` lists them: the last is the write index. */
  indices: BackingIndex[];
}

export type AgeBasis = 'rollover' | 'next-index-created' | 'created';

export interface ExpiredIndex {
  stream: string;
  index: string;
  /** The moment the age counts from, ms since the epoch. */
  since: number;
  basis: AgeBasis;
  ageDays: number;
}

const DAY_MS = 86_400_000;

/** The backing indices whose age (see above) has reached `retentionDays` at `now`; never a stream's write index. */
export function expiredIndices(streams: readonly StreamIndices[], now: number, retentionDays: number): ExpiredIndex[] {
  const retentionMs = retentionDays * DAY_MS;
  const expired: ExpiredIndex[] = [];
  for (const stream of streams) {
    const readOnly = stream.indices.slice(0, -1);
    readOnly.forEach((index, position) => {
      const next = stream.indices[position + 1];
      const [since, basis]: [number, AgeBasis] =
        index.rolledOverAt !== undefined
          ? [index.rolledOverAt, 'rollover']
          : next
            ? [next.createdAt, 'next-index-created']
            : [index.createdAt, 'created'];
      if (now - since >= retentionMs)
        expired.push({ stream: stream.name, index: index.name, since, basis, ageDays: Math.floor((now - since) / DAY_MS) });
    });
  }
  return expired;
}

/** True when `name` is a fortiems data stream (`logs-fortiems.<dataset>-<namespace>`) of exactly this namespace. */
export function isFortiemsStream(name: string, namespace: string): boolean {
  const prefix = 'logs-fortiems.';
  const suffix = `-${namespace}`;
  if (!name.startsWith(prefix) || !name.endsWith(suffix)) return false;
  const dataset = name.slice(prefix.length, name.length - suffix.length);
  // Neither datasets nor namespaces hold a '-', so `logs-fortiems.client-x-default` is no stream of namespace `default`.
  return /^[a-z0-9_.]+$/.test(dataset);
}

export const ROLLOVER_MAX_AGE_PATTERN = '^[1-9][0-9]*(d|h|m|s)$';
export const ROLLOVER_MAX_SIZE_PATTERN = '^[1-9][0-9]*(mb|gb|tb)$';
