import { isAlert, originalOf } from '../../../parsers/event-fields.js';
import type { Formatter } from '../forward-format.js';
import { singleLine } from './kv-body.js';

const LINE_BREAK_OR_ESCAPE = /[\\\n\r]/g;
const ESCAPED: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r' };

/**
 * For newline framing: `\` → `\\`, LF → `\n`, CR → `\r`. Escaping the escape character keeps a received line break
 * and the two characters `\n` that were in the line apart, so a receiver can undo it exactly.
 */
export function escapeLineBreaks(text: string): string {
  return text.replace(LINE_BREAK_OR_ESCAPE, (character) => ESCAPED[character] as string);
}

/**
 * Exactly what was received (`event.original`, header included), for SIEMs that have a FortiClient EMS parser of their
 * own. With octet framing (and over UDP) it goes byte for byte, line breaks included. With newline framing a line break
 * would end the message early, so it is escaped (`escapeLineBreaks`), and so is every backslash.
 *
 * An alert was never received: its `message` is composed from log values (host and user names), so it is made one
 * line, or a forged newline in a hostname would start a second, fake record on a newline-framed stream.
 */
export const formatRaw: Formatter = (event, options) => {
  const original = originalOf(event);
  if (isAlert(event)) return singleLine(options.newlineFramed ? original.replaceAll('\\', '\\\\') : original);
  return options.newlineFramed ? escapeLineBreaks(original) : original;
};
