import { type CatalogueField, type CategoryName, categoryByName, eventByMessage, normalizeLevel, valueType } from '../mappings/index.js';
import { isIpAddress } from './ip.js';
import { wallTimeToInstant } from './zoned-time.js';

/**
 * Typed decode of an EMS body against the catalogue (reference §3-§4): numbers converted, IPs checked, MACs put in
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

type Converter = 'string' | 'int' | 'ip' | 'mac' | 'level' | 'dtime' | 'enum';

interface FieldDecoder {
  converter: Converter;
  symbols: ReadonlySet<string> | undefined;
}

const DECODERS = new Map<string, Map<string, FieldDecoder>>();

function decoderOf(field: CatalogueField): FieldDecoder {
  const type = valueType(field) as string | { type?: string; logicalType?: string; symbols?: readonly string[] };
  if (field.name === 'level') return { converter: 'level', symbols: undefined };
  if (type === 'int' || type === 'long') return { converter: 'int', symbols: undefined };
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

/** `YYYY-MM-DD HH:MM:SS` → instant in the zone, without a regular expression or Date.parse. */
export function parseEmsDateTime(text: string, zone: string): number | undefined {
  if (text.length !== 19 || text[4] !== '-' || text[7] !== '-' || text[10] !== ' ' || text[13] !== ':' || text[16] !== ':')
    return undefined;
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(5, 7));
  const day = Number(text.slice(8, 10));
  const hour = Number(text.slice(11, 13));
  const minute = Number(text.slice(14, 16));
  const second = Number(text.slice(17, 19));
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 60)) return undefined;
  return wallTimeToInstant(year, month, day, hour, minute, second, 0, zone);
}

/** Lower-case, hyphen-separated, as EMS writes MACs: `A1:B2:…` and `a1b2.c34d.38a6` are accepted too. */
export function emsMac(text: string): string | undefined {
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

export function decodeEmsRecord(category: CategoryName, pairs: Record<string, string>, emsZone: string): DecodedRecord {
  const decoders = decodersOf(category);
  const record: Record<string, unknown> = {};
  const unknown: Record<string, string> = {};
  const problems: string[] = [];
  let eventTime: number | undefined;
  for (const key in pairs) {
    const text = pairs[key] as string;
    const decoder = decoders.get(key);
    if (!decoder) {
      unknown[key] = text;
      continue;
    }
    switch (decoder.converter) {
      case 'string':
        if (text !== '' || key === 'emshostname') record[key] = text;
        break;
      case 'int':
        if (isWholeNumber(text)) record[key] = Number(text);
        else {
          problems.push(`${key}: not a whole number: ${JSON.stringify(text.slice(0, 64))}`);
          unknown[key] = text;
        }
        break;
      case 'ip':
        if (text === '') break;
        if (isIpAddress(text)) record[key] = text;
        else {
          problems.push(`${key}: not an IP address: ${JSON.stringify(text.slice(0, 64))}`);
          unknown[key] = text;
        }
        break;
      case 'mac': {
        if (text === '') break;
        const mac = emsMac(text);
        if (mac) record[key] = mac;
        else {
          problems.push(`${key}: not a MAC address: ${JSON.stringify(text.slice(0, 64))}`);
          unknown[key] = text;
        }
        break;
      }
      case 'level': {
        const level = normalizeLevel(text);
        if (level) record[key] = level;
        else {
          problems.push(`level: unknown level ${JSON.stringify(text.slice(0, 32))}`);
          unknown[key] = text;
        }
        break;
      }
      case 'dtime': {
        record[key] = text;
        eventTime = parseEmsDateTime(text, emsZone);
        if (eventTime === undefined) problems.push(`dtime: not "YYYY-MM-DD HH:MM:SS": ${JSON.stringify(text.slice(0, 64))}`);
        break;
      }
      case 'enum':
        record[key] = text;
        if (!decoder.symbols?.has(text)) problems.push(`${key}: unexpected value ${JSON.stringify(text.slice(0, 64))}`);
        break;
    }
  }
  if (record.dtime === undefined) problems.push('dtime: missing');
  if (record.emsserial === undefined) problems.push('emsserial: missing');
  if (typeof record.msg === 'string' && !eventByMessage(category, record.msg)) problems.push(`msg: not in the ${category} vocabulary`);
  return { record, unknown, eventTime, problems };
}
