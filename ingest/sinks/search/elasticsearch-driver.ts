import { readFileSync } from 'node:fs';
import type { Client } from '@elastic/elasticsearch';
import { nodeUrls } from '../../../platform/opensearch/target.js';
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

/**
 * Loads `@elastic/elasticsearch` at the first request, not at start: it is ~240 modules (~8 MiB of heap, ~20 MiB RSS)
 * that a process without an Elasticsearch sink (the default) would otherwise hold for nothing.
 */
function lazyClient(create: () => Promise<Client>): SearchClient {
  let loaded: Promise<SearchClient> | undefined;
  const client = () => {
    loaded ??= create().then(elasticsearchClient);
    return loaded;
  };
  return {
    bulk: async (body, signal) => (await client()).bulk(body, signal),
    createIndex: async (name, body, signal) => (await client()).createIndex(name, body, signal),
    ping: async () => (await client()).ping(),
    close: async () => {
      if (loaded) await (await loaded).close();
    },
  };
}

/**
 * A client factory for `target`, loading the library at its first call. The CA file is read now, so a missing one is
 * refused at start, not at the first request.
 */
export function elasticsearchClientFactory(target: SearchTarget, requestTimeoutMs = 30_000): () => Promise<Client> {
  const ca = target.caFile ? readFileSync(target.caFile) : undefined;
  return async () => {
    const { Client } = await import('@elastic/elasticsearch');
    return new Client({
      nodes: nodeUrls(target),
      ...(target.username ? { auth: { username: target.username, password: target.password ?? '' } } : {}),
      ...(ca ? { tls: { ca } } : {}),
      maxRetries: 0,
      requestTimeout: requestTimeoutMs,
    });
  };
}

export function createElasticsearchDriver(target: SearchTarget, settings: SearchDriverSettings): SearchDriver {
  const client = lazyClient(elasticsearchClientFactory(target, settings.requestTimeoutMs));
  return new SearchDriver('elasticsearch', client, { namespace: settings.namespace });
}
