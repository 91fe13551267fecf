// The syslog library (README.md): EMS bodies, RFC 3164/5424 headers, framing, the destination-URL dialect, one
// TCP/TLS connection and one UDP sender under two delivery policies (the emitters' destinations, forwarding's senders).

export { DatagramSender, MAX_DATAGRAM_BYTES, MessageTooLargeError } from './datagram-sender.js';
export type { Destination, DestinationOptions, DestinationStats } from './destination.js';
export {
  DESTINATION_FORMS,
  type DestinationSpec,
  DestinationUrlError,
  hostPort,
  parseDestinationUrl,
  parseTransportUrl,
  type TransportSpec,
  transportUrl,
} from './destination-url.js';
export { openDestination } from './destinations.js';
export { quoteValue, serializeBody } from './ems-body.js';
export { type Framing, frameNewline, frameOctetCounted, framerFor, type Message } from './framing.js';
export { ConnectionError, openStream, type StreamTarget, streamTargetOf, type TlsSettings } from './stream-connection.js';
export { StreamSender, type StreamSenderOptions, type Throttle } from './stream-sender.js';
export { DEFAULT_FACILITY, formatLine, formatSyslogHeader, type SyslogFormat, type SyslogFormatOptions } from './syslog-format.js';
