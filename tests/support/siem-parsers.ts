// Parsers for what the CEF and LEEF formatters write, so tests can read a record back and compare values.

/** CEF: 7 header fields split on unescaped `|`, then the extension. */
export function parseCef(line: string): { header: string[]; extension: Record<string, string> } {
  const header: string[] = [];
  let field = '';
  let i = 0;
  while (header.length < 7) {
    const c = line[i++];
    if (c === undefined) throw new Error('short CEF header');
    if (c === '\\') field += line[i++];
    else if (c === '|') {
      header.push(field);
      field = '';
    } else field += c;
  }
  return { header, extension: parseCefExtension(line.slice(i)) };
}

/** CEF extension: `key=value` pairs; a value runs up to the space before the next unescaped `key=`. */
function parseCefExtension(text: string): Record<string, string> {
  const keys: { key: string; start: number; valueStart: number }[] = [];
  const keyPattern = /(?:^| )([A-Za-z0-9_]+)=/g;
  for (const match of text.matchAll(keyPattern)) {
    const equals = (match.index ?? 0) + match[0].length - 1;
    // An `=` preceded by an odd number of backslashes is escaped: not a key boundary.
    let slashes = 0;
    for (let j = equals - 1; j >= 0 && text[j] === '\\'; j--) slashes++;
    if (slashes % 2 === 1) continue;
    keys.push({ key: match[1] as string, start: match.index ?? 0, valueStart: equals + 1 });
  }
  const result: Record<string, string> = {};
  keys.forEach((entry, index) => {
    const end = index + 1 < keys.length ? (keys[index + 1] as { start: number }).start : text.length;
    result[entry.key] = unescapeBackslashes(text.slice(entry.valueStart, end));
  });
  return result;
}

function unescapeBackslashes(value: string): string {
  return value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c === 't' ? '\t' : c));
}

/** LEEF 2.0: 6 header fields split on `|`, then tab-separated attributes split at the first unescaped `=`. */
export function parseLeef(line: string): { header: string[]; attributes: Record<string, string> } {
  const header: string[] = [];
  let field = '';
  let i = 0;
  while (header.length < 6) {
    const c = line[i++];
    if (c === undefined) throw new Error('short LEEF header');
    if (c === '\\') field += line[i++];
    else if (c === '|') {
      header.push(field);
      field = '';
    } else field += c;
  }
  const attributes: Record<string, string> = {};
  for (const pair of line.slice(i).split('\t')) {
    const equals = pair.search(/(?<!\\)=/);
    attributes[pair.slice(0, equals)] = unescapeBackslashes(pair.slice(equals + 1));
  }
  return { header, attributes };
}
