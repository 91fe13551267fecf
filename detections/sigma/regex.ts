/**
 * Sigma `re` values are PCRE-style searches (unanchored); OpenSearch regexp is a Lucene regular expression that must
 * match the WHOLE value and has its own operators (`@ & ~ < > #`). This translates the common subset exactly and
 * refuses (`unsupported: …`) what Lucene cannot express (lookaround, backreferences, word boundaries, inline flags
 * other than a leading `(?i)`), instead of emitting a regexp that matches something else.
 *
 * The result is also the body of a Lucene query string `/…/`, so it stays on one line: no raw tab, line feed or
 * carriage return (Lucene regexp has no escape for them; its `\s` is exactly [ \t\n\r]). Case-insensitive searches
 * (`re|i`, `(?i)`) are spelled out as per-letter classes (`[aA]`), ASCII only like OpenSearch's `case_insensitive`,
 * because query_string has no flag for it: the DSL and the Lucene output then share one regexp.
 */
import { unsupported } from './errors.js';

export interface LuceneRegexp {
  readonly regexp: string;
}

// PCRE's \s is [ \t\n\r\f\v]; Lucene's \s lacks form feed and vertical tab, which are written raw (not line breaks).
const WHITESPACE = '\\s\f\v';
const CLASS_ESCAPES: Record<string, string> = { d: '0-9', w: 'A-Za-z0-9_', s: WHITESPACE };
const NEGATED_ESCAPES: Record<string, string> = { D: '[^0-9]', W: '[^A-Za-z0-9_]', S: `[^${WHITESPACE}]` };
const CONTROL_ESCAPES: Record<string, string> = { f: '\f', v: '\v' };
/** Characters a one-line Lucene query string cannot hold and Lucene regexp cannot escape. */
const LINE_BREAKING: Record<string, string> = { t: 'tab', n: 'line feed', r: 'carriage return' };
/** Characters Lucene treats as operators although PCRE does not: escaped to stay literal. */
const LUCENE_ONLY_OPERATORS = new Set(['@', '&', '~', '<', '>', '#', '"']);

export function toLuceneRegexp(source: string, flags: readonly string[], place: string): LuceneRegexp {
  if (/[\t\n\r]/.test(source)) throw unsupported(place, 're with a raw tab, line feed or carriage return');
  let caseInsensitive = flags.includes('i');
  let body = source;
  if (body.startsWith('(?i)')) {
    caseInsensitive = true;
    body = body.slice(4);
  }
  let anchoredStart = false;
  let anchoredEnd = false;
  if (body.startsWith('^')) {
    anchoredStart = true;
    body = body.slice(1);
  }
  if (body.endsWith('$') && !isEscaped(body, body.length - 1)) {
    anchoredEnd = true;
    body = body.slice(0, -1);
  }
  // `m` only changes what ^ and $ mean; `s` lets `.` match newlines, which Lucene's `.` always does.
  if (flags.includes('m') && (anchoredStart || anchoredEnd)) throw unsupported(place, 're flag m with ^/$ anchors');
  const translated = translate(body, place, caseInsensitive);
  if ((anchoredStart || anchoredEnd) && hasTopLevelAlternation(body)) throw unsupported(place, 're anchor with top-level alternation');
  const grouped = hasTopLevelAlternation(body) ? `(${translated})` : translated;
  return { regexp: `${anchoredStart ? '' : '.*'}${grouped}${anchoredEnd ? '' : '.*'}` };
}

function isEscaped(text: string, index: number): boolean {
  let backslashes = 0;
  for (let at = index - 1; at >= 0 && text[at] === '\\'; at -= 1) backslashes += 1;
  return backslashes % 2 === 1;
}

function hasTopLevelAlternation(body: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let index = 0; index < body.length; index += 1) {
    const char = body[index];
    if (char === '\\') index += 1;
    else if (inClass) inClass = char !== ']';
    else if (char === '[') inClass = true;
    else if (char === '(') depth += 1;
    else if (char === ')') depth -= 1;
    else if (char === '|' && depth === 0) return true;
  }
  return false;
}

/** An ASCII letter as a class of both cases (`a` → `[aA]`); anything else unchanged. */
export function caseFoldChar(char: string): string {
  return /^[A-Za-z]$/.test(char) ? `[${char.toLowerCase()}${char.toUpperCase()}]` : char;
}

/** The other-case counterparts of the ASCII letters in lo..hi, as extra class ranges. */
function foldedRanges(lo: number, hi: number): string {
  const spans: [number, number][] = [];
  const upper = [Math.max(lo, 65), Math.min(hi, 90)] as const;
  const lower = [Math.max(lo, 97), Math.min(hi, 122)] as const;
  if (upper[0] <= upper[1]) spans.push([upper[0] + 32, upper[1] + 32]);
  if (lower[0] <= lower[1]) spans.push([lower[0] - 32, lower[1] - 32]);
  const char = (code: number) => String.fromCharCode(code);
  return spans.map(([from, to]) => (from === to ? char(from) : `${char(from)}-${char(to)}`)).join('');
}

function translate(body: string, place: string, caseInsensitive: boolean): string {
  let out = body.startsWith('|') ? '()' : '';
  let inClass = false;
  for (let index = 0; index < body.length; index += 1) {
    const char = body[index] as string;
    if (char === '\\') {
      const next = body[index + 1];
      if (next === undefined) throw unsupported(place, 're trailing backslash');
      if (caseInsensitive && inClass && body[index + 2] === '-' && body[index + 3] !== ']') {
        throw unsupported(place, 're|i class range with an escaped bound');
      }
      index += 1;
      out += translateEscape(next, inClass, caseInsensitive, body, index, place, (skip) => {
        index += skip;
      });
      continue;
    }
    if (inClass) {
      if (char === ']') inClass = false;
      else if (caseInsensitive && body[index + 1] === '-' && body[index + 2] !== undefined && body[index + 2] !== ']') {
        const to = body[index + 2] as string;
        if (to === '\\') throw unsupported(place, 're|i class range with an escaped bound');
        out += `${char}-${to}${foldedRanges(char.charCodeAt(0), to.charCodeAt(0))}`;
        index += 2;
        continue;
      } else if (caseInsensitive) {
        out += char + foldedRanges(char.charCodeAt(0), char.charCodeAt(0));
        continue;
      }
      out += char;
      continue;
    }
    if (char === '[') {
      inClass = true;
      out += char;
      if (body[index + 1] === '^') {
        out += '^';
        index += 1;
      }
      // A `]` right after `[` or `[^` is a literal in PCRE; Lucene needs it escaped.
      if (body[index + 1] === ']') {
        out += '\\]';
        index += 1;
      }
      continue;
    }
    if (char === '(' && body[index + 1] === '?') {
      if (body[index + 2] !== ':') throw unsupported(place, `re group '(?${body[index + 2] ?? ''}' (lookaround or inline flag)`);
      out += '(';
      index += 2;
      if (body[index + 1] === '|' || body[index + 1] === ')') out += '()';
      continue;
    }
    if (char === '^' || char === '$') throw unsupported(place, `re anchor '${char}' inside the pattern`);
    if ((char === '*' || char === '+' || char === '?') && body[index + 1] === '+') {
      throw unsupported(place, 're possessive quantifier');
    }
    if ((char === '*' || char === '+' || char === '?') && body[index + 1] === '?' && out !== '') {
      // A lazy quantifier matches the same strings as a greedy one when the whole value must match.
      out += char;
      index += 1;
      continue;
    }
    if (char === '{') {
      const quantifier = /^\{\d+(,\d*)?\}/.exec(body.slice(index))?.[0];
      // A `{` that starts no quantifier is a literal in PCRE but an error in Lucene.
      if (quantifier === undefined) {
        out += '\\{';
        continue;
      }
      out += quantifier;
      index += quantifier.length - 1;
      if (body[index + 1] === '+') throw unsupported(place, 're possessive quantifier');
      if (body[index + 1] === '?') index += 1; // lazy = greedy when the whole value must match
      continue;
    }
    if (char === '}' || char === ']') {
      // Stray closers are literals in PCRE; Lucene needs them escaped.
      out += `\\${char}`;
      continue;
    }
    out += LUCENE_ONLY_OPERATORS.has(char) ? `\\${char}` : caseInsensitive ? caseFoldChar(char) : char;
    // PCRE allows empty alternatives (`(\s|)`); Lucene needs the empty string spelled `()`.
    if (
      (char === '|' || char === '(') &&
      (body[index + 1] === '|' || body[index + 1] === ')' || (char === '|' && index + 1 === body.length))
    ) {
      out += '()';
    }
  }
  if (inClass) throw unsupported(place, 're unterminated character class');
  return out;
}

function translateEscape(
  next: string,
  inClass: boolean,
  caseInsensitive: boolean,
  body: string,
  index: number,
  place: string,
  skip: (count: number) => void,
): string {
  const classEscape = CLASS_ESCAPES[next];
  if (classEscape !== undefined) return inClass ? classEscape : `[${classEscape}]`;
  const negated = NEGATED_ESCAPES[next];
  if (negated !== undefined) {
    if (inClass) throw unsupported(place, `re \\${next} inside a character class`);
    return negated;
  }
  const control = CONTROL_ESCAPES[next];
  if (control !== undefined) return control;
  const breaking = LINE_BREAKING[next];
  if (breaking !== undefined) throw unsupported(place, `re escape \\${next} (${breaking}): Lucene regexp can only write it raw`);
  if (next === 'x') {
    const hex = body.slice(index + 1, index + 3);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw unsupported(place, 're \\x escape');
    skip(2);
    const char = String.fromCharCode(Number.parseInt(hex, 16));
    if (/[\t\n\r]/.test(char)) throw unsupported(place, `re escape \\x${hex}: Lucene regexp can only write it raw`);
    // A backslash before a letter or digit is a class (\d, \w…) or an error in Lucene: those stay bare.
    if (/[0-9]/.test(char) || !caseInsensitive) return /[A-Za-z0-9]/.test(char) ? char : `\\${char}`;
    if (/[A-Za-z]/.test(char)) return inClass ? char + foldedRanges(char.charCodeAt(0), char.charCodeAt(0)) : caseFoldChar(char);
    return `\\${char}`;
  }
  // Letters and digits after a backslash are PCRE classes/backreferences/assertions Lucene lacks (\b, \1, \p…).
  if (/[A-Za-z0-9]/.test(next)) throw unsupported(place, `re escape \\${next}`);
  return `\\${next}`;
}
