/**
 * `fortiems ingest --forward URL`: one syslog forwarding destination on the command line, e.g.
 * `tls://siem.example.com:6514?format=cef&framing=octet&ca=/etc/ca.pem&categories=ems-vpn,ems-authentication&min_level=warning`.
 * The transport part (scheme, HOST:PORT, framing, the TLS parameters ca, cert, key, server_name, insecure) is the
 * syslog library's destination-URL dialect (syslog/destination-url.ts); the forwarding parameters below come on top.
 * Every mistake is an ActionableError.
 */

import { ActionableError } from '../../platform/errors.js';
import { DestinationUrlError, hostPort, parseTransportUrl, singleParameter } from '../../syslog/destination-url.js';
import type { SyslogSinkConfig } from '../config/types.js';
import { FORWARD_FORMATS, type ForwardFormat } from './forward-format.js';

/** The query parameters forwarding adds to the transport's. */
const PARAMETERS = ['format', 'facility', 'categories', 'min_level', 'query', 'rate', 'burst'] as const;

function fail(url: string, problem: string, fix: string): never {
  throw new ActionableError(`--forward '${url}': ${problem}`, fix);
}

function integer(url: string, name: string, value: string, min: number, max: number): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max)
    fail(url, `${name}=${value} is not a whole number from ${min} to ${max}`, `write ${name}=<${min}..${max}>`);
  return number;
}

/** The syslog library's URL mistakes, worded as ours. */
function orFail<T>(url: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof DestinationUrlError) fail(url, error.problem, error.fix);
    throw error;
  }
}

export function parseForwardUrl(text: string): SyslogSinkConfig {
  // A sink's address is HOST:PORT, so the port is never implied. The configuration file accepts ca_file with
  // verify: false, and so does the URL.
  const { spec, parameters: query } = orFail(text, () =>
    parseTransportUrl(text, { extraParameters: PARAMETERS, portRequired: true, allowCaWithInsecure: true }),
  );
  const config: SyslogSinkConfig = { type: 'syslog', address: hostPort(spec.host, spec.port), mode: spec.kind };
  // Only what the URL says: the sink's defaults apply to the rest, as for a sink from the configuration file.
  if (spec.kind !== 'udp' && query.has('framing')) config.framing = spec.framing;
  if (spec.kind === 'tls') {
    const tls: NonNullable<SyslogSinkConfig['tls']> = {};
    if (spec.caFile !== undefined) tls.ca_file = spec.caFile;
    if (spec.certFile !== undefined) tls.cert_file = spec.certFile;
    if (spec.keyFile !== undefined) tls.key_file = spec.keyFile;
    if (spec.serverName !== undefined) tls.server_name = spec.serverName;
    if (query.has('insecure')) tls.verify = !spec.insecure;
    if (Object.keys(tls).length > 0) config.tls = tls;
  }
  const get = (name: (typeof PARAMETERS)[number]) => orFail(text, () => singleParameter(query, name));
  const format = get('format');
  if (format !== undefined) {
    if (!(FORWARD_FORMATS as readonly string[]).includes(format))
      fail(text, `unknown format '${format}'`, `use one of ${FORWARD_FORMATS.join(', ')}`);
    config.format = format as ForwardFormat;
  }
  const facility = get('facility');
  if (facility !== undefined) config.facility = integer(text, 'facility', facility, 0, 23);
  const filter: NonNullable<SyslogSinkConfig['filter']> = {};
  const categories = get('categories');
  if (categories !== undefined)
    filter.categories = categories
      .split(',')
      .map((category) => category.trim())
      .filter(Boolean);
  const minLevel = get('min_level');
  if (minLevel !== undefined) filter.min_level = minLevel;
  const filterQuery = get('query');
  if (filterQuery !== undefined) filter.query = filterQuery;
  if (Object.keys(filter).length > 0) config.filter = filter;
  const rate = get('rate');
  const burst = get('burst');
  if (burst !== undefined && rate === undefined) fail(text, 'burst without rate', 'add rate=<events per second>');
  if (rate !== undefined) {
    const eventsPerSecond = Number(rate);
    if (!(eventsPerSecond > 0)) fail(text, `rate=${rate} is not a positive number`, 'write rate=<events per second>');
    config.rate_limit = {
      events_per_second: eventsPerSecond,
      ...(burst !== undefined ? { burst: integer(text, 'burst', burst, 1, 1_000_000) } : {}),
    };
  }
  return config;
}

/** Adds `forward_1`, `forward_2`, … (the first free names) to the configuration's sinks. */
export function withForwardSinks<T extends { sinks?: Record<string, unknown> }>(config: T, urls: readonly string[]): T {
  if (urls.length === 0) return config;
  const sinks: Record<string, unknown> = { ...(config.sinks ?? {}) };
  let next = 1;
  for (const url of urls) {
    const sink = parseForwardUrl(url);
    while (`forward_${next}` in sinks) next++;
    sinks[`forward_${next}`] = sink;
  }
  return { ...config, sinks };
}
