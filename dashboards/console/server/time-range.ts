/**
 * The time range of a request: `now`, `now-<n><unit>` or an ISO instant, resolved once on the server so every panel
 * of a refresh sees the same instants and the bucket width can follow the span.
 */
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** What the query-string schema accepts for `from` and `to`. */
export const INSTANT_PATTERN =
  '^(now(-[1-9][0-9]{0,5}[smhdw])?|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,3})?)?(Z|[+-][0-9]{2}:[0-9]{2}))$';

const MAX_SPAN_MS = 400 * 86_400_000;

export function resolveInstant(text: string, now: number): number | undefined {
  const relative = /^now(?:-(\d+)([smhdw]))?$/.exec(text);
  if (relative) return relative[1] === undefined ? now : now - Number(relative[1]) * (UNIT_MS[relative[2] as string] as number);
  const instant = Date.parse(text);
  return Number.isNaN(instant) ? undefined : instant;
}

export type ResolvedRange = { from: number; to: number } | { problem: string };

export function resolveRange(from: string, to: string, now: number): ResolvedRange {
  const start = resolveInstant(from, now);
  const end = resolveInstant(to, now);
  if (start === undefined) return { problem: `querystring/from is not a valid instant: ${from}` };
  if (end === undefined) return { problem: `querystring/to is not a valid instant: ${to}` };
  if (start >= end) return { problem: 'querystring/from must be before to' };
  if (end - start > MAX_SPAN_MS) return { problem: 'the time range may span at most 400 days' };
  return { from: start, to: end };
}

// Widths OpenSearch takes as fixed_interval, narrowest first.
const INTERVALS: readonly [string, number][] = [
  ['10s', 10_000],
  ['30s', 30_000],
  ['1m', 60_000],
  ['5m', 300_000],
  ['10m', 600_000],
  ['15m', 900_000],
  ['30m', 1_800_000],
  ['1h', 3_600_000],
  ['3h', 10_800_000],
  ['6h', 21_600_000],
  ['12h', 43_200_000],
  ['1d', 86_400_000],
  ['7d', 604_800_000],
];

/** At most 120 buckets: enough detail for a chart a screen wide, few enough to stay far below search.max_buckets. */
export function histogramInterval(spanMs: number): string {
  for (const [name, ms] of INTERVALS) if (spanMs / ms <= 120) return name;
  return '7d';
}
