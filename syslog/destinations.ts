import type { Destination, DestinationOptions } from './destination.js';
import { parseDestinationUrl } from './destination-url.js';
import { frameNewline, framerFor } from './framing.js';
import { QueuedStreamDestination } from './queued-stream-destination.js';
import { checkTlsFiles, streamTargetOf } from './stream-connection.js';
import { fileTransport, socketTransport, stdoutTransport } from './stream-transports.js';
import { UdpDestination } from './udp-destination.js';

/**
 * A destination for a URL (`udp://`, `tcp://`, `tls://`, `file:///`, `-`). Nothing connects until the first write; a bad
 * URL or an unreadable TLS file (CA, client certificate or key) throws at once. The TLS files are read again at each
 * connect, so a renewed certificate is picked up at the next reconnection.
 */
export function openDestination(url: string, options: DestinationOptions = {}): Destination {
  const spec = parseDestinationUrl(url);
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  switch (spec.kind) {
    case 'udp':
      return new UdpDestination(url, spec.host, spec.port, options);
    case 'tcp':
    case 'tls': {
      const target = streamTargetOf(spec, connectTimeoutMs);
      checkTlsFiles(target.tls);
      return new QueuedStreamDestination(url, socketTransport(target), framerFor(spec.framing), options);
    }
    case 'file':
      return new QueuedStreamDestination(url, fileTransport(spec.path, connectTimeoutMs), frameNewline, options);
    case 'stdout':
      return new QueuedStreamDestination(url, stdoutTransport(options.stdout ?? process.stdout), frameNewline, options);
  }
}
