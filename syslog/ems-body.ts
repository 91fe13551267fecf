import { type CatalogueField, categoryByName, valueType } from '../mappings/index.js';
import type { EmsLogLine, FieldValue } from './log-line.js';

/** How a field's value is written: in double quotes, or bare when the catalogue says it is a token (reference §3). */
type Quoting = 'quoted' | 'bare';

interface BodyField {
  readonly name: string;
  readonly quoting: Quoting;
}

/** Bare tokens in the observed EMS bodies: enums, numbers, IPs, MACs and the fixed-shape ids (devid, uid, emsserial). */
function quotingOf(field: CatalogueField): Quoting {
  if (field.pattern) return 'bare';
  const type = valueType(field);
  if (type === 'int' || type === 'long' || type === 'double' || type === 'float') return 'bare';
  if (typeof type === 'object' && type !== null) {
    if ('type' in type && type.type === 'enum') return 'bare';
    if ('logicalType' in type && (type.logicalType === 'ip' || type.logicalType === 'mac')) return 'bare';
  }
  return 'quoted';
}

// Computed once per category: the body order is the schema's field order.
const BODY_FIELDS = new Map<string, { readonly fields: readonly BodyField[]; readonly names: ReadonlySet<string> }>();

function bodyFieldsOf(category: string) {
  const cached = BODY_FIELDS.get(category);
  if (cached) return cached;
  const definition = categoryByName(category);
  if (!definition) throw new Error(`cannot serialize a line of unknown EMS log category '${category}'`);
  const schemaFields = definition.schema.fields as readonly CatalogueField[];
  const entry = {
    fields: schemaFields.map((field) => ({ name: field.name, quoting: quotingOf(field) })),
    names: new Set(schemaFields.map((field) => field.name)),
  };
  BODY_FIELDS.set(category, entry);
  return entry;
}

// Control characters (C0, DEL, C1) and the Unicode line/paragraph separators: field values are attacker-controlled and must
// never break the line or the frame.
const NEEDS_ESCAPE = /[\\"\p{Cc}\u2028\u2029]/gu;
const NAMED_ESCAPES: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeCharacter(character: string): string {
  const named = NAMED_ESCAPES[character];
  if (named) return named;
  const code = character.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029;
}

/** One pass over the characters; the regular expression only runs for the rare value that needs escapes. */
function needsEscape(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0x22 || code === 0x5c || isControl(code)) return true;
  }
  return false;
}

/** A bare value must be one token a key=value tokenizer cannot misread: no space, quote, `=`, backslash or control character. */
function isSafeBare(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (
      code === 0x20 ||
      code === 0x22 ||
      code === 0x3d ||
      code === 0x5c ||
      isControl(code) ||
      code === 0xa0 ||
      code === 0x1680 ||
      (code >= 0x2000 && code <= 0x200a) ||
      code === 0x202f ||
      code === 0x205f ||
      code === 0x3000 ||
      code === 0xfeff
    )
      return false;
  }
  return true;
}

/** `"…"` with `\` and `"` escaped and every control character written as an escape sequence. */
export function quoteValue(value: string): string {
  return needsEscape(value) ? `"${value.replace(NEEDS_ESCAPE, escapeCharacter)}"` : `"${value}"`;
}

function renderValue(value: Exclude<FieldValue, null | undefined>, quoting: Quoting): string {
  const text = String(value);
  return quoting === 'bare' && isSafeBare(text) ? text : quoteValue(text);
}

/**
 * The FortiOS-style key=value body of one EMS line: the category's fields in schema order, absent (null/undefined) fields
 * left out, `level` taken from the line. Throws on a key the category does not have: that is a bug in the caller, and
 * emitting a line without it would hide it.
 */
export function serializeBody(line: EmsLogLine): string {
  const { fields, names } = bodyFieldsOf(line.category);
  for (const key of Object.keys(line.record)) {
    if (!names.has(key)) throw new Error(`'${key}' is not a field of the ${line.category} category`);
  }
  let body = '';
  for (const field of fields) {
    const value = field.name === 'level' ? line.level : line.record[field.name];
    if (value === null || value === undefined) continue;
    body += `${body.length === 0 ? '' : ' '}${field.name}=${renderValue(value, field.quoting)}`;
  }
  return body;
}
