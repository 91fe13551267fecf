/**
 * One Sigma detection rule (a YAML map already read by load-documents.ts) → SigmaRule. Every problem names the YAML
 * path and what is wrong; valid Sigma we do not translate is reported as `unsupported: …` so it is never compiled
 * into a wrong query.
 */
import { invalid, unsupported } from './errors.js';
import { newTermsOf } from './new-terms.js';
import type { FieldMatch, Selection, SigmaRule, SigmaScalar } from './types.js';
import { isObject, type Json, type JsonMap, metadataOf, stringList } from './yaml-values.js';

/** Keys of `detection` that are not search identifiers. */
const NON_IDENTIFIERS = new Set(['condition', 'timeframe']);

/** The rule of one YAML document; throws PlacedError (the caller attaches the file and the document). */
export function ruleFromRoot(root: JsonMap, file: string): SigmaRule {
  const detection = root.detection;
  if (!isObject(detection)) throw invalid('detection', 'missing or not a map');
  const newTerms = newTermsOf(root);
  return {
    ...metadataOf(root, file),
    logsource: logsourceOf(root.logsource),
    selections: selectionsOf(detection),
    conditions: conditionsOf(detection.condition),
    fields: stringList(root, 'fields'),
    ...(newTerms ? { newTerms } : {}),
  };
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

function selectionsOf(detection: JsonMap): Map<string, Selection> {
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

function matchesOf(map: JsonMap, place: string): FieldMatch[] {
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
