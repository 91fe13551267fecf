/**
 * Sigma detection semantics → the Query tree: field modifiers, wildcards, null values and the condition.
 * Strings are case-insensitive unless `cased`; `re` is case-sensitive unless `re|i` (as Sigma specifies).
 */
import type { Condition } from './condition.js';
import { invalid, unsupported } from './errors.js';
import { isTextual, KEYWORD_FIELD, type MappedField, mapField } from './field-mapping.js';
import { literalPattern, parsePattern, withWildcards } from './pattern.js';
import type { Placeholders } from './placeholders.js';
import { and, hasWildcard, literalOf, normalise, not, or, type Pattern, type PatternPart, type Query } from './query.js';
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
  'wide',
  'utf16le',
  'utf16be',
  'utf16',
  'expand',
  'windash',
  'exists',
  'cased',
  'lt',
  'lte',
  'gt',
  'gte',
]);
/** Modifiers that act on a string value. */
const STRING_MODIFIERS = ['contains', 'startswith', 'endswith', 'base64', 'base64offset', 'windash', 'wide', 'utf16le', 'utf16be', 'utf16'];
/** Valid Sigma we refuse: each needs data or encodings we cannot express as one query. */
const UNSUPPORTED_MODIFIERS = new Set(['minute', 'hour', 'day', 'week', 'month', 'year']);

/**
 * pySigma's text encodings before base64/base64offset (`wide` is `utf16le`; `utf16` is Python's: a little-endian BOM
 * first). Indexed text holds no UTF-16, so an encoding is accepted only where a base64 modifier follows it.
 */
const ENCODINGS: Readonly<Record<string, (text: string) => Buffer>> = {
  wide: (text) => Buffer.from(text, 'utf16le'),
  utf16le: (text) => Buffer.from(text, 'utf16le'),
  utf16be: (text) => Buffer.from(text, 'utf16le').swap16(),
  utf16: (text) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
};

function isEncoding(modifier: string): boolean {
  return Object.hasOwn(ENCODINGS, modifier);
}

/** What the compiler is given besides the rule: the rule's logsource and the configured placeholders. */
export interface QueryContext {
  /** The rule's logsource is Fortinet/EMS: raw Fortinet names are ours (`mapField`). */
  readonly fortinet: boolean;
  /** `expand`: each `%name%` in a value stands for any of these values (a value of its own as Sigma text). */
  readonly placeholders?: Placeholders;
}

export function conditionToQuery(condition: Condition, selections: ReadonlyMap<string, Selection>, context: QueryContext): Query {
  const selection = (name: string): Query => selectionToQuery(selections.get(name) as Selection, context);
  switch (condition.kind) {
    case 'ref':
      return selection(condition.name);
    case 'and':
      return and(condition.items.map((item) => conditionToQuery(item, selections, context)));
    case 'or':
      return or(condition.items.map((item) => conditionToQuery(item, selections, context)));
    case 'not':
      return not(conditionToQuery(condition.item, selections, context));
    case 'oneOf':
      return or(condition.names.map(selection));
    case 'allOf':
      return and(condition.names.map(selection));
  }
}

export function selectionToQuery(selection: Selection, context: QueryContext): Query {
  return or(selection.alternatives.map((matches) => and(matches.map((match) => fieldMatchToQuery(match, context)))));
}

function fieldMatchToQuery(match: FieldMatch, context: QueryContext): Query {
  const modifiers = new Set(match.modifiers);
  for (const [index, modifier] of match.modifiers.entries()) {
    if (modifier === 'fieldref') {
      // `doc['a'].value == doc['b'].value` needs a script query: the managed node has no script engine (it answers
      // `script_lang not supported [painless]`) and Lucene has no field-to-field comparison, so neither output exists.
      throw unsupported(match.place, 'modifier fieldref (comparing two fields needs a Painless script query)');
    }
    if (UNSUPPORTED_MODIFIERS.has(modifier)) throw unsupported(match.place, `modifier ${modifier}`);
    if (!KNOWN_MODIFIERS.has(modifier)) throw unsupported(match.place, `unknown modifier ${modifier}`);
    if (isEncoding(modifier) && !match.modifiers.slice(index + 1).some((later) => later === 'base64' || later === 'base64offset')) {
      throw unsupported(match.place, `${modifier} without base64 or base64offset after it (indexed text holds no UTF-16)`);
    }
  }
  if (match.modifiers.filter(isEncoding).length > 1) throw invalid(match.place, 'more than one text encoding');
  // A regexp, a CIDR block, a bound or exists is not a string: a string modifier beside one would be dropped silently.
  const kind = ['re', 'cidr', 'exists', 'lt', 'lte', 'gt', 'gte'].find((modifier) => modifiers.has(modifier));
  const stringModifier = STRING_MODIFIERS.find((modifier) => modifiers.has(modifier));
  if (kind !== undefined && stringModifier !== undefined) throw unsupported(match.place, `${kind} with ${stringModifier}`);
  if ((modifiers.has('i') || modifiers.has('m') || modifiers.has('s')) && !modifiers.has('re')) {
    throw invalid(match.place, 'flags i/m/s need the re modifier');
  }
  const values = match.values.map((value, index) => {
    const place = match.values.length > 1 ? `${match.place}[${index}]` : match.place;
    if (!modifiers.has('expand')) return valueToQuery(match, modifiers, value, place, context);
    // Every substitution is one more alternative of this value (`all` still ANDs the values, as in pySigma).
    return or(expandPlaceholders(value, place, context).map((expanded) => valueToQuery(match, modifiers, expanded, place, context)));
  });
  return modifiers.has('all') ? and(values) : or(values);
}

function valueToQuery(match: FieldMatch, modifiers: ReadonlySet<string>, value: SigmaScalar, place: string, context: QueryContext): Query {
  const keyword = match.field === '';
  const field: MappedField = keyword ? { name: KEYWORD_FIELD, type: 'unknown' } : mapField(match.field, context.fortinet);
  const textual = keyword || isTextual(field);
  const leaf = (pattern: Pattern, caseInsensitive: boolean): Query => {
    if (keyword) return keywordQuery(pattern, caseInsensitive, place);
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
  if (field.type === 'text') {
    // An analysed field holds words, not the value: a term, wildcard or regexp would compare against single
    // lowercased words (and query_string would lowercase a regexp, the DSL not), so no value query is exact.
    throw unsupported(place, `value on text field ${field.name} (search its words with keywords)`);
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
    // A term with a CIDR block matches addresses only on an ip field; on a keyword field it would match nothing.
    // Fields we do not know are taken to be ip fields, as other Sigma back ends for OpenSearch do.
    if (field.type === 'keyword') return keywordCidr(field.name, value, place);
    return { kind: 'cidr', field: field.name, cidr: value };
  }
  if (modifiers.has('re')) {
    if (keyword) throw unsupported(place, 're on keywords');
    if (!textual) throw unsupported(place, `re on ${field.type} field ${field.name}`);
    const flags = ['i', 'm', 's'].filter((flag) => modifiers.has(flag));
    const translated = toLuceneRegexp(String(value), flags, place);
    return { kind: 'regexp', field: field.name, regexp: translated.regexp };
  }
  const stringModifiers = ['contains', 'startswith', 'endswith', 'base64', 'base64offset', 'windash'].some((name) => modifiers.has(name));
  if (typeof value !== 'string' && !stringModifiers) {
    if (keyword) return leaf(literalPattern(String(value)), true); // digits have no case
    // Numbers/booleans on string fields are compared as text (EMS keeps many numeric-looking values as keywords).
    if (textual) return leaf(literalPattern(String(value)), false);
    return { kind: 'value', field: field.name, value };
  }
  const caseInsensitive = !modifiers.has('cased');
  const text = String(value);
  const leading = modifiers.has('contains') || modifiers.has('endswith');
  const trailing = modifiers.has('contains') || modifiers.has('startswith');
  const encoding = match.modifiers.find(isEncoding);
  const encode =
    encoding === undefined ? (plain: string) => Buffer.from(plain, 'utf8') : (ENCODINGS[encoding] as (plain: string) => Buffer);
  if ((modifiers.has('base64') || modifiers.has('base64offset')) && /(?<!\\)[*?]/.test(text)) {
    // The encoded text of a wildcard is not a wildcard: pySigma refuses it too.
    throw unsupported(place, 'base64 with wildcards');
  }
  const base64 = match.modifiers.findIndex((modifier) => modifier === 'base64' || modifier === 'base64offset');
  if (base64 >= 0) {
    // windash before the encoding: each dash variant is encoded (as pySigma applies a modifier to every expansion);
    // after it, it would look for dashes in base64 text, which means nothing.
    const windash = match.modifiers.indexOf('windash');
    if (windash > base64) throw unsupported(place, 'windash after base64');
    const texts = windash >= 0 ? windashVariants(literalPattern(text), place).map(literalOf) : [text];
    // Base64 is case-sensitive; base64offset's three offsets cover the value's position modulo 3 in the encoded text.
    const encoded = texts.flatMap((plain) =>
      modifiers.has('base64offset') ? base64Offsets(encode(plain)) : [encode(plain).toString('base64')],
    );
    return or(encoded.map((variant) => leaf(withWildcards(literalPattern(variant), leading, trailing), false)));
  }
  const pattern = withWildcards(parsePattern(text), leading, trailing);
  if (modifiers.has('windash')) return or(windashVariants(pattern, place).map((variant) => leaf(variant, caseInsensitive)));
  return leaf(pattern, caseInsensitive);
}

/**
 * A CIDR block on a keyword field holding dotted-quad IPv4 text: octet-aligned blocks are a prefix of the text
 * (`10.1.0.0/16` → `10.1.*`, a /32 the address itself); any other block has no exact keyword equivalent.
 */
function keywordCidr(field: string, cidr: string, place: string): Query {
  const [address = '', bits = ''] = cidr.split('/');
  const octets = address.split('.');
  const prefix = Number(bits);
  if (octets.length !== 4 || !octets.every((octet) => /^\d{1,3}$/.test(octet) && Number(octet) <= 255)) {
    throw unsupported(place, `cidr ${cidr} on keyword field ${field} (only IPv4 blocks have a text prefix)`);
  }
  if (prefix === 0 || prefix > 32 || prefix % 8 !== 0) {
    throw unsupported(place, `cidr ${cidr} on keyword field ${field} (only /8, /16, /24 and /32 are a text prefix)`);
  }
  const kept = octets.slice(0, prefix / 8).map((octet) => String(Number(octet)));
  const pattern: Pattern = prefix === 32 ? [{ literal: kept.join('.') }] : [{ literal: `${kept.join('.')}.` }, { wildcard: '*' }];
  return { kind: 'match', field, pattern, caseInsensitive: false };
}

/** Word characters of the standard analyser: a run of them is one token of the text field. */
const WORD = /^[\p{L}\p{N}_]+$/u;

/**
 * A keyword on the analysed text field. Without wildcards it is a phrase (every word, in order); with them, only one
 * word with a leading and/or trailing `*` has an exact token query: a `*` or `?` between words or inside a word
 * may span a word boundary, which token queries cannot see.
 */
function keywordQuery(pattern: Pattern, caseInsensitive: boolean, place: string): Query {
  if (!caseInsensitive) throw unsupported(place, 'cased keyword (the text field is lowercased)');
  const literals = pattern.flatMap((part) => ('literal' in part ? [part.literal] : []));
  if (!literals.some((literal) => /[\p{L}\p{N}]/u.test(literal))) {
    throw unsupported(place, 'keyword without a letter or digit (the text field indexes words only)');
  }
  if (hasWildcard(pattern)) {
    const inner = pattern.filter(
      (part, index) => !('wildcard' in part && part.wildcard === '*' && (index === 0 || index === pattern.length - 1)),
    );
    const single = inner.length === 1 && inner[0] !== undefined && 'literal' in inner[0] && WORD.test(inner[0].literal);
    if (!single) throw unsupported(place, 'keyword wildcard other than around one word');
  }
  return { kind: 'keyword', field: KEYWORD_FIELD, pattern };
}

/** The pySigma base64offset algorithm: encode at offsets 0, 1, 2 and trim the characters that depend on neighbours. */
function base64Offsets(bytes: Buffer): string[] {
  const start = [0, 2, 3];
  const end = [0, -3, -2];
  const length = bytes.length;
  return [0, 1, 2].map((offset) => {
    const encoded = Buffer.concat([Buffer.alloc(offset, ' '), bytes]).toString('base64');
    const trimEnd = end[(offset + length) % 3] as number;
    return encoded.slice(start[offset] as number, trimEnd === 0 ? undefined : encoded.length + trimEnd);
  });
}

/** pySigma's placeholder syntax: `%name%`, a name of word characters. */
const PLACEHOLDER = /%(\w+)%/g;
/** Beyond this many substitutions of one value the query would be too large to be useful: refused. */
const MAX_EXPANSIONS = 256;

/**
 * `expand`: the value once per combination of its placeholders' values, substituted as Sigma text (a `*` in a
 * configured value is a wildcard). A placeholder without a configured value refuses the rule: matching `%name%`
 * literally would search for text no event holds.
 */
function expandPlaceholders(value: SigmaScalar, place: string, context: QueryContext): SigmaScalar[] {
  if (typeof value !== 'string') return [value];
  const pieces = value.split(PLACEHOLDER); // odd indices are the names
  let texts = [''];
  for (const [index, piece] of pieces.entries()) {
    if (index % 2 === 0) {
      texts = texts.map((text) => text + piece);
      continue;
    }
    const substitutes = Object.hasOwn(context.placeholders ?? {}, piece) ? (context.placeholders?.[piece] ?? []) : [];
    if (substitutes.length === 0) throw unsupported(place, `placeholder %${piece}% has no value`);
    texts = texts.flatMap((text) => substitutes.map((substitute) => text + substitute));
    if (texts.length > MAX_EXPANSIONS) throw unsupported(place, `expand with more than ${MAX_EXPANSIONS} substitutions`);
  }
  return texts;
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
