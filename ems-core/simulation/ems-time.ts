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

export function emsDateTime(instant: number, timeZone: string): string {
  const p = parts(instant, timeZone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
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
