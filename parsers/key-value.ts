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

const SPACE = 32;
const TAB = 9;
const QUOTE = 34;
const BACKSLASH = 92;
const EQUALS = 61;

function isBlank(code: number): boolean {
  return code === SPACE || code === TAB;
}

export function parseKeyValue(body: string): KeyValueResult {
  const pairs: Record<string, string> = Object.create(null);
  const order: string[] = [];
  const problems: string[] = [];
  const length = body.length;
  let i = 0;
  while (i < length) {
    while (i < length && isBlank(body.charCodeAt(i))) i++;
    if (i >= length) break;
    const keyStart = i;
    while (i < length && body.charCodeAt(i) !== EQUALS && !isBlank(body.charCodeAt(i))) i++;
    const key = body.slice(keyStart, i);
    if (i >= length || body.charCodeAt(i) !== EQUALS) {
      problems.push(`token without '=' at offset ${keyStart}: ${JSON.stringify(key.slice(0, 40))}`);
      continue;
    }
    i++; // '='
    let value: string;
    if (i < length && body.charCodeAt(i) === QUOTE) {
      i++;
      let out = '';
      let segment = i;
      let closed = false;
      while (i < length) {
        const code = body.charCodeAt(i);
        if (code === BACKSLASH && i + 1 < length) {
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
        if (code === QUOTE) {
          closed = true;
          break;
        }
        i++;
      }
      out += body.slice(segment, i);
      if (closed) i++;
      else problems.push(`unbalanced quote in the value of '${key}'`);
      value = out;
    } else {
      const valueStart = i;
      while (i < length && !isBlank(body.charCodeAt(i))) i++;
      value = body.slice(valueStart, i);
    }
    if (key === '') {
      problems.push(`empty key at offset ${keyStart}`);
      continue;
    }
    if (key in pairs) {
      problems.push(`duplicate key '${key}': the first value is kept`);
      continue;
    }
    pairs[key] = value;
    order.push(key);
  }
  return { pairs, order, problems };
}
