import type { Formatter } from '../forward-format.js';

/**
 * The ECS document as one line of JSON. JSON.stringify escapes control characters (newlines become `\n`), so the
 * result is always a single line; U+2028/U+2029 are legal in JSON but end a line for some JavaScript-era readers, so
 * they are escaped too.
 */
export const formatJson: Formatter = (event) => {
  const text = JSON.stringify(event.document) ?? '{}';
  return text.includes('\u2028') || text.includes('\u2029') ? text.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029') : text;
};
