import { readFileSync } from 'node:fs';
import { Client } from '@opensearch-project/opensearch';
import type { OpenSearchTarget } from './target.js';

/** One place that turns a target into the official client, so auth and TLS are handled alike everywhere. */
export function createOpenSearchClient(
  target: Pick<OpenSearchTarget, 'url' | 'username' | 'password' | 'caFile'>,
  limits: { requestTimeoutMs?: number; maxRetries?: number } = {},
): Client {
  return new Client({
    node: target.url,
    ...(limits.requestTimeoutMs !== undefined ? { requestTimeout: limits.requestTimeoutMs } : {}),
    ...(limits.maxRetries !== undefined ? { maxRetries: limits.maxRetries } : {}),
    ...(target.username ? { auth: { username: target.username, password: target.password ?? '' } } : {}),
    ...(target.caFile ? { ssl: { ca: readFileSync(target.caFile) } } : {}),
  });
}
