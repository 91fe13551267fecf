import { originalOf } from '../event-fields.js';
import type { Formatter } from '../forward-format.js';

/**
 * Exactly what was received (`event.original`, header included), for SIEMs that have a FortiClient EMS parser of their
 * own. A line is never split by the sink, so a raw line that contained a newline (only possible with octet framing in)
 * is forwarded as it was: the sink's octet framing carries it, newline framing is the operator's choice.
 */
export const formatRaw: Formatter = (event) => originalOf(event);
