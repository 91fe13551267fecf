/**
 * Query → a Lucene query string (query_string / Dashboards "Lucene" syntax), meaning exactly what the DSL means.
 * Every reserved character in field names and values is backslash-escaped, whitespace included, so a value is always
 * one term. Lucene terms are case-sensitive on keyword fields, so a case-insensitive value with letters is written as
 * a regular expression with per-letter classes (`cmd.exe` → `/[cC][mM][dD]\\.[eE][xX][eE]/`). The classic parser reads `a OR NOT b` as "a and
 * not b", so a negation among alternatives is written `(*:* AND NOT b)`.
 */
import type { Pattern, Query } from './query.js';
import { caseFoldChar } from './regex.js';

const RESERVED = /[+\-=&|><!(){}[\]^"~*?:\\/\s]/g;

export function escapeLucene(text: string): string {
  return text.replace(RESERVED, (char) => `\\${char}`);
}

/** A pattern as one Lucene term: literals escaped, `*` and `?` left as wildcards; an empty value is `""`. */
export function luceneTerm(pattern: Pattern): string {
  if (pattern.length === 0) return '""';
  const text = pattern.map((part) => ('literal' in part ? escapeLucene(part.literal) : part.wildcard)).join('');
  // A bare AND/OR/NOT would be read as an operator; escaping its first letter keeps it a term.
  return /^(AND|OR|NOT)$/.test(text) ? `\\${text}` : text;
}

export function toLucene(query: Query): string {
  return render(query, false);
}

/** A clause matching every document, for negations that are not beside a positive clause. */
const ALL = '*:*';

function render(query: Query, nested: boolean): string {
  switch (query.kind) {
    case 'and': {
      const text = query.items.map((item) => render(item, true)).join(' AND ');
      // A nested group of negations only would match nothing (the top level is fixed by OpenSearch, a group is not).
      const positive = query.items.some((item) => item.kind !== 'not');
      return nested ? `(${positive ? '' : `${ALL} AND `}${text})` : text;
    }
    case 'or': {
      const text = query.items
        .map((item) => (item.kind === 'not' ? `(${ALL} AND ${render(item, true)})` : render(item, true)))
        .join(' OR ');
      return nested ? `(${text})` : text;
    }
    case 'not':
      return `NOT ${render(query.item, true)}`;
    case 'match':
      return `${escapeLucene(query.field)}:${query.caseInsensitive ? caseInsensitiveTerm(query.pattern) : luceneTerm(query.pattern)}`;
    case 'value':
      return `${escapeLucene(query.field)}:${String(query.value)}`;
    case 'regexp':
      // Inside /…/ only an unescaped delimiter needs escaping; the body is already a Lucene regular expression.
      return `${escapeLucene(query.field)}:${delimited(query.regexp.replace(/\\.|\//g, (token) => (token === '/' ? '\\/' : token)))}`;
    case 'cidr':
      return `${escapeLucene(query.field)}:${escapeLucene(query.cidr)}`;
    case 'exists':
      return `_exists_:${escapeLucene(query.field)}`;
    case 'range':
      return `${escapeLucene(query.field)}:${{ lt: '<', lte: '<=', gt: '>', gte: '>=' }[query.op]}${query.value}`;
    case 'keyword':
      // The text field's analyser lowercases both the phrase and a wildcard term: no regexp needed for case.
      return `${escapeLucene(query.field)}:${hasWildcardPart(query.pattern) ? luceneTerm(query.pattern) : phrase(query.pattern)}`;
  }
}

function hasWildcardPart(pattern: Pattern): boolean {
  return pattern.some((part) => 'wildcard' in part);
}

/** A quoted phrase: inside quotes only `"` and `\` are special. */
function phrase(pattern: Pattern): string {
  const text = pattern.map((part) => ('literal' in part ? part.literal : part.wildcard)).join('');
  return `"${text.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * A case-insensitive pattern: a term when nothing in it has case, else a regexp over the whole value with ASCII
 * letters as `[aA]` (what OpenSearch's `case_insensitive` does), `*` → `.*`, `?` → `.`, every other non-alphanumeric
 * escaped (Lucene regexp operators, and `/`, the query string's delimiter).
 */
function caseInsensitiveTerm(pattern: Pattern): string {
  const letters = pattern.some((part) => 'literal' in part && /[A-Za-z]/.test(part.literal));
  if (!letters) return luceneTerm(pattern);
  const body = pattern
    .map((part) => ('literal' in part ? [...part.literal].map(regexpChar).join('') : part.wildcard === '*' ? '.*' : '.'))
    .join('');
  return delimited(body);
}

/** One literal character inside a Lucene regexp: letters of both cases; ASCII punctuation escaped. */
function regexpChar(char: string): string {
  if (/[A-Za-z]/.test(char)) return caseFoldChar(char);
  // A backslash before a digit or letter would be a class (`\d`) or an error; non-ASCII is no operator.
  return /[0-9]/.test(char) || char.charCodeAt(0) > 127 ? char : `\\${char}`;
}

/**
 * `/body/` for the query string. Its tokenizer reads `\/` as an escaped delimiter even after an escaped backslash,
 * so a body ending in `\\` would swallow the closing `/`: an empty group `()` (matching nothing more) ends it instead.
 */
function delimited(body: string): string {
  return body.endsWith('\\') ? `/${body}()/` : `/${body}/`;
}
