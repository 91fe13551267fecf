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

/**
 * OPENSEARCH_URL (credentials inline or in OPENSEARCH_USERNAME / OPENSEARCH_PASSWORD, CA in OPENSEARCH_CA_CERT)
 * selects an existing cluster.
 */
export function targetFromEnv(env: NodeJS.ProcessEnv = process.env): OpenSearchTarget | undefined {
  const raw = env.OPENSEARCH_URL?.trim();
  if (!raw) return undefined;
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
  const username = decodeURIComponent(parsed.username) || env.OPENSEARCH_USERNAME || undefined;
  const password = decodeURIComponent(parsed.password) || env.OPENSEARCH_PASSWORD || undefined;
  parsed.username = '';
  parsed.password = '';
  const target: OpenSearchTarget = { url: parsed.toString().replace(/\/$/, ''), source: 'OPENSEARCH_URL' };
  if (username) target.username = username;
  if (password) target.password = password;
  if (env.OPENSEARCH_CA_CERT) target.caFile = env.OPENSEARCH_CA_CERT;
  return target;
}

/** The node URLs a client should use: `urls` when several are given, else `url`. */
export function nodeUrls(target: Pick<OpenSearchTarget, 'url' | 'urls'>): string[] {
  return target.urls && target.urls.length > 0 ? [...target.urls] : [target.url];
}
