import { isIP } from 'node:net';
import { normalizeLevel, severityOf } from '../mappings/index.js';
import type { SyslogHeader } from './syslog-header.js';

/**
 * Syslog lines that are nobody's EMS log: relays send every host's syslog to the same port, so a line with a syslog
 * header (or at least a PRI) whose body is free text, or key=value that is not EMS, FortiClient or FortiGate, is still a
 * real event. It goes to its own dataset with the header in ECS (`process.*`, `host.*`, `log.syslog.*`), RFC 5424
 * structured data parsed, and key=value pairs kept in `fortiems.extra`.
 */
export const SYSLOG_DATASET = 'fortiems.syslog';

/** `{ "<SD-ID>": { "<PARAM-NAME>": "value" } }`; a parameter repeated inside one element (RFC 5424 §6.3.3) keeps all its values. */
export type StructuredData = Record<string, Record<string, string | string[]>>;

/**
 * Parameters kept as fields: the rest stays in `event.original`. A 64 KiB line holds thousands of `a=""`; nobody
 * searches them, and each costs the flat_object field a term.
 */
export const MAX_SD_PARAMS = 128;

const SPACE = 32;
const QUOTE = 34;
const EQUALS = 61;
const BACKSLASH = 92;
const OPEN = 91;
const CLOSE = 93;

/** SD-NAME (RFC 5424 §6.3.2): printable US-ASCII except `=`, space, `]` and `"`. */
function isNameChar(code: number): boolean {
  return code > SPACE && code < 127 && code !== EQUALS && code !== CLOSE && code !== QUOTE;
}

function nameEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length && isNameChar(text.charCodeAt(i))) i++;
  return i;
}

/** An attacker-chosen key (`__proto__`) becomes an own property, never the prototype. */
function defineOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function addParam(element: Record<string, string | string[]>, name: string, value: string): void {
  if (!Object.hasOwn(element, name)) defineOwn(element, name, value);
  else {
    const previous = element[name] as string | string[];
    if (Array.isArray(previous)) previous.push(value);
    else defineOwn(element, name, [previous, value]);
  }
}

/**
 * RFC 5424 STRUCTURED-DATA as the header found it (`[id p="v" …][id2 …]`). One forward scan; inside a value `\"`, `\\`
 * and `\]` are the escaped character and any other backslash is literal (§6.3.3). Parsing stops at the first thing
 * the grammar does not allow, keeping what came before and reporting the rest; a second element with an SD-ID already
 * seen is reported and skipped (§6.3.2: an SD-ID appears once).
 */
export function parseStructuredData(text: string): { elements: StructuredData; problems: string[] } {
  const elements: StructuredData = {};
  const problems: string[] = [];
  let params = 0;
  let i = 0;
  const fail = (what: string) => problems.push(`structured data: ${what} at offset ${i}`);
  scan: while (i < text.length) {
    if (text.charCodeAt(i) !== OPEN) {
      fail("expected '['");
      break;
    }
    i++;
    const idEnd = nameEnd(text, i);
    if (idEnd === i) {
      fail('empty or invalid SD-ID');
      break;
    }
    const id = text.slice(i, idEnd);
    i = idEnd;
    let element: Record<string, string | string[]> | undefined;
    if (Object.hasOwn(elements, id)) problems.push(`structured data: SD-ID ${JSON.stringify(id.slice(0, 40))} repeated: the first is kept`);
    else {
      element = {};
      defineOwn(elements, id, element);
    }
    for (;;) {
      const code = text.charCodeAt(i);
      if (code === CLOSE) {
        i++;
        continue scan;
      }
      if (code !== SPACE) {
        fail(i >= text.length ? "missing ']'" : 'invalid character in an SD-ELEMENT');
        break scan;
      }
      i++;
      const paramEnd = nameEnd(text, i);
      if (paramEnd === i || text.charCodeAt(paramEnd) !== EQUALS || text.charCodeAt(paramEnd + 1) !== QUOTE) {
        fail('expected PARAM-NAME="…"');
        break scan;
      }
      const name = text.slice(i, paramEnd);
      i = paramEnd + 2;
      let value = '';
      let segment = i;
      let closed = false;
      while (i < text.length) {
        const c = text.charCodeAt(i);
        if (c === QUOTE) {
          closed = true;
          break;
        }
        if (c === BACKSLASH) {
          const next = text.charCodeAt(i + 1);
          if (next === QUOTE || next === BACKSLASH || next === CLOSE) {
            value += text.slice(segment, i);
            segment = i + 1;
            i += 2;
            continue;
          }
        }
        i++;
      }
      value += text.slice(segment, i);
      if (!closed) {
        fail(`unterminated value of ${JSON.stringify(name.slice(0, 40))}`);
        break scan;
      }
      i++;
      if (element) {
        if (params < MAX_SD_PARAMS) addParam(element, name, value);
        params++;
      }
    }
  }
  if (params > MAX_SD_PARAMS)
    problems.push(`structured data: ${params - MAX_SD_PARAMS} parameters over ${MAX_SD_PARAMS} kept in event.original only`);
  return { elements, problems };
}

/** A PRI or a header: the line is syslog, whatever its body (RFC 3164 §4.3.3 makes a PRI alone a valid message). */
export function isSyslog(header: SyslogHeader): boolean {
  return header.format !== 'none' || header.priority !== undefined;
}

/** PROCID / `tag[pid]` as a number when it is one (ECS `process.pid` is a long); otherwise it stays in log.syslog.procid. */
function pidOf(procId: string | undefined): number | undefined {
  if (procId === undefined || procId.length === 0 || procId.length > 10) return undefined;
  for (let i = 0; i < procId.length; i++) {
    const code = procId.charCodeAt(i);
    if (code < 48 || code > 57) return undefined;
  }
  const pid = Number(procId);
  return pid <= 2 ** 31 - 1 ? pid : undefined;
}

/**
 * The ECS document of a generic syslog line, without `@timestamp`, `event.original`/`ingested` and `data_stream`, which
 * parse-line.ts sets for every event alike. `log.syslog.*` apart from `structured_data` is added there too.
 */
export function normalizeGenericSyslog(header: SyslogHeader, body: string, pairs: Record<string, string> | undefined) {
  const document: Record<string, unknown> = {};
  const problems: string[] = [];
  const message = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
  if (message.trim() !== '') document.message = message;
  if (header.hostname !== undefined) {
    const host: Record<string, unknown> = { hostname: header.hostname, name: header.hostname };
    if (isIP(header.hostname) !== 0) host.ip = header.hostname;
    document.host = host;
    document.related = { hosts: [header.hostname] };
  }
  const pid = pidOf(header.procId);
  if (header.appName !== undefined || pid !== undefined) {
    const process: Record<string, unknown> = {};
    if (header.appName !== undefined) process.name = header.appName;
    if (pid !== undefined) process.pid = pid;
    document.process = process;
  }
  const level = header.severity === undefined ? undefined : normalizeLevel(header.severity);
  if (level) document.log = { level };
  if (level) document.event = { severity: severityOf(level) };
  let structuredData: StructuredData | undefined;
  if (header.structuredData !== undefined) {
    const sd = parseStructuredData(header.structuredData);
    problems.push(...sd.problems);
    if (Object.keys(sd.elements).length > 0) structuredData = sd.elements;
  }
  if (pairs) document.fortiems = { extra: { ...pairs } };
  return { document, structuredData, problems };
}
