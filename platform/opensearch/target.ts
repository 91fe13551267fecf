import { ActionableError } from '../errors.js';

/** Where the pipeline, the CLI and the tests find OpenSearch. */
export interface OpenSearchTarget {
  url: string;
  /**
   * Every node, when the cluster is reached through several (`url` is the first): the client spreads requests over
   * them, sets a node that fails aside and tries it again later.
   */
  urls?: string[];
  username?: string;
  password?: string;
  /** PEM file of the CA that signed the cluster's certificate. */
  caFile?: string;
  source: 'OPENSEARCH_URL' | 'testcontainers' | 'managed';
}

/** One node of OPENSEARCH_URL: http(s), its inline credentials taken out. */
function parseNodeUrl(raw: string): { url: string; username: string; password: string } {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ActionableError(`OPENSEARCH_URL is not a URL: '${raw}'`, 'set it like https://user:password@search.example.org:9200');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ActionableError(
      `OPENSEARCH_URL must use http or https, not ${parsed.protocol}`,
      'set it like https://search.example.org:9200',
    );
  }
  const username = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.toString().replace(/\/$/, ''), username, password };
}

/**
 * OPENSEARCH_URL (one node, or several of one cluster separated by commas; credentials inline or in OPENSEARCH_USERNAME /
 * OPENSEARCH_PASSWORD, CA in OPENSEARCH_CA_CERT) selects an existing cluster.
 */
export function targetFromEnv(env: NodeJS.ProcessEnv = process.env): OpenSearchTarget | undefined {
  const entries = (env.OPENSEARCH_URL ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) return undefined;
  const nodes = entries.map(parseNodeUrl);
  const urls = nodes.map((node) => node.url);
  if (new Set(urls).size !== urls.length)
    throw new ActionableError(`OPENSEARCH_URL names a node twice: '${env.OPENSEARCH_URL}'`, 'list each node once');
  // One client, one login: nodes that carry credentials must carry the same.
  const inline = nodes.filter((node) => node.username || node.password);
  if (inline.some((node) => node.username !== inline[0]?.username || node.password !== inline[0]?.password))
    throw new ActionableError(
      'OPENSEARCH_URL gives different credentials for different nodes',
      'give them once, in OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD (or the same in every URL)',
    );
  const username = inline[0]?.username || env.OPENSEARCH_USERNAME || undefined;
  const password = inline[0]?.password || env.OPENSEARCH_PASSWORD || undefined;
  const target: OpenSearchTarget = { url: urls[0] as string, source: 'OPENSEARCH_URL' };
  if (urls.length > 1) target.urls = urls;
  if (username) target.username = username;
  if (password) target.password = password;
  if (env.OPENSEARCH_CA_CERT) target.caFile = env.OPENSEARCH_CA_CERT;
  return target;
}

/** The node URLs a client should use: `urls` when several are given, else `url`. */
export function nodeUrls(target: Pick<OpenSearchTarget, 'url' | 'urls'>): string[] {
  return target.urls && target.urls.length > 0 ? [...target.urls] : [target.url];
}
