/**
 * Sigma detection semantics → the Query tree: field modifiers, wildcards, null values and the condition.
 * Strings are case-insensitive unless `cased`; `re` is case-sensitive unless `re|i` (as Sigma specifies).
 */
import type { Condition } from './condition.js';
import { invalid, unsupported } from './errors.js';
import { isTextual, mapField } from './field-mapping.js';
import { literalPattern, parsePattern, withWildcards } from './pattern.js';
import { and, hasWildcard, normalise, not, or, type Pattern, type PatternPart, type Query } from './query.js';
import { toLuceneRegexp } from './regex.js';
import type { FieldMatch, Selection, SigmaScalar } from './types.js';

const KNOWN_MODIFIERS = new Set([
  'contains',
  'startswith',
  'endswith',
  'all',
  're',
  'i',
  'm',
  's',
  'cidr',
  'base64',
  'base64offset',
  'windash',
  'exists',
  'cased',
  'lt',
  'lte',
  'gt',
  'gte',
]);
/** Valid Sigma we refuse: each needs data or encodings we cannot express as one query. */
const UNSUPPORTED_MODIFIERS = new Set([
  'expand',
  'fieldref',
  'utf16le',
  'utf16be',
  'utf16',
  'wide',
  'minute',
  'hour',
  'day',
  'week',
  'month',
  'year',
]);

export function conditionToQuery(condition: Condition, selections: ReadonlyMap<string, Selection>): Query {
  switch (condition.kind) {
    case 'ref':
      return selectionToQuery(selections.get(condition.name) as Selection);
    case 'and':
      return and(condition.items.map((item) => conditionToQuery(item, selections)));
    case 'or':
      return or(condition.items.map((item) => conditionToQuery(item, selections)));
    case 'not':
      return not(conditionToQuery(condition.item, selections));
    case 'oneOf':
      return or(condition.names.map((name) => selectionToQuery(selections.get(name) as Selection)));
    case 'allOf':
      return and(condition.names.map((name) => selectionToQuery(selections.get(name) as Selection)));
  }
}

export function selectionToQuery(selection: Selection): Query {
  return or(selection.alternatives.map((matches) => and(matches.map(fieldMatchToQuery))));
}

function fieldMatchToQuery(match: FieldMatch): Query {
  const modifiers = new Set(match.modifiers);
  for (const modifier of match.modifiers) {
    if (UNSUPPORTED_MODIFIERS.has(modifier)) throw unsupported(match.place, `modifier ${modifier}`);
    if (!KNOWN_MODIFIERS.has(modifier)) throw unsupported(match.place, `unknown modifier ${modifier}`);
  }
  if ((modifiers.has('i') || modifiers.has('m') || modifiers.has('s')) && !modifiers.has('re')) {
    throw invalid(match.place, 'flags i/m/s need the re modifier');
  }
  const values = match.values.map((value, index) =>
    valueToQuery(match, modifiers, value, match.values.length > 1 ? `${match.place}[${index}]` : match.place),
  );
  return modifiers.has('all') ? and(values) : or(values);
}

function valueToQuery(match: FieldMatch, modifiers: ReadonlySet<string>, value: SigmaScalar, place: string): Query {
  const keyword = match.field === '';
  const field = keyword ? { name: '', type: 'unknown' as const } : mapField(match.field);
  const textual = keyword || isTextual(field);
  const leaf = (pattern: Pattern, caseInsensitive: boolean): Query => {
    if (keyword) return { kind: 'keyword', pattern };
    if (textual) return { kind: 'match', field: field.name, pattern, caseInsensitive };
    // ip/numeric/date fields take exact values only, and OpenSearch rejects case_insensitive on them.
    if (hasWildcard(pattern)) throw unsupported(place, `wildcard on ${field.type} field ${field.name}`);
    return { kind: 'match', field: field.name, pattern, caseInsensitive: false };
  };

  if (modifiers.has('exists')) {
    if (typeof value !== 'boolean') throw invalid(place, 'exists needs true or false');
    if (keyword) throw invalid(place, 'exists needs a field');
    return value ? { kind: 'exists', field: field.name } : not({ kind: 'exists', field: field.name });
  }
  if (value === null) {
    // Sigma: a null value means the field is absent.
    if (keyword) throw invalid(place, 'null keyword');
    return not({ kind: 'exists', field: field.name });
  }
  for (const op of ['lt', 'lte', 'gt', 'gte'] as const) {
    if (!modifiers.has(op)) continue;
    if (typeof value !== 'number') throw invalid(place, `${op} needs a number`);
    if (keyword) throw invalid(place, `${op} needs a field`);
    return { kind: 'range', field: field.name, op, value };
  }
  if (modifiers.has('cidr')) {
    if (typeof value !== 'string' || !/^[0-9a-fA-F:.]+\/\d{1,3}$/.test(value)) throw invalid(place, 'cidr needs an address/prefix');
    if (keyword) throw invalid(place, 'cidr needs a field');
    return { kind: 'cidr', field: field.name, cidr: value };
  }
  if (modifiers.has('re')) {
    if (keyword) throw unsupported(place, 're on keywords');
    if (!textual) throw unsupported(place, `re on ${field.type} field ${field.name}`);
    const flags = ['i', 'm', 's'].filter((flag) => modifiers.has(flag));
    const translated = toLuceneRegexp(String(value), flags, place);
    return { kind: 'regexp', field: field.name, regexp: translated.regexp, caseInsensitive: translated.caseInsensitive };
  }
  const stringModifiers = ['contains', 'startswith', 'endswith', 'base64', 'base64offset', 'windash'].some((name) => modifiers.has(name));
  if (typeof value !== 'string' && !stringModifiers) {
    if (keyword) return leaf(literalPattern(String(value)), false);
    // Numbers/booleans on string fields are compared as text (EMS keeps many numeric-looking values as keywords).
    if (textual) return leaf(literalPattern(String(value)), false);
    return { kind: 'value', field: field.name, value };
  }
  const caseInsensitive = !modifiers.has('cased');
  const text = String(value);
  const leading = modifiers.has('contains') || modifiers.has('endswith');
  const trailing = modifiers.has('contains') || modifiers.has('startswith');
  if (modifiers.has('base64offset')) {
    // Base64 is case-sensitive; the three offsets cover the value's position modulo 3 inside the encoded text.
    return or(base64Offsets(text).map((encoded) => leaf(withWildcards(literalPattern(encoded), leading, trailing), false)));
  }
  if (modifiers.has('base64')) {
    if (/(?<!\\)[*?]/.test(text)) throw unsupported(place, 'base64 with wildcards');
    return leaf(withWildcards(literalPattern(Buffer.from(text, 'utf8').toString('base64')), leading, trailing), false);
  }
  const pattern = withWildcards(parsePattern(text), leading, trailing);
  if (modifiers.has('windash')) return or(windashVariants(pattern, place).map((variant) => leaf(variant, caseInsensitive)));
  return leaf(pattern, caseInsensitive);
}

/** The pySigma base64offset algorithm: encode at offsets 0, 1, 2 and trim the characters that depend on neighbours. */
function base64Offsets(text: string): string[] {
  const start = [0, 2, 3];
  const end = [0, -3, -2];
  const length = Buffer.byteLength(text, 'utf8');
  return [0, 1, 2].map((offset) => {
    const encoded = Buffer.concat([Buffer.alloc(offset, ' '), Buffer.from(text, 'utf8')]).toString('base64');
    const trimEnd = end[(offset + length) % 3] as number;
    return encoded.slice(start[offset] as number, trimEnd === 0 ? undefined : encoded.length + trimEnd);
  });
}

const DASHES = ['-', '/', '\u2013', '\u2014', '\u2015'];
const WORD_DASH = /\B[-/]\b/g;
/** 5^3 variants; beyond that the query would be too large to be useful, so the value is refused. */
const MAX_WINDASH_VARIANTS = 125;

/**
 * windash (pySigma's `\B[-/]\b`): a `-` or `/` starting a word may be written with any Windows-accepted dash.
 * Every combination is generated, as pySigma does: `-a /b` also matches `/a -b`.
 */
function windashVariants(pattern: Pattern, place: string): Pattern[] {
  let variants: PatternPart[][] = [[]];
  for (const part of pattern) {
    if (!('literal' in part)) {
      variants = variants.map((variant) => [...variant, part]);
      continue;
    }
    const pieces = part.literal.split(WORD_DASH);
    let texts = [pieces[0] ?? ''];
    for (const piece of pieces.slice(1)) texts = texts.flatMap((text) => DASHES.map((dash) => `${text}${dash}${piece}`));
    variants = variants.flatMap((variant) => texts.map((text) => [...variant, { literal: text }]));
    if (variants.length > MAX_WINDASH_VARIANTS) throw unsupported(place, `windash with more than ${MAX_WINDASH_VARIANTS} variants`);
  }
  return variants.map(normalise);
}
