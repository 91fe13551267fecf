/**
 * Query → a Lucene query string (query_string / Dashboards "Lucene" syntax). Every reserved character in field
 * names and values is backslash-escaped, whitespace included, so a value is always one term. Lucene syntax cannot
 * ask for a case-insensitive keyword match, so values are written as Sigma gives them: use the DSL when case
 * matters.
 */
import type { Pattern, Query } from './query.js';

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

function render(query: Query, nested: boolean): string {
  switch (query.kind) {
    case 'and':
    case 'or': {
      const text = query.items.map((item) => render(item, true)).join(query.kind === 'and' ? ' AND ' : ' OR ');
      return nested ? `(${text})` : text;
    }
    case 'not':
      return `NOT ${render(query.item, true)}`;
    case 'match':
      return `${escapeLucene(query.field)}:${luceneTerm(query.pattern)}`;
    case 'value':
      return `${escapeLucene(query.field)}:${String(query.value)}`;
    case 'regexp':
      // Inside /…/ only an unescaped delimiter needs escaping; the body is already a Lucene regular expression.
      return `${escapeLucene(query.field)}:/${query.regexp.replace(/\\.|\//g, (token) => (token === '/' ? '\\/' : token))}/`;
    case 'cidr':
      return `${escapeLucene(query.field)}:${escapeLucene(query.cidr)}`;
    case 'exists':
      return `_exists_:${escapeLucene(query.field)}`;
    case 'range':
      return `${escapeLucene(query.field)}:${{ lt: '<', lte: '<=', gt: '>', gte: '>=' }[query.op]}${query.value}`;
    case 'keyword':
      return luceneTerm(query.pattern);
  }
}
