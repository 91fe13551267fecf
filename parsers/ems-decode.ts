import {
  type CatalogueField,
  type CategoryName,
  categoryByName,
  eventByMessage,
  normalizeLevel,
  type ProducerDefinition,
  parseEmsDateTime,
  valueType,
} from '../mappings/index.js';
import { isIpAddress } from './ip.js';

/**
 * Typed decode of an EMS body against the catalogue (reference §3-§4), or of a neighbour's body against its producer
 * schema (FortiClient's own lines, `decodeProducerRecord`): numbers converted, IPs checked, MACs put in
 * the EMS form, the level normalized, `dtime` placed in the EMS zone. Unknown keys are kept aside (they go to the
 * flat field); a value that cannot be typed is moved aside too, so the document still indexes. Problems are collected.
 */
export interface DecodedRecord {
  record: Record<string, unknown>;
  unknown: Record<string, string>;
  /** dtime as an instant, when present and valid. */
  eventTime: number | undefined;
  problems: string[];
}

type Converter = 'string' | 'int' | 'number' | 'ip' | 'mac' | 'level' | 'dtime' | 'enum';

interface FieldDecoder {
  converter: Converter;
  symbols: ReadonlySet<string> | undefined;
}

const DECODERS = new Map<string, Map<string, FieldDecoder>>();

function decoderOf(field: CatalogueField): FieldDecoder {
  const type = valueType(field) as string | { type?: string; logicalType?: string; symbols?: readonly string[] };
  if (field.name === 'level') return { converter: 'level', symbols: undefined };
  if (type === 'int' || type === 'long') return { converter: 'int', symbols: undefined };
  if (type === 'double' || type === 'float') return { converter: 'number', symbols: undefined };
  if (typeof type === 'object') {
    if (type.logicalType === 'ip') return { converter: 'ip', symbols: undefined };
    if (type.logicalType === 'mac') return { converter: 'mac', symbols: undefined };
    if (type.logicalType === 'ems-datetime') return { converter: 'dtime', symbols: undefined };
    if (type.type === 'enum') return { converter: 'enum', symbols: new Set(type.symbols ?? []) };
  }
  return { converter: 'string', symbols: undefined };
}

function decodersOf(category: CategoryName): Map<string, FieldDecoder> {
  let decoders = DECODERS.get(category);
  if (!decoders) {
    const definition = categoryByName(category);
    if (!definition) throw new Error(`unknown EMS log category '${category}'`);
    decoders = new Map((definition.schema.fields as readonly CatalogueField[]).map((field) => [field.name, decoderOf(field)]));
    DECODERS.set(category, decoders);
  }
  return decoders;
}

// Producer schemas by their own name (`forticlient`), never a category name.
const PRODUCER_DECODERS = new Map<string, Map<string, FieldDecoder>>();

function isHexLower(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 97 && code <= 102);
}

/** Already `a1-b2-c3-4d-38-a6`: the form EMS writes, checked without a regular expression. */
function isCanonicalMac(text: string): boolean {
  if (text.length !== 17) return false;
  for (let i = 0; i < 17; i++) {
    const code = text.charCodeAt(i);
    if (i % 3 === 2 ? code !== 45 : !isHexLower(code)) return false;
  }
  return true;
}

/** Lower-case, hyphen-separated, as EMS writes MACs: `A1:B2:…` and `a1b2.c34d.38a6` are accepted too. */
export function emsMac(text: string): string | undefined {
  if (isCanonicalMac(text)) return text;
  const hex = text.replace(/[-:.]/g, '').toLowerCase();
  if (!/^[0-9a-f]{12}$/.test(hex)) return undefined;
  return `${hex.slice(0, 2)}-${hex.slice(2, 4)}-${hex.slice(4, 6)}-${hex.slice(6, 8)}-${hex.slice(8, 10)}-${hex.slice(10, 12)}`;
}

function isWholeNumber(text: string): boolean {
  if (text.length === 0 || text.length > 16) return false;
  let i = text.charCodeAt(0) === 45 ? 1 : 0;
  if (i === text.length) return false;
  for (; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

/** `-12`, `9.8`, `0.5`: plain decimals only (Number() would also take `0x1f`, `1e400`, ` 7 ` and the empty string). */
function isDecimal(text: string): boolean {
  if (text.length === 0 || text.length > 32) return false;
  let i = text.charCodeAt(0) === 45 ? 1 : 0;
  let digits = 0;
  let dot = false;
  for (; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 46 && !dot) dot = true;
    else if (code >= 48 && code <= 57) digits++;
    else return false;
  }
  return digits > 0;
}

/** Mutable state of one record's decode, shared by the generic and the fast path. */
interface DecodeState {
  record: Record<string, unknown>;
  unknown: Record<string, string>;
  problems: string[];
  eventTime: number | undefined;
}

/** Converts one known field's text into the record (or aside, with a problem, when it cannot be typed). */
function decodeField(state: DecodeState, decoder: FieldDecoder, key: string, text: string, emsZone: string): void {
  switch (decoder.converter) {
    case 'string':
      if (text !== '' || key === 'emshostname') state.record[key] = text;
      return;
    case 'int':
      if (isWholeNumber(text)) state.record[key] = Number(text);
      else {
        state.problems.push(`${key}: not a whole number: ${JSON.stringify(text.slice(0, 64))}`);
        state.unknown[key] = text;
      }
      return;
    case 'number': {
      const value = isDecimal(text) ? Number(text) : Number.NaN;
      if (Number.isFinite(value)) state.record[key] = value;
      else {
        state.problems.push(`${key}: not a number: ${JSON.stringify(text.slice(0, 64))}`);
        state.unknown[key] = text;
      }
      return;
    }
    case 'ip':
      if (text === '') return;
      if (isIpAddress(text)) state.record[key] = text;
      else {
        state.problems.push(`${key}: not an IP address: ${JSON.stringify(text.slice(0, 64))}`);
        state.unknown[key] = text;
      }
      return;
    case 'mac': {
      if (text === '') return;
      const mac = emsMac(text);
      if (mac) state.record[key] = mac;
      else {
        state.problems.push(`${key}: not a MAC address: ${JSON.stringify(text.slice(0, 64))}`);
        state.unknown[key] = text;
      }
      return;
    }
    case 'level': {
      const level = normalizeLevel(text);
      if (level) state.record[key] = level;
      else {
        state.problems.push(`level: unknown level ${JSON.stringify(text.slice(0, 32))}`);
        state.unknown[key] = text;
      }
      return;
    }
    case 'dtime':
      state.record[key] = text;
      state.eventTime = parseEmsDateTime(text, emsZone);
      if (state.eventTime === undefined) state.problems.push(`dtime: not "YYYY-MM-DD HH:MM:SS": ${JSON.stringify(text.slice(0, 64))}`);
      return;
    case 'enum':
      state.record[key] = text;
      if (!decoder.symbols?.has(text)) state.problems.push(`${key}: unexpected value ${JSON.stringify(text.slice(0, 64))}`);
      return;
  }
}

function finish(category: CategoryName, state: DecodeState): DecodedRecord {
  if (state.record.dtime === undefined) state.problems.push('dtime: missing');
  if (state.record.emsserial === undefined) state.problems.push('emsserial: missing');
  if (typeof state.record.msg === 'string' && !eventByMessage(category, state.record.msg))
    state.problems.push(`msg: not in the ${category} vocabulary`);
  return state;
}

export function decodeEmsRecord(category: CategoryName, pairs: Record<string, string>, emsZone: string): DecodedRecord {
  return finish(category, decodePairs(decodersOf(category), pairs, emsZone));
}

/** Each known key converted by its field's decoder; unknown keys kept aside for the flat field. */
function decodePairs(decoders: ReadonlyMap<string, FieldDecoder>, pairs: Record<string, string>, zone: string): DecodeState {
  const state: DecodeState = { record: {}, unknown: {}, problems: [], eventTime: undefined };
  for (const key in pairs) {
    const text = pairs[key] as string;
    const decoder = decoders.get(key);
    if (decoder) decodeField(state, decoder, key, text, zone);
    else state.unknown[key] = text;
  }
  return state;
}

/**
 * The same typed decode for a producer schema (FortiClient's lines): no EMS fingerprint to check (`dtime`,
 * `emsserial`, the message vocabulary); the caller places the time (`date`/`time`/`tz`, epochs).
 */
export function decodeProducerRecord(producer: ProducerDefinition, pairs: Record<string, string>, zone: string): DecodedRecord {
  let decoders = PRODUCER_DECODERS.get(producer.name);
  if (!decoders) {
    decoders = new Map(producer.schema.fields.map((field) => [field.name, decoderOf(field)]));
    PRODUCER_DECODERS.set(producer.name, decoders);
  }
  return decodePairs(decoders, pairs, zone);
}

interface OrderedField {
  name: string;
  /** `name=`: what the body must show at the cursor. */
  prefix: string;
  /** Its first character: most optional fields absent from a line are passed over by one integer compare. */
  first: number;
  decoder: FieldDecoder;
}

const ORDERED = new Map<string, OrderedField[]>();

function orderedFieldsOf(category: CategoryName): OrderedField[] {
  let fields = ORDERED.get(category);
  if (!fields) {
    const definition = categoryByName(category);
    if (!definition) throw new Error(`unknown EMS log category '${category}'`);
    fields = (definition.schema.fields as readonly CatalogueField[]).map((field) => ({
      name: field.name,
      prefix: `${field.name}=`,
      first: field.name.charCodeAt(0),
      decoder: decoderOf(field),
    }));
    ORDERED.set(category, fields);
  }
  return fields;
}

/**
 * The fast path for the canonical body: when the category is known (from the tag) and the keys come in catalogue
 * order, each key is matched in place with startsWith and only the values are sliced out: no key strings, no
 * intermediate object. Anything unexpected (an unknown or out-of-order key, an escape, an unbalanced quote, a tab)
 * returns undefined and the caller takes the general path, which handles every case.
 */
export function decodeCanonicalEmsBody(category: CategoryName, body: string, emsZone: string): DecodedRecord | undefined {
  const fields = orderedFieldsOf(category);
  const state: DecodeState = { record: {}, unknown: {}, problems: [], eventTime: undefined };
  const length = body.length;
  let next = 0;
  let i = 0;
  while (i < length) {
    let field: OrderedField | undefined;
    const at = body.charCodeAt(i);
    while (next < fields.length) {
      const candidate = fields[next++] as OrderedField;
      if (candidate.first === at && body.startsWith(candidate.prefix, i)) {
        field = candidate;
        break;
      }
    }
    if (!field) return undefined;
    const valueStart = i + field.prefix.length;
    let value: string;
    if (body.charCodeAt(valueStart) === 34) {
      const close = body.indexOf('"', valueStart + 1);
      if (close === -1) return undefined;
      value = body.slice(valueStart + 1, close);
      if (value.includes('\\')) return undefined;
      i = close + 1;
    } else {
      const space = body.indexOf(' ', valueStart);
      const end = space === -1 ? length : space;
      value = body.slice(valueStart, end);
      if (value.includes('"') || value.includes('\t')) return undefined;
      i = end;
    }
    decodeField(state, field.decoder, field.name, value, emsZone);
    if (i < length) {
      if (body.charCodeAt(i) !== 32) return undefined;
      i++;
      if (body.charCodeAt(i) === 32) return undefined;
    }
  }
  return finish(category, state);
}
