import { readFileSync } from 'node:fs';
import type { Destination, DestinationOptions } from './destination.js';
import { parseDestinationUrl } from './destination-url.js';
import { frameNewline, framerFor } from './framing.js';
import { QueuedStreamDestination } from './queued-stream-destination.js';
import { fileTransport, stdoutTransport, tcpTransport, tlsTransport } from './stream-transports.js';
import { UdpDestination } from './udp-destination.js';

function readCa(caFile: string): Buffer {
  try {
    return readFileSync(caFile);
  } catch (error) {
    throw new Error(`cannot read the TLS CA file '${caFile}': ${(error as Error).message}`, { cause: error });
  }
}

/**
 * A destination for a URL (`udp://`, `tcp://`, `tls://`, `file:///`, `-`). Nothing connects until the first write; a bad
 * URL or an unreadable CA file throws at once.
 */
export function openDestination(url: string, options: DestinationOptions = {}): Destination {
  const spec = parseDestinationUrl(url);
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  switch (spec.kind) {
    case 'udp':
      return new UdpDestination(url, spec.host, spec.port, options);
    case 'tcp':
      return new QueuedStreamDestination(url, tcpTransport(spec.host, spec.port, connectTimeoutMs), framerFor(spec.framing), options);
    case 'tls': {
      const trust = { insecure: spec.insecure, ...(spec.caFile ? { ca: readCa(spec.caFile) } : {}) };
      const transport = tlsTransport(spec.host, spec.port, trust, connectTimeoutMs);
      return new QueuedStreamDestination(url, transport, framerFor(spec.framing), options);
    }
    case 'file':
      return new QueuedStreamDestination(url, fileTransport(spec.path, connectTimeoutMs), frameNewline, options);
    case 'stdout':
      return new QueuedStreamDestination(url, stdoutTransport(options.stdout ?? process.stdout), frameNewline, options);
  }
}
