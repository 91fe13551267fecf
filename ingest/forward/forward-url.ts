/**
 * `fortiems ingest --forward URL`: one syslog forwarding destination on the command line, e.g.
 * `tls://siem.example.com:6514?format=cef&framing=octet&ca=/etc/ca.pem&categories=ems-vpn,ems-authentication&min_level=warning`.
 * The scheme is the mode; the query carries the sink's settings under short names. Every mistake is an ActionableError.
 */

import { ActionableError } from '../../platform/errors.js';
import type { SyslogSinkConfig } from '../config/types.js';
import { FORWARD_FORMATS, type ForwardFormat } from './forward-format.js';

const PARAMETERS = [
  'format',
  'framing',
  'facility',
  'ca',
  'cert',
  'key',
  'insecure',
  'server_name',
  'categories',
  'min_level',
  'query',
  'rate',
  'burst',
] as const;

function fail(url: string, problem: string, fix: string): never {
  throw new ActionableError(`--forward '${url}': ${problem}`, fix);
}

function integer(url: string, name: string, value: string, min: number, max: number): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max)
    fail(url, `${name}=${value} is not a whole number from ${min} to ${max}`, `write ${name}=<${min}..${max}>`);
  return number;
}

export function parseForwardUrl(text: string): SyslogSinkConfig {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    fail(text, 'not a URL', 'write it as udp|tcp|tls://HOST:PORT?format=…');
  }
  const mode = url.protocol.slice(0, -1);
  if (mode !== 'udp' && mode !== 'tcp' && mode !== 'tls') fail(text, `unknown scheme '${mode}'`, 'use udp://, tcp:// or tls://');
  if (!url.hostname || !url.port) fail(text, 'no HOST:PORT', `write it as ${mode}://HOST:PORT`);
  if (url.pathname !== '' && url.pathname !== '/')
    fail(text, `unexpected path '${url.pathname}'`, 'put settings in the query: ?format=cef&…');
  const query = url.searchParams;
  for (const key of query.keys())
    if (!(PARAMETERS as readonly string[]).includes(key)) fail(text, `unknown parameter '${key}'`, `known: ${PARAMETERS.join(', ')}`);
  const get = (name: (typeof PARAMETERS)[number]) => query.get(name) ?? undefined;
  const config: SyslogSinkConfig = { type: 'syslog', address: `${url.hostname}:${url.port}`, mode };
  const format = get('format');
  if (format !== undefined) {
    if (!(FORWARD_FORMATS as readonly string[]).includes(format))
      fail(text, `unknown format '${format}'`, `use one of ${FORWARD_FORMATS.join(', ')}`);
    config.format = format as ForwardFormat;
  }
  const framing = get('framing');
  if (framing !== undefined) {
    if (framing !== 'octet' && framing !== 'newline') fail(text, `unknown framing '${framing}'`, 'use framing=octet or framing=newline');
    if (mode === 'udp') fail(text, 'framing on udp://', 'remove framing: a datagram is one message');
    config.framing = framing;
  }
  const facility = get('facility');
  if (facility !== undefined) config.facility = integer(text, 'facility', facility, 0, 23);
  const tls: NonNullable<SyslogSinkConfig['tls']> = {};
  const ca = get('ca');
  const cert = get('cert');
  const key = get('key');
  const insecure = get('insecure');
  const serverName = get('server_name');
  if (ca) tls.ca_file = ca;
  if (cert) tls.cert_file = cert;
  if (key) tls.key_file = key;
  if (serverName) tls.server_name = serverName;
  if (insecure !== undefined) {
    if (!['0', '1', 'true', 'false'].includes(insecure)) fail(text, `insecure=${insecure}`, 'write insecure=1 (or 0)');
    tls.verify = !(insecure === '1' || insecure === 'true');
  }
  if (Object.keys(tls).length > 0) {
    if (mode !== 'tls')
      fail(text, 'TLS settings (ca, cert, key, insecure, server_name) on a non-TLS destination', 'use tls://, or remove them');
    config.tls = tls;
  }
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
