import { readFileSync } from 'node:fs';
import { Client } from '@opensearch-project/opensearch';
import type { OpenSearchConnection } from './options.js';

/**
 * The console's own client (dashboards/ does not import ingest/): the same connection fields as the pipeline's sink.
 * Reads are interactive, so one quick retry at most and a bounded wait; a slow cluster shows as an error, not a hang.
 */
export function createSearchClient(connection: OpenSearchConnection): Client {
  return new Client({
    node: connection.url,
    ...(connection.username ? { auth: { username: connection.username, password: connection.password ?? '' } } : {}),
    ...(connection.caFile ? { ssl: { ca: readFileSync(connection.caFile) } } : {}),
    maxRetries: 1,
    requestTimeout: 30_000,
  });
}
