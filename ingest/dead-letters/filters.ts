/**
 * Which dead letters a command or the console means: a time range (when they were dead-lettered), a reason
 * (`error.type`) and a dataset. One shape for the CLI, the console and the replay, turned into one query.
 */
export interface DeadLetterFilter {
  /** Epoch ms, inclusive. */
  from?: number | undefined;
  /** Epoch ms, inclusive. */
  to?: number | undefined;
  /** `error.type`, e.g. `mapper_parsing_exception`. */
  reason?: string | undefined;
  /** `event.dataset`, e.g. `fortiems.ems_vpn`. */
  dataset?: string | undefined;
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A time bound as people type it: an ISO 8601 time (`2026-12-01T00:00:00Z`, `2026-12-01`), epoch milliseconds, or a span
 * back from now (`30m`, `24h`, `7d`, also written `now-24h`). Throws with the accepted forms.
 */
export function parseTimeBound(text: string, now: number = Date.now()): number {
  const value = text.trim();
  const span = /^(?:now-)?(\d+)(s|m|h|d)$/.exec(value);
  if (span) return now - Number(span[1]) * (UNITS[span[2] as string] as number);
  if (value === 'now') return now;
  if (/^\d{10,}$/.test(value)) return Number(value);
  const parsed = Date.parse(value);
  if (/^\d{4}-\d{2}-\d{2}/.test(value) && Number.isFinite(parsed)) return parsed;
  throw new Error(`'${text}' is not a time: give an ISO time (2026-12-01T08:00:00Z), epoch ms, or a span back from now (30m, 24h, 7d)`);
}

/** The filter's clauses (an empty list matches every letter). */
export function filterClauses(filter: DeadLetterFilter): Record<string, unknown>[] {
  const clauses: Record<string, unknown>[] = [];
  if (filter.from !== undefined || filter.to !== undefined) {
    const range: Record<string, unknown> = { format: 'epoch_millis' };
    if (filter.from !== undefined) range.gte = filter.from;
    if (filter.to !== undefined) range.lte = filter.to;
    clauses.push({ range: { '@timestamp': range } });
  }
  if (filter.reason) clauses.push({ term: { 'error.type': filter.reason } });
  if (filter.dataset) clauses.push({ term: { 'event.dataset': filter.dataset } });
  return clauses;
}

export function filterQuery(filter: DeadLetterFilter): Record<string, unknown> {
  const clauses = filterClauses(filter);
  return clauses.length === 0 ? { match_all: {} } : { bool: { filter: clauses } };
}

/** Checks a filter's values (from ≤ to, no empty strings): the console's and the CLI's one check. */
export function checkFilter(filter: DeadLetterFilter): void {
  if (filter.from !== undefined && filter.to !== undefined && filter.from > filter.to)
    throw new Error('the time range ends before it starts: from must be at or before to');
  if (filter.reason === '' || filter.dataset === '') throw new Error('an empty reason or dataset matches nothing: leave it out');
}
