import { readFileSync } from 'node:fs';
import { Client } from '@opensearch-project/opensearch';
import { nodeUrls, type OpenSearchTarget } from './target.js';

/**
 * One place that turns a target into the official client, so auth and TLS are handled alike everywhere. Several node
 * URLs make the client's own pool: round-robin over the live nodes; a node that fails to answer is marked dead (the
 * next request goes elsewhere) and pinged back to life after a growing delay (60 s, doubling).
 */
export function createOpenSearchClient(
  target: Pick<OpenSearchTarget, 'url' | 'urls' | 'username' | 'password' | 'caFile'>,
  limits: { requestTimeoutMs?: number; maxRetries?: number } = {},
): Client {
  return new Client({
    nodes: nodeUrls(target),
    ...(limits.requestTimeoutMs !== undefined ? { requestTimeout: limits.requestTimeoutMs } : {}),
    ...(limits.maxRetries !== undefined ? { maxRetries: limits.maxRetries } : {}),
    ...(target.username ? { auth: { username: target.username, password: target.password ?? '' } } : {}),
    ...(target.caFile ? { ssl: { ca: readFileSync(target.caFile) } } : {}),
  });
}
