/**
 * Query → OpenSearch query DSL. Leaves prefer the cheapest exact form: term (case_insensitive where Sigma is),
 * prefix for `value*`, wildcard otherwise. Keyword (full-text) searches are a match_phrase on the text field, or a
 * case-insensitive wildcard on its tokens for `*word*`.
 */
import type { Pattern, Query } from './query.js';
import { hasWildcard, literalOf } from './query.js';

export type Dsl = Record<string, unknown>;

export function toDsl(query: Query): Dsl {
  switch (query.kind) {
    case 'and':
      return { bool: { must: query.items.map(toDsl) } };
    case 'or':
      return orToDsl(query.items);
    case 'not':
      return { bool: { must_not: [toDsl(query.item)] } };
    case 'match':
      return matchToDsl(query.field, query.pattern, query.caseInsensitive);
    case 'value':
      return { term: { [query.field]: { value: query.value } } };
    case 'regexp':
      return { regexp: { [query.field]: { value: query.regexp, flags: 'ALL' } } };
    case 'cidr':
      // A term query on an ip field accepts CIDR notation and matches every address in the block.
      return { term: { [query.field]: { value: query.cidr } } };
    case 'exists':
      return { exists: { field: query.field } };
    case 'range':
      return { range: { [query.field]: { [query.op]: query.value } } };
    case 'keyword':
      return hasWildcard(query.pattern)
        ? matchToDsl(query.field, query.pattern, true)
        : { match_phrase: { [query.field]: { query: literalOf(query.pattern) } } };
  }
}

function ci(caseInsensitive: boolean): Record<string, boolean> {
  return caseInsensitive ? { case_insensitive: true } : {};
}

/**
 * Whether case_insensitive changes anything: OpenSearch folds ASCII letters only, so a value without one is the
 * same query without the flag, which also works where the flag fails: a case-insensitive term for '' never matches,
 * and ip/numeric fields refuse the flag (a rule's quoted `'4688'` or `'10.1.2.3'` on a field we do not know).
 */
function folds(pattern: Pattern, caseInsensitive: boolean): boolean {
  return caseInsensitive && pattern.some((part) => 'literal' in part && /[A-Za-z]/.test(part.literal));
}

/** Exact case-sensitive values of one field collapse into one `terms`; everything else is a bool should. */
function orToDsl(items: readonly Query[]): Dsl {
  const exact = items.filter(
    (item): item is Extract<Query, { kind: 'match' | 'value' }> =>
      item.kind === 'value' || (item.kind === 'match' && !folds(item.pattern, item.caseInsensitive) && !hasWildcard(item.pattern)),
  );
  const field = exact[0]?.field;
  if (field !== undefined && exact.length === items.length && exact.every((item) => item.field === field)) {
    return { terms: { [field]: exact.map((item) => (item.kind === 'value' ? item.value : literalOf(item.pattern))) } };
  }
  return { bool: { should: items.map(toDsl), minimum_should_match: 1 } };
}

function matchToDsl(field: string, pattern: Pattern, insensitive: boolean): Dsl {
  const caseInsensitive = folds(pattern, insensitive);
  if (!hasWildcard(pattern)) return { term: { [field]: { value: literalOf(pattern), ...ci(caseInsensitive) } } };
  const last = pattern[pattern.length - 1];
  const head = pattern.slice(0, -1);
  if (last && 'wildcard' in last && last.wildcard === '*' && head.length > 0 && !hasWildcard(head)) {
    return { prefix: { [field]: { value: literalOf(head), ...ci(caseInsensitive) } } };
  }
  return { wildcard: { [field]: { value: wildcardValue(pattern), ...ci(caseInsensitive) } } };
}

/** The wildcard query's own syntax: `*`, `?` and `\` are special, escaped with a backslash. */
function wildcardValue(pattern: Pattern): string {
  return pattern.map((part) => ('literal' in part ? part.literal.replace(/[*?\\]/g, '\\$&') : part.wildcard)).join('');
}
