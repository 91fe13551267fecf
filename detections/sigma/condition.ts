/**
 * The Sigma condition grammar: identifiers, `and`/`or`/`not`, parentheses, `1 of X`, `all of X` (X a name,
 * a `sel*` pattern or `them`). Precedence: not > and > or. Old-style `| count() …` aggregations are refused.
 */
import { invalid, unsupported } from './errors.js';

export type Condition =
  | { readonly kind: 'ref'; readonly name: string }
  | { readonly kind: 'and' | 'or'; readonly items: readonly Condition[] }
  | { readonly kind: 'not'; readonly item: Condition }
  | { readonly kind: 'oneOf' | 'allOf'; readonly names: readonly string[] };

type Token = { readonly text: string; readonly at: number };

const TOKEN = /\s*(\(|\)|\||[^\s()|]+)/y;

function tokenize(text: string, place: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  let match = TOKEN.exec(text);
  while (match) {
    tokens.push({ text: match[1] ?? '', at: match.index });
    match = TOKEN.exec(text);
  }
  if (TOKEN.lastIndex !== 0 && text.slice(TOKEN.lastIndex).trim() !== '') throw invalid(place, `condition: cannot read '${text}'`);
  return tokens;
}

/** Sigma identifier patterns: `*` is any run of characters (the only wildcard the spec uses here). */
function patternMatcher(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** Parses `text` against the rule's identifiers; unknown names and empty patterns are errors, not silent misses. */
export function parseCondition(text: string, identifiers: readonly string[], place = 'detection.condition'): Condition {
  const tokens = tokenize(text, place);
  let position = 0;
  const peek = (): string | undefined => tokens[position]?.text;
  const lower = (): string | undefined => peek()?.toLowerCase();
  const fail = (problem: string): never => {
    throw invalid(place, `condition '${text}': ${problem}`);
  };

  if (tokens.some((token) => token.text === '|')) throw unsupported(place, 'aggregation expression');

  const resolve = (target: string): string[] => {
    if (target.toLowerCase() === 'them') {
      // `them` skips identifiers starting with `_` (the spec's helper-selection convention).
      return identifiers.filter((name) => !name.startsWith('_'));
    }
    if (!target.includes('*')) return identifiers.includes(target) ? [target] : fail(`unknown identifier '${target}'`);
    const matcher = patternMatcher(target);
    const names = identifiers.filter((name) => matcher.test(name));
    return names.length > 0 ? names : fail(`pattern '${target}' matches no identifier`);
  };

  const primary = (): Condition => {
    const token = peek();
    if (token === undefined) return fail('unexpected end');
    const word = token.toLowerCase();
    if (token === '(') {
      position += 1;
      const inner = orExpression();
      if (peek() !== ')') fail('missing )');
      position += 1;
      return inner;
    }
    if (word === 'not') {
      position += 1;
      return { kind: 'not', item: primary() };
    }
    if (/^\d+$/.test(word) || word === 'all') {
      position += 1;
      if (lower() !== 'of') return fail(`expected 'of' after '${token}'`);
      position += 1;
      const target = peek();
      if (target === undefined || target === '(' || target === ')') return fail(`expected a name after '${token} of'`);
      position += 1;
      if (word !== 'all' && word !== '1') throw unsupported(place, `'${token} of' (only '1 of' and 'all of')`);
      return { kind: word === 'all' ? 'allOf' : 'oneOf', names: resolve(target) };
    }
    if (word === 'and' || word === 'or' || token === ')') return fail(`unexpected '${token}'`);
    position += 1;
    return { kind: 'ref', name: resolve(token)[0] as string };
  };

  const andExpression = (): Condition => {
    const items = [primary()];
    while (lower() === 'and') {
      position += 1;
      items.push(primary());
    }
    return items.length === 1 ? (items[0] as Condition) : { kind: 'and', items };
  };

  function orExpression(): Condition {
    const items = [andExpression()];
    while (lower() === 'or') {
      position += 1;
      items.push(andExpression());
    }
    return items.length === 1 ? (items[0] as Condition) : { kind: 'or', items };
  }

  const result = orExpression();
  if (position < tokens.length) fail(`unexpected '${peek()}'`);
  return result;
}
