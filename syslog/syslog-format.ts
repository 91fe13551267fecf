import { isValidZone, LEVELS, type Level, offsetAt, severityOf } from '../mappings/index.js';
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

/** RFC 5424 §6 field lengths (HOSTNAME, APP-NAME, MSGID) and the RFC 3164 §4.1.3 TAG. */
export const HEADER_LIMITS = { hostname: 255, appName: 48, msgId: 32, tag: 32 } as const;

/** A syslog facility: 0-23. */
export function isFacility(facility: number): boolean {
  return Number.isInteger(facility) && facility >= 0 && facility <= 23;
}

function checkedFacility(facility: number): number {
  if (!isFacility(facility)) throw new Error(`syslog facility must be 0-23, got ${facility}`);
  return facility;
}

// PRINTUSASCII (RFC 5424 §6): %d33-126. A space or control character in a header field would shift every field after it.
const PRINTABLE = /^[\x21-\x7e]+$/;
const NOT_PRINTABLE = /[^\x21-\x7e]/g;

/** Whether `value` can be a header field as it is: 1 to `max` printable US-ASCII characters, no space. */
export function isHeaderToken(value: string, max: number): boolean {
  return value.length <= max && PRINTABLE.test(value);
}

/**
 * A header field from a value that may not be one (attacker-controlled event fields): every character outside
 * PRINTUSASCII becomes `_`, so that `LAPTOP 01` stays recognisable as `LAPTOP_01`; cut to `max`; empty or absent
 * gives `fallback`.
 */
export function printableToken(value: string | undefined, max: number, fallback: string): string {
  if (value === undefined) return fallback;
  const token = value.replace(NOT_PRINTABLE, '_').slice(0, max);
  return token.length === 0 ? fallback : token;
}

/** RFC 3164 §4.1.3 TAG: alphanumeric, max 32; `-`, `.` and `_` are kept because every relay accepts them (`ems-client`). */
export function rfc3164Tag(value: string, fallback = 'fortiems'): string {
  const tag = value.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, HEADER_LIMITS.tag);
  return tag.length === 0 ? fallback : tag;
}

function checkedHostname(hostname: string): string {
  if (!isHeaderToken(hostname, HEADER_LIMITS.hostname))
    throw new Error(`syslog hostname must be 1-255 printable ASCII characters without spaces, got ${JSON.stringify(hostname)}`);
  return hostname;
}

/** `<PRI>` = facility × 8 + the level's severity (its index in LEVELS), unchecked: see priority() for the checks. */
export function priorityValue(facility: number, level: Level): string {
  return `<${facility * 8 + severityOf(level)}>`;
}

/** `<PRI>`: facility × 8 + the level's severity (its index in LEVELS). */
export function priority(line: EmsLogLine, facility = DEFAULT_FACILITY): string {
  if (!(LEVELS as readonly string[]).includes(line.level)) throw new Error(`unknown level '${line.level}'`);
  return priorityValue(checkedFacility(facility), line.level);
}

/** `<PRI>TIMESTAMP HOSTNAME TAG: ` (RFC 3164 §4.1), ending with the space before MSG. The fields go in as given. */
export function rfc3164Header(fields: { priority: string; timestamp: string; hostname: string; tag: string }): string {
  return `${fields.priority}${fields.timestamp} ${fields.hostname} ${fields.tag}: `;
}

/**
 * `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA ` (RFC 5424 §6), ending with the space before MSG;
 * no BOM. Absent fields are NILVALUE `-`; the fields go in as given.
 */
export function rfc5424Header(fields: {
  priority: string;
  timestamp: string;
  hostname: string;
  appName: string;
  procId?: string;
  msgId?: string;
  structuredData?: string;
}): string {
  const { priority, timestamp, hostname, appName, procId = '-', msgId = '-', structuredData = '-' } = fields;
  return `${priority}1 ${timestamp} ${hostname} ${appName} ${procId} ${msgId} ${structuredData} `;
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
  if ((options.format ?? 'rfc3164') === 'rfc5424')
    return rfc5424Header({ priority: pri, timestamp: rfc5424Timestamp(clock), hostname, appName: line.category });
  return rfc3164Header({ priority: pri, timestamp: rfc3164Timestamp(clock), hostname, tag: line.category });
}

/** One complete syslog message (header and key=value body), without framing. */
export function formatLine(line: EmsLogLine, options: SyslogFormatOptions): string {
  return formatSyslogHeader(line, options) + serializeBody(line);
}
