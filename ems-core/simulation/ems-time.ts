import { formatEmsDateTime, offsetAt } from '../../mappings/index.js';

/** How EMS writes `dtime` (the catalogue's format, shared with the parsers). */
export const emsDateTime = formatEmsDateTime;

/** The instant of local midnight (in the zone) of the day containing `instant`. */
export function startOfLocalDay(instant: number, timeZone: string): number {
  const offset = offsetAt(instant, timeZone);
  const local = instant + offset;
  return local - (((local % 86_400_000) + 86_400_000) % 86_400_000) - offset;
}

/** 0 = Sunday … 6 = Saturday, in the zone. */
export function localWeekday(instant: number, timeZone: string): number {
  return new Date(instant + offsetAt(instant, timeZone)).getUTCDay();
}
