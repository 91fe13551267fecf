/**
 * Wall-clock times with no zone (RFC 3164 headers, EMS `dtime`) turned into instants, in a zone taken from
 * configuration. Offsets are cached per zone and minute: Intl is far too slow to call once per line. Not per hour: zones
 * change offset inside a UTC hour (St John's springs forward at 05:30 UTC, and did at 03:31 UTC until 2011).
 */
const FORMATTERS = new Map<string, Intl.DateTimeFormat>();
const OFFSET_CACHE = new Map<string, number>();
const BUCKET = 60_000;

function formatter(zone: string): Intl.DateTimeFormat {
  let cached = FORMATTERS.get(zone);
  if (!cached) {
    cached = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    FORMATTERS.set(zone, cached);
  }
  return cached;
}

/** Milliseconds the zone is ahead of UTC at that instant. */
export function offsetAt(instant: number, zone: string): number {
  if (zone === 'UTC' || zone === 'Etc/UTC') return 0;
  const bucket = Math.floor(instant / BUCKET);
  const key = `${zone}|${bucket}`;
  const cached = OFFSET_CACHE.get(key);
  if (cached !== undefined) return cached;
  const values: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(bucket * BUCKET)) if (part.type !== 'literal') values[part.type] = Number(part.value);
  const wall = Date.UTC(
    values.year ?? 1970,
    (values.month ?? 1) - 1,
    values.day ?? 1,
    values.hour ?? 0,
    values.minute ?? 0,
    values.second ?? 0,
  );
  const offset = wall - bucket * BUCKET;
  if (OFFSET_CACHE.size > 10_000) OFFSET_CACHE.clear();
  OFFSET_CACHE.set(key, offset);
  return offset;
}

/** The instant at which the zone's clocks showed this wall time (the later one in a DST fold). */
export function wallTimeToInstant(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millisecond: number,
  zone: string,
): number {
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
  if (zone === 'UTC' || zone === 'Etc/UTC') return asUtc;
  const firstGuess = asUtc - offsetAt(asUtc, zone);
  return asUtc - offsetAt(firstGuess, zone);
}

export function isValidZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}
