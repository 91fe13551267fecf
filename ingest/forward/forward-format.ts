/**
 * The contract between the forwarding formats (`ingest/forward/formats/`) and the syslog forwarding sink: a format
 * turns one normalized event into one syslog message, without transport framing (the sink frames it: octet counting
 * or newline on TCP/TLS, one datagram on UDP).
 */
import type { ParsedEvent } from '../../parsers/parse-line.js';

export type ForwardFormat = 'rfc5424' | 'rfc3164' | 'cef' | 'leef' | 'raw' | 'json';

export const FORWARD_FORMATS: readonly ForwardFormat[] = ['rfc5424', 'rfc3164', 'cef', 'leef', 'raw', 'json'];

export interface FormatOptions {
  /** Syslog facility for the header's PRI (default 16, local0). */
  facility: number;
  /** APP-NAME / TAG (default: the event's category, e.g. `ems-client`, else `fortiems`). */
  appName?: string;
  /** HOSTNAME of the header (default: the EMS host the event came from, else this host's name). */
  hostname?: string;
  /**
   * The sink frames messages with LF (TCP/TLS `framing: newline`): a format that may carry a line break (`raw`) must
   * then escape it, reversibly. The others never produce one.
   */
  newlineFramed?: boolean;
}

/** One event → one message. Must never throw for a parsed event; values are attacker-controlled and must be escaped. */
export type Formatter = (event: ParsedEvent, options: FormatOptions) => string;
