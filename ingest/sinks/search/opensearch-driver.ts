import type { Client } from '@opensearch-project/opensearch';
import { createOpenSearchClient } from '../../../platform/opensearch/client.js';
import { toBulkRequestError } from './bulk-response.js';
import { BULK_FILTER_PATH, type SearchClient, SearchDriver, type SearchDriverSettings, type SearchTarget } from './search-driver.js';

/** Runs a client request that ends when `signal` aborts (the client's promise has `abort()`, not a signal option). */
async function abortable<T>(request: Promise<T> & { abort(): unknown }, signal: AbortSignal): Promise<T> {
  const abort = () => request.abort();
  if (signal.aborted) abort();
  signal.addEventListener('abort', abort, { once: true });
  try {
    return await request;
  } finally {
    signal.removeEventListener('abort', abort);
  }
}

/**
 * `@opensearch-project/opensearch` as a SearchClient. Retries are the sink helper's, so the client makes none: the
 * helper alone knows whether a failed attempt may have stored its items (which decides how a later 409 is counted).
 * With several nodes, failing over still happens: the client's pool marks the node that failed dead, so the helper's
 * retry goes to a live one.
 */
export function openSearchClient(client: Client, requestTimeoutMs = 30_000): SearchClient {
  const options = { maxRetries: 0, requestTimeout: requestTimeoutMs };
  return {
    async bulk(body, signal) {
      try {
        const request = client.bulk({ body: body as never, filter_path: BULK_FILTER_PATH }, options);
        return (await abortable(request, signal)).body;
      } catch (error) {
        throw toBulkRequestError(error, 'bulk request');
      }
    },
    async createIndex(name, body, signal) {
      const request = client.indices.create({ index: name, body: body as never }, { ...options, ignore: [400] });
      let response: Awaited<typeof request>;
      try {
        response = await abortable(request, signal);
      } catch (error) {
        throw toBulkRequestError(error, `creating index ${name}`);
      }
      if (response.statusCode === 200) return true;
      const type = (response.body as { error?: { type?: string } } | undefined)?.error?.type;
      if (type === 'resource_already_exists_exception') return false;
      throw toBulkRequestError({ meta: response }, `creating index ${name}`);
    },
    async ping() {
      try {
        return (await client.ping({}, options)).body === true;
      } catch {
        return false;
      }
    },
    close: () => client.close(),
  };
}

export function createOpenSearchDriver(target: SearchTarget, settings: SearchDriverSettings): SearchDriver {
  const client = openSearchClient(createOpenSearchClient(target), settings.requestTimeoutMs);
  return new SearchDriver('opensearch', client, { namespace: settings.namespace });
}
