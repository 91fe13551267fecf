import { isValidZone } from '../../../mappings/index.js';
import { clientEventId } from '../../pipeline/event-ids.js';
import type { RawLine } from '../../pipeline/raw-line.js';
import type { BodyFormat } from './body-format.js';

/** Why an element cannot be a RawLine: `error` is the telemetry reason, `reason` goes to the sender. */
export interface Undecodable {
  error: 'invalid_json' | 'invalid_element';
  reason: string;
}

const ELEMENT_SHAPE = 'an element is a raw syslog line (a JSON string) or an object with a string `message`';
/** Long enough for any UUID, hash or composite key; a bound so an id is never a way to make us hash megabytes. */
const MAX_CLIENT_ID = 512;

/** One element's text as a RawLine, or why it cannot be one (never quoting the sender's data back). */
export function decodeElement(text: string, format: BodyFormat, base: RawLine): RawLine | Undecodable {
  if (format === 'text') return { ...base, line: text };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: 'invalid_json', reason: 'not valid JSON' };
  }
  const line = toRawLine(value, base);
  return typeof line === 'string' ? { error: 'invalid_element', reason: line } : line;
}

function toRawLine(value: unknown, base: RawLine): RawLine | string {
  if (typeof value === 'string') return { ...base, line: value };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ELEMENT_SHAPE;
  const { message, timezone, id } = value as { message?: unknown; timezone?: unknown; id?: unknown };
  if (typeof message !== 'string') return `${ELEMENT_SHAPE}; this object has no string \`message\``;
  const line: RawLine = { ...base, line: message };
  if (timezone !== undefined) {
    if (typeof timezone !== 'string' || !isValidZone(timezone)) return '`timezone` must be an IANA time zone such as UTC or Europe/Paris';
    line.zone = timezone;
  }
  if (id !== undefined) {
    if (typeof id !== 'string' || id === '' || id.length > MAX_CLIENT_ID)
      return `\`id\` must be a non-empty string of at most ${MAX_CLIENT_ID} characters`;
    // Hashed under its own prefix: a client's id can never take the place of an id we generate.
    line.id = clientEventId(id);
  }
  return line;
}
