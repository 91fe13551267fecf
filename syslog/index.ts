// The syslog library: EMS bodies, RFC 3164/5424 headers, framing, destinations (UDP, TCP, TLS, file, stdout).

export type { Destination, DestinationOptions, DestinationStats } from './destination.js';
export { DESTINATION_FORMS, type DestinationSpec, parseDestinationUrl } from './destination-url.js';
export { openDestination } from './destinations.js';
export { quoteValue, serializeBody } from './ems-body.js';
export { type Framing, frameNewline, frameOctetCounted } from './framing.js';
export { DEFAULT_FACILITY, formatLine, formatSyslogHeader, type SyslogFormat, type SyslogFormatOptions } from './syslog-format.js';
export { MAX_DATAGRAM_BYTES } from './udp-destination.js';
