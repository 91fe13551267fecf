import { readFileSync } from 'node:fs';
import { Client } from '@elastic/elasticsearch';
import { toBulkRequestError } from './bulk-response.js';
import { BULK_FILTER_PATH, type SearchClient, SearchDriver, type SearchDriverSettings, type SearchTarget } from './search-driver.js';

/** `@elastic/elasticsearch` (v8) as a SearchClient. Retries are the sink helper's, so the client makes none. */
export function elasticsearchClient(client: Client): SearchClient {
  return {
    async bulk(body, signal) {
      try {
        // A Buffer body is sent as is (the transport serializes only arrays and objects); the type only knows the array form.
        return await client.bulk({ operations: body as never, filter_path: BULK_FILTER_PATH }, { signal });
      } catch (error) {
        throw toBulkRequestError(error, 'bulk request');
      }
    },
    async createIndex(name, body, signal) {
      try {
        await client.indices.create({ index: name, settings: body.settings, mappings: body.mappings as never }, { signal });
        return true;
      } catch (error) {
        const type = (error as { meta?: { body?: { error?: { type?: string } } } }).meta?.body?.error?.type;
        if (type === 'resource_already_exists_exception') return false;
        throw toBulkRequestError(error, `creating index ${name}`);
      }
    },
    async ping() {
      try {
        return await client.ping();
      } catch {
        return false;
      }
    },
    close: () => client.close(),
  };
}

export function createElasticsearchDriver(target: SearchTarget, settings: SearchDriverSettings): SearchDriver {
  const client = new Client({
    node: target.url,
    ...(target.username ? { auth: { username: target.username, password: target.password ?? '' } } : {}),
    ...(target.caFile ? { tls: { ca: readFileSync(target.caFile) } } : {}),
    maxRetries: 0,
    requestTimeout: settings.requestTimeoutMs ?? 30_000,
  });
  return new SearchDriver('elasticsearch', elasticsearchClient(client), { namespace: settings.namespace });
}
