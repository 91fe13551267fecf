import { isValidZone, LEVELS, offsetAt, severityOf } from '../mappings/index.js';
import { serializeBody } from './ems-body.js';
import type { EmsLogLine } from './log-line.js';

export type SyslogFormat = 'rfc3164' | 'rfc5424';

export interface SyslogFormatOptions {
  /** RFC 3164 (BSD, the observed EMS header) unless told otherwise. */
  format?: SyslogFormat;
  /** 0-23. Default 16 (local0): EMS does not document its facility, and local0 is the usual choice for appliance logs. */
  facility?: number;
  /** The HOSTNAME field: printable ASCII without spaces, 1-255 characters. */
  hostname: string;
  /** IANA zone the header timestamp is written in (default UTC). The body's `dtime` is the caller's business. */
  timeZone?: string;
}

export const DEFAULT_FACILITY = 16;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

interface WallClock {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** Minutes east of UTC. */
  offsetMinutes: number;
}

/** The wall-clock reading of `time` in `timeZone`, with the zone's UTC offset at that instant. */
export function wallClock(time: Date, timeZone = 'UTC'): WallClock {
  const epoch = time.getTime();
  if (Number.isNaN(epoch)) throw new Error('cannot format a log line with an invalid time');
  // Throws for an unknown zone (checked even for 'UTC'-like spellings by isValidZone when a destination is configured).
  if (timeZone !== 'UTC' && !isValidZone(timeZone))
    throw new Error(`unknown time zone '${timeZone}': expected an IANA zone such as 'UTC' or 'Europe/Paris'`);
  const offsetMinutes = Math.round(offsetAt(epoch, timeZone) / 60_000);
  const shifted = new Date(epoch + offsetMinutes * 60_000);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
    second: shifted.getUTCSeconds(),
    millisecond: shifted.getUTCMilliseconds(),
    offsetMinutes,
  };
}

const two = (value: number) => String(value).padStart(2, '0');

/** `Oct  1 22:17:30`: English month, day padded with a space (RFC 3164 §4.1.2). */
export function rfc3164Timestamp(clock: WallClock): string {
  return `${MONTHS[clock.month - 1]} ${String(clock.day).padStart(2, ' ')} ${two(clock.hour)}:${two(clock.minute)}:${two(clock.second)}`;
}

/** `2026-11-22T10:00:00.123+01:00` (RFC 3339 with milliseconds; `Z` when the offset is zero). */
export function rfc5424Timestamp(clock: WallClock): string {
  const offset = clock.offsetMinutes;
  const zone = offset === 0 ? 'Z' : `${offset < 0 ? '-' : '+'}${two(Math.floor(Math.abs(offset) / 60))}:${two(Math.abs(offset) % 60)}`;
  const date = `${String(clock.year).padStart(4, '0')}-${two(clock.month)}-${two(clock.day)}`;
  return `${date}T${two(clock.hour)}:${two(clock.minute)}:${two(clock.second)}.${String(clock.millisecond).padStart(3, '0')}${zone}`;
}

function checkedFacility(facility: number): number {
  if (!Number.isInteger(facility) || facility < 0 || facility > 23) throw new Error(`syslog facility must be 0-23, got ${facility}`);
  return facility;
}

function checkedHostname(hostname: string): string {
  // A space or control character here would shift every header field after it.
  if (!/^[\x21-\x7e]{1,255}$/.test(hostname))
    throw new Error(`syslog hostname must be 1-255 printable ASCII characters without spaces, got ${JSON.stringify(hostname)}`);
  return hostname;
}

/** `<PRI>`: facility × 8 + the level's severity (its index in LEVELS). */
export function priority(line: EmsLogLine, facility = DEFAULT_FACILITY): string {
  if (!(LEVELS as readonly string[]).includes(line.level)) throw new Error(`unknown level '${line.level}'`);
  return `<${checkedFacility(facility) * 8 + severityOf(line.level)}>`;
}

/**
 * The syslog header of a line, ending with the space before the body. TAG / APP-NAME is the category; RFC 5424 uses
 * NILVALUE for PROCID, MSGID and STRUCTURED-DATA and no BOM.
 */
export function formatSyslogHeader(line: EmsLogLine, options: SyslogFormatOptions): string {
  if (options.format !== undefined && options.format !== 'rfc3164' && options.format !== 'rfc5424')
    throw new Error(`syslog format must be 'rfc3164' or 'rfc5424', got '${String(options.format)}'`);
  const pri = priority(line, options.facility);
  const hostname = checkedHostname(options.hostname);
  const clock = wallClock(line.time, options.timeZone);
  if ((options.format ?? 'rfc3164') === 'rfc5424') return `${pri}1 ${rfc5424Timestamp(clock)} ${hostname} ${line.category} - - - `;
  return `${pri}${rfc3164Timestamp(clock)} ${hostname} ${line.category}: `;
}

/** One complete syslog message (header and key=value body), without framing. */
export function formatLine(line: EmsLogLine, options: SyslogFormatOptions): string {
  return formatSyslogHeader(line, options) + serializeBody(line);
}
