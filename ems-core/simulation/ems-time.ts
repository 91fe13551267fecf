/** Formats instants the way EMS writes `dtime`: local wall time in the EMS zone, no zone suffix. */
const FORMATTERS = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let cached = FORMATTERS.get(timeZone);
  if (!cached) {
    cached = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    FORMATTERS.set(timeZone, cached);
  }
  return cached;
}

function parts(instant: number, timeZone: string): Record<string, string> {
  return Object.fromEntries(
    formatter(timeZone)
      .formatToParts(instant)
      .map((part) => [part.type, part.value]),
  );
}

const OFFSETS = new Map<string, number>();
const two = (n: number) => (n < 10 ? `0${n}` : String(n));

/** Called for every line: the zone offset is looked up once per zone and hour, the rest is arithmetic. */
export function emsDateTime(instant: number, timeZone: string): string {
  let offset = 0;
  if (timeZone !== 'UTC') {
    // Per minute, not per hour: some zones change offset inside a UTC hour (St John's at 05:30 UTC).
    const key = `${timeZone}|${Math.floor(instant / 60_000)}`;
    const cached = OFFSETS.get(key);
    if (cached === undefined) {
      offset = zoneOffsetMs(instant, timeZone);
      if (OFFSETS.size > 4096) OFFSETS.clear();
      OFFSETS.set(key, offset);
    } else offset = cached;
  }
  const d = new Date(instant + offset);
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

/** Milliseconds the zone is ahead of UTC at that instant. */
export function zoneOffsetMs(instant: number, timeZone: string): number {
  const p = parts(instant, timeZone);
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** The instant of local midnight (in the zone) of the day containing `instant`. */
export function startOfLocalDay(instant: number, timeZone: string): number {
  const offset = zoneOffsetMs(instant, timeZone);
  const local = instant + offset;
  return local - (((local % 86_400_000) + 86_400_000) % 86_400_000) - offset;
}

/** 0 = Sunday … 6 = Saturday, in the zone. */
export function localWeekday(instant: number, timeZone: string): number {
  return new Date(instant + zoneOffsetMs(instant, timeZone)).getUTCDay();
}
