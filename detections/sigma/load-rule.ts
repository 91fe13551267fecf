/**
 * Parses one Sigma rule (YAML) into a SigmaRule. Every problem names the file, the YAML path and what is wrong;
 * valid Sigma we do not translate is reported as `unsupported: …` so it is never compiled into a wrong query.
 */
import { isMap, parseAllDocuments, visit } from 'yaml';
import { invalid, PlacedError, SigmaError, unsupported } from './errors.js';
import type { FieldMatch, Selection, SigmaRule, SigmaScalar } from './types.js';

type Json = SigmaScalar | Json[] | { [key: string]: Json };

/** Keys of `detection` that are not search identifiers. */
const NON_IDENTIFIERS = new Set(['condition', 'timeframe']);

export function loadRule(text: string, file: string): SigmaRule {
  try {
    return loadRuleOrThrow(text, file);
  } catch (error) {
    if (error instanceof PlacedError) throw new SigmaError(file, error.place, error.message);
    throw error;
  }
}

function loadRuleOrThrow(text: string, file: string): SigmaRule {
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents)) throw invalid('', 'empty file: no YAML document');
  // An empty trailing document (a final `---`) is trivial; two real documents are a rule collection.
  const yamlError = documents.flatMap((document) => document.errors)[0];
  if (yamlError) throw invalid(`(line ${yamlError.linePos?.[0].line ?? '?'})`, `YAML: ${yamlError.message.split('\n')[0]}`);
  const real = documents.filter((document) => document.contents !== null);
  if (real.length > 1) throw unsupported('', 'rule collection (multi-document YAML)');
  const document = real[0];
  if (!document) throw invalid('', 'empty file: no YAML document');
  if (!isMap(document.contents)) throw invalid('', 'a rule must be a YAML map');
  // YAML reads `0x10` as 16 and `1.10` as 1.1; Sigma matches the text as written, so keep non-canonical numbers as text.
  visit(document, {
    Scalar(_key, node) {
      if (typeof node.value === 'number' && node.source !== undefined && String(node.value) !== node.source) node.value = node.source;
    },
  });
  const root = document.toJS() as { [key: string]: Json };
  if (root.action !== undefined) throw unsupported('action', 'rule collection (action)');
  if (root.correlation !== undefined) throw unsupported('correlation', 'correlation rule');

  const detection = root.detection;
  if (!isObject(detection)) throw invalid('detection', 'missing or not a map');
  return {
    file,
    title: requiredString(root, 'title'),
    ...optionalString(root, 'id'),
    ...optionalString(root, 'status'),
    ...optionalString(root, 'level'),
    tags: stringList(root, 'tags'),
    logsource: logsourceOf(root.logsource),
    selections: selectionsOf(detection),
    conditions: conditionsOf(detection.condition),
    falsepositives: stringList(root, 'falsepositives'),
    fields: stringList(root, 'fields'),
  };
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requiredString(root: { [key: string]: Json }, key: string): string {
  const value = root[key];
  if (typeof value !== 'string' || value === '') throw invalid(key, 'missing or not a string');
  return value;
}

function optionalString(root: { [key: string]: Json }, key: string): Record<string, string> {
  const value = root[key];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'string' && typeof value !== 'number') throw invalid(key, 'not a string');
  return { [key]: String(value) };
}

function stringList(root: { [key: string]: Json }, key: string): string[] {
  const value = root[key];
  if (value === undefined || value === null) return [];
  // Some rules write a single string where a list is expected; accept it as a list of one.
  const items = Array.isArray(value) ? value : [value];
  return items.map((item, index) => {
    if (item === null || typeof item === 'object') throw invalid(`${key}[${index}]`, 'not a string');
    return String(item);
  });
}

function logsourceOf(value: Json | undefined): Record<string, string> {
  if (value === undefined) throw invalid('logsource', 'missing');
  if (!isObject(value)) throw invalid('logsource', 'not a map');
  const result: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === null) continue;
    if (typeof item === 'object') throw invalid(`logsource.${key}`, 'not a string');
    result[key] = String(item);
  }
  return result;
}

function conditionsOf(value: Json | undefined): string[] {
  if (value === undefined || value === null) throw invalid('detection.condition', 'missing');
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) throw invalid('detection.condition', 'empty list');
  return items.map((item, index) => {
    if (typeof item !== 'string' || item.trim() === '') {
      throw invalid(Array.isArray(value) ? `detection.condition[${index}]` : 'detection.condition', 'not a condition string');
    }
    return item;
  });
}

function selectionsOf(detection: { [key: string]: Json }): Map<string, Selection> {
  const selections = new Map<string, Selection>();
  for (const [name, body] of Object.entries(detection)) {
    if (NON_IDENTIFIERS.has(name)) continue;
    const place = `detection.${name}`;
    selections.set(name, { name, place, alternatives: alternativesOf(body, place) });
  }
  return selections;
}

/** A map is one AND alternative; a list of maps is OR of them; a list of values (or one value) is keywords. */
function alternativesOf(body: Json, place: string): FieldMatch[][] {
  if (isObject(body)) return [matchesOf(body, place)];
  if (!Array.isArray(body)) return [[keywordMatch([scalarOf(body, place)], place)]];
  if (body.length === 0) throw invalid(place, 'empty list');
  const maps = body.filter(isObject);
  if (maps.length === body.length) return maps.map((map, index) => matchesOf(map, `${place}[${index}]`));
  if (maps.length > 0) throw unsupported(place, 'selection mixing maps and values');
  return [
    [
      keywordMatch(
        body.map((item, index) => scalarOf(item, `${place}[${index}]`)),
        place,
      ),
    ],
  ];
}

function keywordMatch(values: SigmaScalar[], place: string): FieldMatch {
  return { field: '', modifiers: [], values, place };
}

function matchesOf(map: { [key: string]: Json }, place: string): FieldMatch[] {
  const entries = Object.entries(map);
  if (entries.length === 0) throw invalid(place, 'empty map');
  return entries.map(([key, value]) => {
    const keyPlace = `${place}.${key}`;
    const [field = '', ...modifiers] = key.split('|');
    const values = Array.isArray(value) ? value.map((item, index) => scalarOf(item, `${keyPlace}[${index}]`)) : [scalarOf(value, keyPlace)];
    if (values.length === 0) throw invalid(keyPlace, 'empty list of values');
    return { field, modifiers, values, place: keyPlace };
  });
}

function scalarOf(value: Json, place: string): SigmaScalar {
  if (value === null || typeof value !== 'object') return value;
  throw invalid(place, Array.isArray(value) ? 'nested list: expected a value' : 'nested map: expected a value');
}
