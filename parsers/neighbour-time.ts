import { parseEmsDateTime } from '../mappings/index.js';

/**
 * Where an event's @timestamp came from (`fortiems.time_source`), best first; see parsers/README.md, "Time".
 * - `eventtime`: FortiClient/FortiGate/FortiAnalyzer epoch of the event, exact (seconds to nanoseconds);
 * - `date_time_tz`: their `date`+`time` wall clock with the device's own `tz`;
 * - `date_time_source_zone`: the same without `tz`, placed in the zone configured for the source;
 * - `dtime`: EMS's wall clock, in the source zone;
 * - `itime`: when FortiAnalyzer received the log (seconds): later than the event, but exact;
 * - `header`: the syslog header's (or a relay's) time; `received`: when fortiems read the line.
 */
export type TimeSource = 'eventtime' | 'date_time_tz' | 'date_time_source_zone' | 'dtime' | 'itime' | 'header' | 'received';

export interface ResolvedTime {
  instant: number;
  source: TimeSource;
}

// Epochs outside 2000-2100 are not times of an event: a counter or a corrupted value, never trusted.
const EARLIEST = Date.UTC(2000, 0, 1);
const LATEST = Date.UTC(2100, 0, 1);

/**
 * Seconds, milliseconds, microseconds or nanoseconds since the epoch, told apart by their digit count (10, 13, 16, 19
 * today; 9-11, 12-14, 15-17, 18-19 allowed), or undefined for anything that is not 9-19 digits in 2000-2100.
 */
export function epochMillis(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const digits = text.length;
  if (digits < 9 || digits > 19) return undefined;
  for (let i = 0; i < digits; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return undefined;
  }
  const value = Number(text);
  const millis = digits >= 18 ? Math.floor(value / 1e6) : digits >= 15 ? Math.floor(value / 1e3) : digits >= 12 ? value : value * 1000;
  return millis >= EARLIEST && millis < LATEST ? millis : undefined;
}

function digit(text: string, at: number): number {
  const value = text.charCodeAt(at) - 48;
  return value >= 0 && value <= 9 ? value : Number.NaN;
}

/**
 * `tz` as FortiOS and FortiClient write it — `+0100`, `-0500`, `+05:30`, `+01` — or `UTC`, `GMT`, `Z`: minutes ahead
 * of UTC, or undefined. Zone names (`Europe/Paris`) are refused: resolving one means Intl on attacker text, and each
 * distinct name would stay cached.
 */
export function tzOffsetMinutes(tz: string): number | undefined {
  const upper = tz.length <= 3 ? tz.toUpperCase() : tz;
  if (upper === 'UTC' || upper === 'GMT' || upper === 'Z') return 0;
  const sign = tz.charCodeAt(0) === 43 ? 1 : tz.charCodeAt(0) === 45 ? -1 : 0;
  if (sign === 0) return undefined;
  let minutes: number;
  if (tz.length === 3) minutes = 0;
  else if (tz.length === 5) minutes = digit(tz, 3) * 10 + digit(tz, 4);
  else if (tz.length === 6 && tz[3] === ':') minutes = digit(tz, 4) * 10 + digit(tz, 5);
  else return undefined;
  const hours = digit(tz, 1) * 10 + digit(tz, 2);
  if (!(hours <= 14 && minutes <= 59)) return undefined;
  return sign * (hours * 60 + minutes);
}

/**
 * The time of a FortiClient, FortiAnalyzer-forwarded or FortiGate line, from its raw pairs: `eventtime`, then
 * `date`+`time` (with `tz` when it has one, else in the source zone), then `itime`. Undefined when none is usable: the
 * caller falls back to the header, then the receive time. Problems say what was present but unusable.
 */
export function neighbourTime(pairs: Record<string, string>, zone: string, problems: string[]): ResolvedTime | undefined {
  const eventTime = epochMillis(pairs.eventtime);
  if (eventTime !== undefined) return { instant: eventTime, source: 'eventtime' };
  if (pairs.eventtime !== undefined) problems.push(`eventtime: not an epoch: ${JSON.stringify(pairs.eventtime.slice(0, 32))}`);
  const { date, time, tz } = pairs;
  if (date !== undefined && time !== undefined) {
    const wall = `${date} ${time.slice(0, 8)}`;
    const offset = tz === undefined || tz === '' ? undefined : tzOffsetMinutes(tz);
    if (tz !== undefined && tz !== '' && offset === undefined) problems.push(`tz: not an offset: ${JSON.stringify(tz.slice(0, 32))}`);
    if (offset !== undefined) {
      const asUtc = parseEmsDateTime(wall, 'UTC');
      if (asUtc !== undefined) return { instant: asUtc - offset * 60_000, source: 'date_time_tz' };
    } else {
      const instant = parseEmsDateTime(wall, zone);
      if (instant !== undefined) return { instant, source: 'date_time_source_zone' };
    }
    problems.push(`date/time: not "YYYY-MM-DD" and "HH:MM:SS": ${JSON.stringify(wall.slice(0, 40))}`);
  }
  const received = epochMillis(pairs.itime);
  if (received !== undefined) return { instant: received, source: 'itime' };
  return undefined;
}
