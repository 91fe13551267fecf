import { wallTimeToInstant } from '../mappings/index.js';

/**
 * Syslog headers as EMS and relays send them (reference §2): RFC 5424, RFC 3164 (no year, no zone), either with or
 * without PRI, an RFC 3339 timestamp where 3164 has its BSD one, relay-prefixed lines, and bodies with no header.
 * Hand-written scanning: this runs once per line on the hot path.
 */
export interface SyslogHeader {
  format: 'rfc5424' | 'rfc3164' | 'none';
  priority?: number;
  facility?: number;
  severity?: number;
  /** The header's instant (for 3164: in the source's zone, year closest to the receive time). */
  timestamp?: number;
  hostname?: string;
  /** RFC 3164 TAG / RFC 5424 APP-NAME: the EMS category in the canonical format. */
  appName?: string;
  procId?: string;
  msgId?: string;
  /** RFC 5424 structured data, as written; absent for NILVALUE. */
  structuredData?: string;
  /** A relay's own receive time, written in front of the original header. */
  relayTimestamp?: number;
  /** Where the body starts in the line. */
  bodyStart: number;
  problems: string[];
}

export interface HeaderContext {
  receivedAt: number;
  /** Zone of zone-less (RFC 3164) timestamps from this source. */
  zone: string;
}

const MONTHS: Record<string, number> = {
  Jan: 1,
  Feb: 2,
  Mar: 3,
  Apr: 4,
  May: 5,
  Jun: 6,
  Jul: 7,
  Aug: 8,
  Sep: 9,
  Oct: 10,
  Nov: 11,
  Dec: 12,
};
const SPACE = 32;
const NIL = '-';

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** True when an RFC 3339 date (YYYY-MM-DDT…) starts at `at`. */
function looksLikeRfc3339(line: string, at: number): boolean {
  return (
    isDigit(line.charCodeAt(at)) &&
    line.charCodeAt(at + 4) === 45 &&
    line.charCodeAt(at + 7) === 45 &&
    (line[at + 10] === 'T' || line[at + 10] === ' ')
  );
}

function tokenEnd(line: string, from: number): number {
  const space = line.indexOf(' ', from);
  return space === -1 ? line.length : space;
}

/** Where an RFC 3339 timestamp that looksLikeRfc3339 found ends: RFC 3339 allows a space instead of the T. */
function rfc3339End(line: string, at: number): number {
  return line[at + 10] === ' ' ? tokenEnd(line, at + 11) : tokenEnd(line, at);
}

function skipSpaces(line: string, from: number): number {
  let i = from;
  while (line.charCodeAt(i) === SPACE) i++;
  return i;
}

/** `Z`, `z`, `+hh:mm`, `+hhmm` (or `-`) at the very end: a check of the last six characters, whatever the length. */
function endsWithZoneDesignator(text: string): boolean {
  const end = text.length;
  const last = text[end - 1];
  if (last === 'Z' || last === 'z') return true;
  if (!isDigit(text.charCodeAt(end - 1)) || !isDigit(text.charCodeAt(end - 2))) return false;
  // `hh:mm` or `hhmm` before the final two digits.
  const colon = text.charCodeAt(end - 3) === 58 ? 1 : 0;
  const hours = end - 4 - colon;
  const sign = text[hours - 1];
  return isDigit(text.charCodeAt(hours)) && isDigit(text.charCodeAt(hours + 1)) && (sign === '+' || sign === '-');
}

/** A time written without Z or an offset is wall time in the source's zone (Date.parse would use the machine's zone). */
function parseRfc3339(text: string, zone: string): number | undefined {
  const instant = Date.parse(text);
  if (Number.isNaN(instant)) return undefined;
  if (endsWithZoneDesignator(text)) return instant;
  const wall = new Date(Date.parse(`${text}Z`));
  if (Number.isNaN(wall.getTime())) return instant;
  return wallTimeToInstant(
    wall.getUTCFullYear(),
    wall.getUTCMonth() + 1,
    wall.getUTCDate(),
    wall.getUTCHours(),
    wall.getUTCMinutes(),
    wall.getUTCSeconds(),
    wall.getUTCMilliseconds(),
    zone,
  );
}

/** The year that puts a zone-less BSD timestamp closest to the receive time (a December line received in January). */
function bsdInstant(month: number, day: number, hour: number, minute: number, second: number, context: HeaderContext): number {
  const receivedYear = new Date(context.receivedAt).getUTCFullYear();
  let best = Number.NaN;
  for (const year of [receivedYear - 1, receivedYear, receivedYear + 1]) {
    const instant = wallTimeToInstant(year, month, day, hour, minute, second, 0, context.zone);
    if (Number.isNaN(best) || Math.abs(instant - context.receivedAt) < Math.abs(best - context.receivedAt)) best = instant;
  }
  return best;
}

/** `Mmm dd hh:mm:ss` (day space- or zero-padded) at `at`; returns the instant and where it ends. */
function parseBsdTimestamp(line: string, at: number, context: HeaderContext): { instant: number; end: number } | undefined {
  const month = MONTHS[line.slice(at, at + 3)];
  if (!month || line.charCodeAt(at + 3) !== SPACE) return undefined;
  let i = at + 4;
  if (line.charCodeAt(i) === SPACE) i++;
  let day = 0;
  while (isDigit(line.charCodeAt(i))) day = day * 10 + line.charCodeAt(i++) - 48;
  if (day < 1 || day > 31 || line.charCodeAt(i) !== SPACE) return undefined;
  i++;
  const time = line.slice(i, i + 8);
  if (time.length !== 8 || time[2] !== ':' || time[5] !== ':') return undefined;
  const hour = Number(time.slice(0, 2));
  const minute = Number(time.slice(3, 5));
  const second = Number(time.slice(6, 8));
  if (!(hour <= 23 && minute <= 59 && second <= 60)) return undefined;
  return { instant: bsdInstant(month, day, hour, minute, second, context), end: i + 8 };
}

/** After the timestamp of a 3164-style header: `HOST TAG: body`, `TAG: body`, `HOST body` or just `body`. */
function parseHostAndTag(line: string, from: number, header: SyslogHeader): void {
  let i = skipSpaces(line, from);
  const firstEnd = tokenEnd(line, i);
  const first = line.slice(i, firstEnd);
  if (first.includes('=')) {
    header.bodyStart = i;
    return;
  }
  // A tag ends with ':', `fcems[12]:` included. The regular expressions once tested here for the `[pid]` form could only
  // match tokens endsWith(':') had already taken, and the unanchored one (`\[[^\]]*\]:$`) was quadratic: this token is
  // attacker-controlled and up to 64 KiB long, and a run of '[' stalled the event loop for seconds.
  if (first.endsWith(':')) {
    setTag(first, header);
    header.bodyStart = skipSpaces(line, firstEnd);
    return;
  }
  header.hostname = first;
  i = skipSpaces(line, firstEnd);
  const secondEnd = tokenEnd(line, i);
  const second = line.slice(i, secondEnd);
  if (!second.includes('=') && second.endsWith(':')) {
    setTag(second, header);
    header.bodyStart = skipSpaces(line, secondEnd);
  } else {
    header.bodyStart = i;
  }
}

function setTag(token: string, header: SyslogHeader): void {
  const bare = token.endsWith(':') ? token.slice(0, -1) : token;
  const bracket = bare.indexOf('[');
  if (bracket > 0 && bare.endsWith(']')) {
    header.appName = bare.slice(0, bracket);
    header.procId = bare.slice(bracket + 1, -1);
  } else header.appName = bare;
}

/** RFC 5424 structured data: `-` or `[id k="v" ...]...`, with `\]`, `\"` and `\\` escaped inside values. */
function structuredDataEnd(line: string, from: number): number {
  if (line[from] === NIL) return from + 1;
  let i = from;
  while (line[i] === '[') {
    let inQuotes = false;
    i++;
    while (i < line.length) {
      const c = line[i];
      if (inQuotes && c === '\\') i += 2;
      else if (c === '"') {
        inQuotes = !inQuotes;
        i++;
      } else if (!inQuotes && c === ']') {
        i++;
        break;
      } else i++;
    }
  }
  return i;
}

function parseRfc5424(line: string, from: number, header: SyslogHeader, zone: string): void {
  header.format = 'rfc5424';
  const fields: string[] = [];
  let i = from;
  for (let n = 0; n < 5; n++) {
    const end = tokenEnd(line, i);
    fields.push(line.slice(i, end));
    i = end + 1;
  }
  const [timestamp, hostname, appName, procId, msgId] = fields;
  if (timestamp && timestamp !== NIL) {
    const instant = parseRfc3339(timestamp, zone);
    if (instant === undefined) header.problems.push(`RFC 5424 timestamp is not RFC 3339: ${JSON.stringify(timestamp.slice(0, 40))}`);
    else header.timestamp = instant;
  }
  if (hostname && hostname !== NIL) header.hostname = hostname;
  if (appName && appName !== NIL) header.appName = appName;
  if (procId && procId !== NIL) header.procId = procId;
  if (msgId && msgId !== NIL) header.msgId = msgId;
  if (i >= line.length) {
    header.bodyStart = line.length;
    return;
  }
  const sdEnd = structuredDataEnd(line, i);
  if (line[i] !== NIL) header.structuredData = line.slice(i, sdEnd);
  i = sdEnd;
  if (line.charCodeAt(i) === SPACE) i++;
  if (line.charCodeAt(i) === 0xfeff) i++; // the BOM that marks a UTF-8 MSG
  header.bodyStart = i;
}

export function parseSyslogHeader(line: string, context: HeaderContext): SyslogHeader {
  const header: SyslogHeader = { format: 'none', bodyStart: 0, problems: [] };
  let i = 0;
  if (looksLikeRfc3339(line, 0)) {
    const end = rfc3339End(line, 0);
    const relay = parseRfc3339(line.slice(0, end), context.zone);
    if (relay !== undefined) {
      header.relayTimestamp = relay;
      i = skipSpaces(line, end);
    }
  }
  if (line.charCodeAt(i) === 60 /* < */) {
    let j = i + 1;
    let priority = 0;
    while (j < i + 4 && isDigit(line.charCodeAt(j))) priority = priority * 10 + line.charCodeAt(j++) - 48;
    if (j > i + 1 && line.charCodeAt(j) === 62 /* > */ && priority <= 191) {
      header.priority = priority;
      header.facility = priority >> 3;
      header.severity = priority & 7;
      i = j + 1;
    } else header.problems.push('malformed PRI');
  }
  // VERSION 1; without PRI (a relay stripped it) only when an RFC 3339 timestamp follows, as a bare body may start with `1 `.
  if (
    line.charCodeAt(i) === 49 /* 1 */ &&
    line.charCodeAt(i + 1) === SPACE &&
    (header.priority !== undefined || looksLikeRfc3339(line, i + 2))
  ) {
    parseRfc5424(line, i + 2, header, context.zone);
    return header;
  }
  const bsd = parseBsdTimestamp(line, i, context);
  if (bsd) {
    header.format = 'rfc3164';
    header.timestamp = bsd.instant;
    parseHostAndTag(line, bsd.end, header);
    return header;
  }
  if (looksLikeRfc3339(line, i)) {
    const end = rfc3339End(line, i);
    const instant = parseRfc3339(line.slice(i, end), context.zone);
    if (instant !== undefined) {
      header.format = 'rfc3164';
      header.timestamp = instant;
      parseHostAndTag(line, end, header);
      return header;
    }
  }
  if (header.relayTimestamp !== undefined) {
    // A relay wrote `TIME HOST TAG: body` and dropped the original header.
    header.format = 'rfc3164';
    header.timestamp = header.relayTimestamp;
    parseHostAndTag(line, i, header);
    return header;
  }
  header.bodyStart = i;
  return header;
}
