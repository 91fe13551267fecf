/**
 * The query both back ends render: a small boolean tree over leaf matches. Building it once keeps the DSL and the
 * Lucene output semantically identical; only the spelling differs.
 */

/** A string value after Sigma wildcard parsing: literal text, `*` (any run) and `?` (one character). */
export type PatternPart = { readonly literal: string } | { readonly wildcard: '*' | '?' };
export type Pattern = readonly PatternPart[];

export type Query =
  | { readonly kind: 'and' | 'or'; readonly items: readonly Query[] }
  | { readonly kind: 'not'; readonly item: Query }
  | { readonly kind: 'match'; readonly field: string; readonly pattern: Pattern; readonly caseInsensitive: boolean }
  | { readonly kind: 'value'; readonly field: string; readonly value: number | boolean }
  /** A Lucene regular expression; case-insensitivity is already spelled out in it (`regex.ts`). */
  | { readonly kind: 'regexp'; readonly field: string; readonly regexp: string }
  | { readonly kind: 'cidr'; readonly field: string; readonly cidr: string }
  | { readonly kind: 'exists'; readonly field: string }
  | { readonly kind: 'range'; readonly field: string; readonly op: 'lt' | 'lte' | 'gt' | 'gte'; readonly value: number }
  /**
   * Full-text search of a Sigma `keywords` value on an analysed text field: a phrase (the words, in order, adjacent),
   * or one word with a leading and/or trailing `*`. Case-insensitive, as the field's analyser lowercases.
   */
  | { readonly kind: 'keyword'; readonly field: string; readonly pattern: Pattern };

export function and(items: Query[]): Query {
  const flat = items.flatMap((item) => (item.kind === 'and' ? item.items : [item]));
  return flat.length === 1 ? (flat[0] as Query) : { kind: 'and', items: flat };
}

export function or(items: Query[]): Query {
  const flat = items.flatMap((item) => (item.kind === 'or' ? item.items : [item]));
  return flat.length === 1 ? (flat[0] as Query) : { kind: 'or', items: flat };
}

export function not(item: Query): Query {
  return item.kind === 'not' ? item.item : { kind: 'not', item };
}

export function hasWildcard(pattern: Pattern): boolean {
  return pattern.some((part) => 'wildcard' in part);
}

/** The literal text of a pattern without wildcards. */
export function literalOf(pattern: Pattern): string {
  return pattern.map((part) => ('literal' in part ? part.literal : part.wildcard)).join('');
}

/** Merges adjacent literals and drops empty ones so back ends see a canonical pattern. */
export function normalise(parts: readonly PatternPart[]): Pattern {
  const result: PatternPart[] = [];
  for (const part of parts) {
    const last = result[result.length - 1];
    if ('literal' in part) {
      if (part.literal === '') continue;
      if (last && 'literal' in last) result[result.length - 1] = { literal: last.literal + part.literal };
      else result.push(part);
    } else if (!(part.wildcard === '*' && last && 'wildcard' in last && last.wildcard === '*')) {
      result.push(part);
    }
  }
  return result;
}
