// The EMS core's syslog emitters: body, header, framing and destinations.
export { quoteValue, serializeBody } from './body.js';
export type { Destination, DestinationOptions, DestinationStats } from './destination.js';
export { DESTINATION_FORMS, type DestinationSpec, parseDestinationUrl } from './destination-url.js';
export { openDestination } from './destinations.js';
export { type Framing, frameNewline, frameOctetCounted } from './framing.js';
export { DEFAULT_FACILITY, formatLine, formatSyslogHeader, type SyslogFormat, type SyslogFormatOptions } from './syslog-format.js';
export { MAX_DATAGRAM_BYTES } from './udp-destination.js';
