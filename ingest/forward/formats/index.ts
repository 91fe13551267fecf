/** The forwarding formats, one file each; `formatterFor` is what the syslog forwarding sink calls. */
import type { Formatter, ForwardFormat } from '../forward-format.js';
import { formatCef } from './cef.js';
import { formatJson } from './json.js';
import { formatLeef } from './leef.js';
import { formatRaw } from './raw.js';
import { formatRfc3164 } from './rfc3164.js';
import { formatRfc5424 } from './rfc5424.js';

const FORMATTERS: Record<ForwardFormat, Formatter> = {
  rfc5424: formatRfc5424,
  rfc3164: formatRfc3164,
  cef: formatCef,
  leef: formatLeef,
  raw: formatRaw,
  json: formatJson,
};

/** The formatter of a configured format; throws for a name the config validator should have rejected. */
export function formatterFor(format: ForwardFormat): Formatter {
  const formatter = Object.hasOwn(FORMATTERS, format) ? FORMATTERS[format] : undefined;
  if (!formatter) throw new Error(`unknown forward format '${String(format)}'`);
  return formatter;
}

export { formatCef, formatJson, formatLeef, formatRaw, formatRfc3164, formatRfc5424 };
