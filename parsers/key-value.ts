/**
 * The FortiOS-style key=value body (reference §3): pairs separated by spaces, values optionally in double quotes.
 * One pass over the string, no regular expression per field. Inside quotes, spaces and `=` are data, `\"` is a quote
 * and `\\` a backslash; any other backslash is kept as written (Windows paths arrive unescaped).
 * The first of duplicate keys wins. Problems are collected, never thrown.
 */
export interface KeyValueResult {
  pairs: Record<string, string>;
  /** Keys in the order first seen. */
  order: string[];
  problems: string[];
}

/** How a problem about a token that is not a pair starts: a body with one is free text, not key=value (generic syslog). */
export const BARE_TOKEN_PROBLEM = "token without '='";

const SPACE = 32;
const TAB = 9;
const QUOTE = 34;
const BACKSLASH = 92;

function store(pairs: Record<string, string>, order: string[], problems: string[], key: string, value: string, at: number): void {
  if (key === '') {
    problems.push(`empty key at offset ${at}`);
    return;
  }
  // A plain object keeps V8's fast shapes (EMS bodies repeat their key order); own-property checks keep it safe.
  if (pairs[key] !== undefined && Object.hasOwn(pairs, key)) {
    problems.push(`duplicate key '${key}': the first value is kept`);
    return;
  }
  if (key === '__proto__') Object.defineProperty(pairs, key, { value, enumerable: true, writable: true, configurable: true });
  else pairs[key] = value;
  order.push(key);
}

/** A quoted value with escapes, from just after the opening quote; returns the value and the index after the closing quote. */
function slowQuoted(body: string, from: number): { value: string; next: number; closed: boolean } {
  let out = '';
  let segment = from;
  let i = from;
  while (i < body.length) {
    const code = body.charCodeAt(i);
    if (code === BACKSLASH && i + 1 < body.length) {
      const next = body.charCodeAt(i + 1);
      if (next === QUOTE || next === BACKSLASH) {
        out += body.slice(segment, i) + body[i + 1];
        i += 2;
        segment = i;
        continue;
      }
      i++;
      continue;
    }
    if (code === QUOTE) return { value: out + body.slice(segment, i), next: i + 1, closed: true };
    i++;
  }
  return { value: out + body.slice(segment), next: body.length, closed: false };
}

export function parseKeyValue(body: string): KeyValueResult {
  const pairs: Record<string, string> = {};
  const order: string[] = [];
  const problems: string[] = [];
  const length = body.length;
  // Positions of the next backslash and tab, advanced as we pass them: searching afresh for each value would rescan
  // the rest of the body every time (quadratic on a 10,000-key line).
  let backslashAt = body.indexOf('\\');
  let tabAt = body.indexOf('\t');
  // Likewise the next '=' and the next space: a long run of tokens without '=', or a tab-separated body, would rescan
  // to the end of the body for every token.
  let equalsAt = body.indexOf('=');
  let spaceAt = body.indexOf(' ');
  let i = 0;
  while (i < length) {
    let code = body.charCodeAt(i);
    while (code === SPACE || code === TAB) {
      if (++i >= length) return { pairs, order, problems };
      code = body.charCodeAt(i);
    }
    // indexOf is native and far faster than a character loop; the first space after the key start bounds the key.
    if (equalsAt !== -1 && equalsAt < i) equalsAt = body.indexOf('=', i);
    if (spaceAt !== -1 && spaceAt < i) spaceAt = body.indexOf(' ', i);
    const equals = equalsAt;
    let space = spaceAt;
    if (equals === -1 || (space !== -1 && space < equals)) {
      const end = space === -1 ? length : space;
      problems.push(`${BARE_TOKEN_PROBLEM} at offset ${i}: ${JSON.stringify(body.slice(i, Math.min(end, i + 40)))}`);
      i = end;
      continue;
    }
    const key = body.slice(i, equals);
    const keyAt = i;
    const valueStart = equals + 1;
    if (body.charCodeAt(valueStart) === QUOTE) {
      const close = body.indexOf('"', valueStart + 1);
      if (backslashAt !== -1 && backslashAt <= valueStart) backslashAt = body.indexOf('\\', valueStart + 1);
      if (close !== -1 && (backslashAt === -1 || backslashAt > close)) {
        store(pairs, order, problems, key, body.slice(valueStart + 1, close), keyAt);
        i = close + 1;
      } else {
        const quoted = slowQuoted(body, valueStart + 1);
        if (!quoted.closed) problems.push(`unbalanced quote in the value of '${key}'`);
        store(pairs, order, problems, key, quoted.value, keyAt);
        i = quoted.next;
      }
      continue;
    }
    if (tabAt !== -1) {
      // A tab also ends an unquoted value.
      if (tabAt < valueStart) tabAt = body.indexOf('\t', valueStart);
      if (tabAt !== -1 && (space === -1 || tabAt < space)) space = tabAt;
    }
    const end = space === -1 ? length : space;
    store(pairs, order, problems, key, body.slice(valueStart, end), keyAt);
    i = end;
  }
  return { pairs, order, problems };
}
