/**
 * Sigma `re` values are PCRE-style searches (unanchored); OpenSearch regexp is a Lucene regular expression that must
 * match the WHOLE value and has its own operators (`@ & ~ < > #`). This translates the common subset exactly and
 * refuses (`unsupported: …`) what Lucene cannot express (lookaround, backreferences, word boundaries, inline flags
 * other than a leading `(?i)`), instead of emitting a regexp that matches something else.
 */
import { unsupported } from './errors.js';

export interface LuceneRegexp {
  readonly regexp: string;
  readonly caseInsensitive: boolean;
}

const WHITESPACE = ' \t\n\r\f\v';
const CLASS_ESCAPES: Record<string, string> = { d: '0-9', w: 'A-Za-z0-9_', s: WHITESPACE };
const NEGATED_ESCAPES: Record<string, string> = { D: '[^0-9]', W: '[^A-Za-z0-9_]', S: `[^${WHITESPACE}]` };
const CONTROL_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v' };
/** Characters Lucene treats as operators although PCRE does not: escaped to stay literal. */
const LUCENE_ONLY_OPERATORS = new Set(['@', '&', '~', '<', '>', '#', '"']);

export function toLuceneRegexp(source: string, flags: readonly string[], place: string): LuceneRegexp {
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
  const translated = translate(body, place);
  if ((anchoredStart || anchoredEnd) && hasTopLevelAlternation(body)) throw unsupported(place, 're anchor with top-level alternation');
  const grouped = hasTopLevelAlternation(body) ? `(${translated})` : translated;
  return { regexp: `${anchoredStart ? '' : '.*'}${grouped}${anchoredEnd ? '' : '.*'}`, caseInsensitive };
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

function translate(body: string, place: string): string {
  let out = body.startsWith('|') ? '()' : '';
  let inClass = false;
  for (let index = 0; index < body.length; index += 1) {
    const char = body[index] as string;
    if (char === '\\') {
      const next = body[index + 1];
      if (next === undefined) throw unsupported(place, 're trailing backslash');
      index += 1;
      out += translateEscape(next, inClass, body, index, place, (skip) => {
        index += skip;
      });
      continue;
    }
    if (inClass) {
      if (char === ']') inClass = false;
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
    out += LUCENE_ONLY_OPERATORS.has(char) ? `\\${char}` : char;
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
  if (next === 'x') {
    const hex = body.slice(index + 1, index + 3);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw unsupported(place, 're \\x escape');
    skip(2);
    return `\\${String.fromCharCode(Number.parseInt(hex, 16))}`;
  }
  // Letters and digits after a backslash are PCRE classes/backreferences/assertions Lucene lacks (\b, \1, \p…).
  if (/[A-Za-z0-9]/.test(next)) throw unsupported(place, `re escape \\${next}`);
  return `\\${next}`;
}
