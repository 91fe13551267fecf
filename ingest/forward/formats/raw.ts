import { isAlert, originalOf } from '../event-fields.js';
import type { Formatter } from '../forward-format.js';
import { singleLine } from './kv-body.js';

/**
 * Exactly what was received (`event.original`, header included), for SIEMs that have a FortiClient EMS parser of their
 * own. A line is never split by the sink, so a raw line that contained a newline (only possible with octet framing in)
 * is forwarded as it was: the sink's octet framing carries it, newline framing is the operator's choice.
 *
 * An alert was never received: its `message` is composed from log values (host and user names), so it is made one
 * line, or a forged newline in a hostname would start a second, fake record on a newline-framed stream.
 */
export const formatRaw: Formatter = (event) => (isAlert(event) ? singleLine(originalOf(event)) : originalOf(event));
