import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Framing } from './framing.js';

export type DestinationSpec =
  | { kind: 'udp'; host: string; port: number }
  | { kind: 'tcp'; host: string; port: number; framing: Framing }
  | { kind: 'tls'; host: string; port: number; framing: Framing; caFile?: string; insecure: boolean }
  | { kind: 'file'; path: string }
  | { kind: 'stdout' };

export const DESTINATION_FORMS =
  'udp://HOST:PORT, tcp://HOST:PORT[?framing=octet|newline], tls://HOST:PORT[?framing=octet|newline&ca=FILE&insecure=1], file:///PATH or - (stdout)';

// The IANA syslog ports (RFC 5426, RFC 6587, RFC 5425) when the URL names none.
const DEFAULT_PORTS = { udp: 514, tcp: 514, tls: 6514 } as const;
const ALLOWED_PARAMETERS = { udp: [], tcp: ['framing'], tls: ['framing', 'ca', 'insecure'] } as const;

function bad(url: string, why: string): Error {
  return new Error(`bad syslog destination '${url}': ${why}; expected ${DESTINATION_FORMS}`);
}

function parsedFraming(url: string, value: string | null): Framing {
  if (value === null || value === 'octet') return 'octet';
  if (value === 'newline') return 'newline';
  throw bad(url, `framing must be 'octet' or 'newline', not '${value}'`);
}

function parsedInsecure(url: string, value: string | null): boolean {
  if (value === null || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;
  throw bad(url, `insecure must be 1 or 0, not '${value}'`);
}

/** Parses a destination URL; throws an Error naming the accepted forms for anything else. */
export function parseDestinationUrl(url: string): DestinationSpec {
  if (url === '-') return { kind: 'stdout' };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw bad(url, 'not a URL');
  }
  const scheme = parsed.protocol.slice(0, -1);
  if (scheme === 'file') {
    if (parsed.host !== '' || parsed.search !== '') throw bad(url, 'a file destination is file:///absolute/path');
    const path = fileURLToPath(parsed);
    if (!isAbsolute(path) || path.endsWith('/')) throw bad(url, 'a file destination names a file by its absolute path');
    return { kind: 'file', path };
  }
  if (scheme !== 'udp' && scheme !== 'tcp' && scheme !== 'tls') throw bad(url, `unknown scheme '${scheme}'`);
  if (parsed.username || parsed.password) throw bad(url, 'credentials have no meaning here');
  if (parsed.pathname !== '' && parsed.pathname !== '/') throw bad(url, 'no path after HOST:PORT');
  if (parsed.hash) throw bad(url, 'no #fragment');
  // WHATWG URL keeps the brackets of an IPv6 literal; sockets want the bare address.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw bad(url, 'missing HOST');
  const port = parsed.port === '' ? DEFAULT_PORTS[scheme] : Number(parsed.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad(url, 'PORT must be 1-65535');
  const allowed: readonly string[] = ALLOWED_PARAMETERS[scheme];
  for (const key of parsed.searchParams.keys()) {
    if (!allowed.includes(key)) throw bad(url, `unknown option '${key}' for ${scheme}`);
  }
  const parameters = parsed.searchParams;
  if (scheme === 'udp') return { kind: 'udp', host, port };
  const framing = parsedFraming(url, parameters.get('framing'));
  if (scheme === 'tcp') return { kind: 'tcp', host, port, framing };
  const insecure = parsedInsecure(url, parameters.get('insecure'));
  const caFile = parameters.get('ca') ?? undefined;
  if (caFile === '') throw bad(url, 'ca needs a file path');
  if (caFile !== undefined && insecure) throw bad(url, 'ca=FILE verifies the receiver and insecure=1 skips verification: choose one');
  return caFile === undefined ? { kind: 'tls', host, port, framing, insecure } : { kind: 'tls', host, port, framing, caFile, insecure };
}
