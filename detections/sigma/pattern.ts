/**
 * Sigma string values → patterns. Sigma's escaping: `\*` and `\?` are literal, `\\` is one backslash, and a
 * backslash before anything else is itself literal (so Windows paths like `C:\Windows` need no doubling).
 */
import { normalise, type Pattern, type PatternPart } from './query.js';

export function parsePattern(value: string): Pattern {
  const parts: PatternPart[] = [];
  for (let index = 0; index < value.length; index += 1) {
    const char = value[index] as string;
    const next = value[index + 1];
    if (char === '\\' && (next === '*' || next === '?' || next === '\\')) {
      parts.push({ literal: next });
      index += 1;
    } else if (char === '*' || char === '?') {
      parts.push({ wildcard: char });
    } else {
      parts.push({ literal: char });
    }
  }
  return normalise(parts);
}

/** A literal string as a pattern (no wildcard interpretation), e.g. a base64 encoding. */
export function literalPattern(value: string): Pattern {
  return normalise([{ literal: value }]);
}

export function withWildcards(pattern: Pattern, leading: boolean, trailing: boolean): Pattern {
  return normalise([...(leading ? [{ wildcard: '*' as const }] : []), ...pattern, ...(trailing ? [{ wildcard: '*' as const }] : [])]);
}
