/**
 * The destination-URL dialect, one for everyone: the EMS core's emitters (`openDestination`), `fortiems replay --to`
 * and `fortiems ingest --forward` (which adds its own query parameters on top, see ingest/forward/forward-url.ts).
 *
 *   udp://HOST[:PORT]
 *   tcp://HOST[:PORT][?framing=octet|newline]
 *   tls://HOST[:PORT][?framing=octet|newline&ca=FILE&cert=FILE&key=FILE&server_name=NAME&insecure=1]
 *   file:///PATH and - (stdout), for the emitters and replay only
 *
 * `parseTransportUrl` reads the udp/tcp/tls part and reports a mistake as a DestinationUrlError (what is wrong, how
 * to write it); each caller words the message around it. Nothing here touches the network or the file system.
 */
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Framing } from './framing.js';

export type TransportKind = 'udp' | 'tcp' | 'tls';

/** The TLS query parameters of a tls:// URL. Verification is on unless `insecure`. */
export interface TlsParameters {
  /** PEM CA bundle to verify the receiver with, instead of the system roots. */
  caFile?: string;
  /** A client certificate and its key (PEM), for receivers that authenticate their senders. */
  certFile?: string;
  keyFile?: string;
  /** SNI and the name the receiver's certificate is checked against (default: HOST, when it is a name). */
  serverName?: string;
  /** Skip verification: EMS accepts self-signed receiver certificates, so some sites need this. */
  insecure: boolean;
}

export type TransportSpec =
  | { kind: 'udp'; host: string; port: number }
  | { kind: 'tcp'; host: string; port: number; framing: Framing }
  | ({ kind: 'tls'; host: string; port: number; framing: Framing } & TlsParameters);

export type DestinationSpec = TransportSpec | { kind: 'file'; path: string } | { kind: 'stdout' };

export const DESTINATION_FORMS =
  'udp://HOST:PORT, tcp://HOST:PORT[?framing=octet|newline], ' +
  'tls://HOST:PORT[?framing=octet|newline&ca=FILE&cert=FILE&key=FILE&server_name=NAME&insecure=1], file:///PATH or - (stdout)';

/** A mistake in a destination URL: `problem` says what is wrong, `fix` how to write it instead. */
export class DestinationUrlError extends Error {
  override readonly name = 'DestinationUrlError';

  constructor(
    readonly problem: string,
    readonly fix: string,
  ) {
    super(problem);
  }
}

// The IANA syslog ports (RFC 5426, RFC 6587, RFC 5425) when the URL names none.
const DEFAULT_PORTS = { udp: 514, tcp: 514, tls: 6514 } as const;
const TLS_PARAMETERS = ['ca', 'cert', 'key', 'server_name', 'insecure'] as const;
/** The query parameters of the transport part, per scheme. */
export const TRANSPORT_PARAMETERS: Readonly<Record<TransportKind, readonly string[]>> = {
  udp: [],
  tcp: ['framing'],
  tls: ['framing', ...TLS_PARAMETERS],
};

export interface TransportUrlRules {
  /** Query parameters the caller reads itself (forwarding's format, filters…): accepted here, not interpreted. */
  extraParameters?: readonly string[];
  /** Refuse a URL without a PORT instead of using the IANA port (514 for udp and tcp, 6514 for tls). */
  portRequired?: boolean;
  /**
   * Take ca=FILE together with insecure=1 (the CA then goes unused). Forwarding's configuration has always accepted
   * `ca_file` with `verify: false`; the emitters refuse the pair as contradictory.
   */
  allowCaWithInsecure?: boolean;
}

function problem(text: string, fix: string): DestinationUrlError {
  return new DestinationUrlError(text, fix);
}

/** A query parameter given at most once. */
export function singleParameter(parameters: URLSearchParams, name: string): string | undefined {
  const values = parameters.getAll(name);
  if (values.length > 1) throw problem(`${name} is given ${values.length} times`, `give ${name} once`);
  return values[0];
}

function framingOf(value: string | undefined): Framing {
  if (value === undefined || value === 'octet') return 'octet';
  if (value === 'newline') return 'newline';
  throw problem(`framing must be 'octet' or 'newline', not '${value}'`, 'write framing=octet or framing=newline');
}

function insecureOf(value: string | undefined): boolean {
  if (value === undefined || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;
  throw problem(`insecure must be 1 or 0, not '${value}'`, 'write insecure=1 (or 0)');
}

function nonEmpty(parameters: URLSearchParams, name: string, placeholder: 'FILE' | 'NAME'): string | undefined {
  const value = singleParameter(parameters, name);
  if (value === '') throw problem(`${name} needs a ${placeholder === 'FILE' ? 'file path' : 'host name'}`, `write ${name}=${placeholder}`);
  return value;
}

function checkParameters(kind: TransportKind, parameters: URLSearchParams, extra: readonly string[]): void {
  const allowed = TRANSPORT_PARAMETERS[kind];
  for (const key of new Set(parameters.keys())) {
    if (allowed.includes(key) || extra.includes(key)) continue;
    if (key === 'framing' && kind === 'udp')
      throw problem(`unknown option 'framing' for udp: no framing on udp, a datagram is one message`, 'remove framing');
    if ((TLS_PARAMETERS as readonly string[]).includes(key))
      throw problem(
        `unknown option '${key}' for ${kind}: TLS settings (${TLS_PARAMETERS.join(', ')}) on a non-TLS destination`,
        'use tls://, or remove them',
      );
    throw problem(`unknown parameter '${key}' for ${kind}`, `known for ${kind}: ${[...allowed, ...extra].join(', ') || 'none'}`);
  }
}

/** `HOST:PORT`, with an IPv6 literal in brackets. */
export function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * Reads the transport part of a udp/tcp/tls URL: scheme, HOST, PORT, framing and the TLS parameters. Returns the
 * spec and the query, for a caller that reads its own parameters (`rules.extraParameters`) from it. Throws a
 * DestinationUrlError.
 */
export function parseTransportUrl(url: string, rules: TransportUrlRules = {}): { spec: TransportSpec; parameters: URLSearchParams } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw problem('not a URL', 'write it as udp://, tcp:// or tls://HOST:PORT');
  }
  const kind = parsed.protocol.slice(0, -1);
  if (kind !== 'udp' && kind !== 'tcp' && kind !== 'tls') throw problem(`unknown scheme '${kind}'`, 'use udp://, tcp:// or tls://');
  if (parsed.username || parsed.password) throw problem('credentials have no meaning here', 'remove USER:PASSWORD@');
  if (parsed.pathname !== '' && parsed.pathname !== '/')
    throw problem(`no path after HOST:PORT, found '${parsed.pathname}'`, 'put options in the query: ?name=value&…');
  if (parsed.hash) throw problem('no #fragment', 'remove the #…');
  // WHATWG URL keeps the brackets of an IPv6 literal; sockets want the bare address.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw problem('missing HOST', `write it as ${kind}://HOST:PORT`);
  if (parsed.port === '' && rules.portRequired) throw problem('no HOST:PORT (the port is missing)', `write it as ${kind}://HOST:PORT`);
  const port = parsed.port === '' ? DEFAULT_PORTS[kind] : Number(parsed.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw problem('PORT must be 1-65535', `write it as ${kind}://HOST:PORT`);
  const parameters = parsed.searchParams;
  checkParameters(kind, parameters, rules.extraParameters ?? []);
  if (kind === 'udp') return { spec: { kind, host, port }, parameters };
  const framing = framingOf(singleParameter(parameters, 'framing'));
  if (kind === 'tcp') return { spec: { kind, host, port, framing }, parameters };
  const insecure = insecureOf(singleParameter(parameters, 'insecure'));
  const caFile = nonEmpty(parameters, 'ca', 'FILE');
  const certFile = nonEmpty(parameters, 'cert', 'FILE');
  const keyFile = nonEmpty(parameters, 'key', 'FILE');
  const serverName = nonEmpty(parameters, 'server_name', 'NAME');
  if (caFile !== undefined && insecure && !rules.allowCaWithInsecure)
    throw problem('ca=FILE verifies the receiver and insecure=1 skips verification: choose one', 'remove ca=FILE or insecure=1');
  if ((certFile === undefined) !== (keyFile === undefined))
    throw problem('cert=FILE and key=FILE come together', 'give both (a client certificate), or neither');
  return {
    spec: {
      kind,
      host,
      port,
      framing,
      ...(caFile !== undefined ? { caFile } : {}),
      ...(certFile !== undefined ? { certFile } : {}),
      ...(keyFile !== undefined ? { keyFile } : {}),
      ...(serverName !== undefined ? { serverName } : {}),
      insecure,
    },
    parameters,
  };
}

/** The URL of a spec: what parseTransportUrl reads back to the same spec (the IANA port is written out). */
export function transportUrl(spec: TransportSpec): string {
  const base = `${spec.kind}://${hostPort(spec.host, spec.port)}`;
  if (spec.kind === 'udp') return base;
  const query = new URLSearchParams({ framing: spec.framing });
  if (spec.kind === 'tls') {
    if (spec.caFile !== undefined) query.set('ca', spec.caFile);
    if (spec.certFile !== undefined) query.set('cert', spec.certFile);
    if (spec.keyFile !== undefined) query.set('key', spec.keyFile);
    if (spec.serverName !== undefined) query.set('server_name', spec.serverName);
    if (spec.insecure) query.set('insecure', '1');
  }
  return `${base}?${query}`;
}

function bad(url: string, why: string): Error {
  return new Error(`bad syslog destination '${url}': ${why}; expected ${DESTINATION_FORMS}`);
}

/** Parses a destination URL (transport, file or stdout); throws an Error naming the accepted forms for anything else. */
export function parseDestinationUrl(url: string): DestinationSpec {
  if (url === '-') return { kind: 'stdout' };
  if (/^file:/i.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw bad(url, 'not a URL');
    }
    if (parsed.host !== '' || parsed.search !== '') throw bad(url, 'a file destination is file:///absolute/path');
    const path = fileURLToPath(parsed);
    if (!isAbsolute(path) || path.endsWith('/')) throw bad(url, 'a file destination names a file by its absolute path');
    return { kind: 'file', path };
  }
  try {
    return parseTransportUrl(url).spec;
  } catch (error) {
    if (error instanceof DestinationUrlError) throw bad(url, error.problem);
    throw error;
  }
}
