/**
 * The search sinks as components: `opensearch` (read by the console and detections) and `elasticsearch`; both install
 * our templates first.
 */
import type { Logger } from '../../../platform/logging/logger.js';
import { createOpenSearchClient } from '../../../platform/opensearch/client.js';
import { type SinkFactory, schemaDefaults } from '../../components/contract.js';
import type { SearchSinkConfig } from '../../config/types.js';
import { createSearchSink } from './create-search-sink.js';
import { elasticsearchClientFactory } from './elasticsearch-driver.js';
import { installElasticsearchMappings } from './install-elasticsearch-mappings.js';
import { installMappings } from './install-mappings.js';
import type { SearchTarget } from './search-driver.js';
import { searchSinkSchema } from './search-sink-schema.js';

/**
 * A search sink's cluster gets our templates and data streams for its namespace before the first event (retried
 * until it answers), so no event lands in an index with guessed mappings. Elasticsearch gets the same templates in its
 * own terms (`flattened`, ILM); without them its built-in `logs` template would guess every field.
 */
async function installSinkMappings(target: SearchTarget, namespace: string, logger: Logger): Promise<void> {
  // Short and without the client's own retries: the sink helper retries a failed setup with its backoff.
  const client = createOpenSearchClient(target, { requestTimeoutMs: 10_000, maxRetries: 0 });
  try {
    const result = await installMappings(client, { namespace });
    for (const warning of result.warnings) logger.warn(warning);
    logger.info({ namespace }, 'index templates and data streams in place');
  } finally {
    await client.close();
  }
}

async function installElasticsearchSinkMappings(target: SearchTarget, namespace: string, logger: Logger): Promise<void> {
  const client = await elasticsearchClientFactory(target, 10_000)();
  try {
    const result = await installElasticsearchMappings(client, { namespace });
    for (const warning of result.warnings) logger.warn(warning);
    logger.info({ namespace }, 'index templates and data streams in place');
  } finally {
    await client.close();
  }
}

const opensearchSchema = searchSinkSchema('opensearch');
const elasticsearchSchema = searchSinkSchema('elasticsearch');

export const opensearchSinkFactory: SinkFactory<SearchSinkConfig> = {
  type: 'opensearch',
  schema: opensearchSchema,
  defaults: schemaDefaults(opensearchSchema),
  create: (id, config, { buffer, registry, target, logger }) =>
    createSearchSink(id, config, {
      buffer,
      setup: (cluster) => installSinkMappings(cluster, config.namespace ?? 'default', logger),
      registry,
      ...(target ? { target } : {}),
      logger,
    }),
  namespace: (config) => config.namespace ?? 'default',
  usesDefaultCluster: (config) => !config.url && !config.urls,
  searchCluster: (config) => {
    const urls = config.urls ?? (config.url ? [config.url] : []);
    if (urls.length === 0) return undefined;
    return {
      url: urls[0] as string,
      ...(urls.length > 1 ? { urls } : {}),
      username: config.username,
      password: config.password,
      caFile: config.ca_file,
    };
  },
};

export const elasticsearchSinkFactory: SinkFactory<SearchSinkConfig> = {
  type: 'elasticsearch',
  schema: elasticsearchSchema,
  defaults: schemaDefaults(elasticsearchSchema),
  create: (id, config, { buffer, registry, target, logger }) =>
    createSearchSink(id, config, {
      buffer,
      setup: (cluster) => installElasticsearchSinkMappings(cluster, config.namespace ?? 'default', logger),
      registry,
      ...(target ? { target } : {}),
      logger,
    }),
  namespace: (config) => config.namespace ?? 'default',
  usesDefaultCluster: (config) => !config.url && !config.urls,
};
