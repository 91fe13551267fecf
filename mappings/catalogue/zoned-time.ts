/**
 * Time zones for the wire format: `dtime` (the catalogue's `ems-datetime`: EMS local wall time, no zone) and RFC 3164
 * headers carry no zone, so both the EMS core (writing) and the parsers (reading) convert through here.
 * Intl is far too slow to call once per line: offsets are cached per zone and minute — not per hour, since some
 * zones change offset inside a UTC hour (St John's springs forward at 05:30 UTC).
 */
const FORMATTERS = new Map<string, Intl.DateTimeFormat>();
const OFFSET_CACHE = new Map<string, number>();
const MINUTE = 60_000;

function formatter(zone: string): Intl.DateTimeFormat {
  let cached = FORMATTERS.get(zone);
  if (!cached) {
    try {
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
    } catch {
      throw new Error(`unknown time zone '${zone}': expected an IANA zone such as 'UTC' or 'Europe/Paris'`);
    }
    FORMATTERS.set(zone, cached);
  }
  return cached;
}

export function isValidZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** Milliseconds the zone is ahead of UTC at that instant. Throws for an unknown zone. */
export function offsetAt(instant: number, zone: string): number {
  if (zone === 'UTC' || zone === 'Etc/UTC') return 0;
  const bucket = Math.floor(instant / MINUTE);
  const key = `${zone}|${bucket}`;
  const cached = OFFSET_CACHE.get(key);
  if (cached !== undefined) return cached;
  const values: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(bucket * MINUTE)) if (part.type !== 'literal') values[part.type] = Number(part.value);
  const wall = Date.UTC(
    values.year ?? 1970,
    (values.month ?? 1) - 1,
    values.day ?? 1,
    values.hour ?? 0,
    values.minute ?? 0,
    values.second ?? 0,
  );
  const offset = wall - bucket * MINUTE;
  if (OFFSET_CACHE.size > 10_000) OFFSET_CACHE.clear();
  OFFSET_CACHE.set(key, offset);
  return offset;
}

/** The instant at which the zone's clocks showed this wall time (in a DST fold: the one the offset cache lands on). */
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

const two = (n: number) => (n < 10 ? `0${n}` : String(n));

/** The instant as EMS writes `dtime`: `YYYY-MM-DD HH:MM:SS`, wall time in the zone. */
export function formatEmsDateTime(instant: number, zone: string): string {
  const d = new Date(instant + offsetAt(instant, zone));
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

function twoDigits(text: string, at: number): number {
  const high = text.charCodeAt(at) - 48;
  const low = text.charCodeAt(at + 1) - 48;
  return high >= 0 && high <= 9 && low >= 0 && low <= 9 ? high * 10 + low : Number.NaN;
}

/** `YYYY-MM-DD HH:MM:SS` → the instant in the zone, or undefined; no regular expression, no Date.parse (hot path). */
export function parseEmsDateTime(text: string, zone: string): number | undefined {
  if (text.length !== 19 || text[4] !== '-' || text[7] !== '-' || text[10] !== ' ' || text[13] !== ':' || text[16] !== ':')
    return undefined;
  const year = twoDigits(text, 0) * 100 + twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  if (!(year >= 1970 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 60)) return undefined;
  return wallTimeToInstant(year, month, day, hour, minute, second, 0, zone);
}
