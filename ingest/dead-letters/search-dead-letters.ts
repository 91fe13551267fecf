import type { Client } from '@opensearch-project/opensearch';
import { ActionableError } from '../../platform/errors.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import type { FortiemsConfig, SearchSinkConfig, SinkConfig } from '../config/types.js';
import { createEnrichStage } from '../enrich/enrich-stage.js';
import { createElasticsearchDriver } from '../sinks/search/elasticsearch-driver.js';
import { createOpenSearchDriver } from '../sinks/search/opensearch-driver.js';
import type { SearchTarget } from '../sinks/search/search-driver.js';
import { searchSinkSettings } from '../sinks/search/search-sink-settings.js';
import { enrichOptionsOf } from '../topology/topology.js';
import { DeadLetterStore } from './dead-letter-store.js';
import type { DeadLetterFilter } from './filters.js';
import { type ReplaySummary, replayDeadLetters } from './replay-dead-letters.js';

/** A search sink's dead letters: read them, replay them through today's parse → enrich → that sink's encoding and target. */
export interface SearchDeadLetters {
  readonly sinkId: string;
  readonly namespace: string;
  readonly store: DeadLetterStore;
  replay(filter: DeadLetterFilter): Promise<ReplaySummary>;
  close(): Promise<void>;
}

export interface SearchDeadLetterOptions {
  /** Which search sink (default: the first `opensearch` sink of the configuration, else the first `elasticsearch` one). */
  sinkId?: string | undefined;
  /** The default cluster, for a sink without `url` (OPENSEARCH_URL or the managed node). */
  target?: SearchTarget | undefined;
  /** Zone of zone-less times (default: the configuration's `pipeline.timezone`, else UTC). */
  zone?: string | undefined;
  /** Tests shorten the waits between attempts. */
  backoffMs?: number;
  /** A client to read the store with (the console passes its own); default: one for the sink's target, closed by `close`. */
  client?: Client;
}

/** The ids among `ids` stored in any backing index of the namespace's fortiems data streams. */
async function storedIds(client: Client, namespace: string, ids: readonly string[]): Promise<ReadonlySet<string>> {
  const response = await client.search({
    index: `logs-fortiems.*-${namespace}`,
    ignore_unavailable: true,
    allow_no_indices: true,
    body: { query: { ids: { values: [...ids] } }, _source: false, size: ids.length },
  } as never);
  const hits = (response.body as { hits?: { hits?: { _id: string }[] } }).hits?.hits ?? [];
  return new Set(hits.map((hit) => hit._id));
}

function pickSink(config: FortiemsConfig, sinkId: string | undefined): [string, SearchSinkConfig] {
  const sinks = Object.entries(config.sinks ?? {}) as [string, SinkConfig][];
  if (sinkId !== undefined) {
    const found = sinks.find(([id]) => id === sinkId);
    if (!found)
      throw new ActionableError(
        `no sink '${sinkId}' in the configuration`,
        `name one of: ${sinks.map(([id]) => id).join(', ') || '(none)'}`,
      );
    if (found[1].type !== 'opensearch' && found[1].type !== 'elasticsearch')
      throw new ActionableError(
        `sink '${sinkId}' is of type ${found[1].type}: its dead letters are not in a search index`,
        found[1].type === 'syslog' || found[1].type === 'kafka'
          ? 'its dead letters are a file: `fortiems dead-letter list|replay --sink ID` reads it'
          : 'name an opensearch or elasticsearch sink',
      );
    return found as [string, SearchSinkConfig];
  }
  const first = sinks.find(([, sink]) => sink.type === 'opensearch') ?? sinks.find(([, sink]) => sink.type === 'elasticsearch');
  if (!first)
    throw new ActionableError(
      'the configuration has no opensearch or elasticsearch sink',
      'pass the --config of the pipeline that wrote the dead letters',
    );
  return first as [string, SearchSinkConfig];
}

/**
 * The dead letters of one search sink of a configuration (its cluster, its namespace's `fortiems-dead-letter-<ns>`).
 * An elasticsearch sink's index is read and pruned with the same OpenSearch client: the store's requests (search with
 * aggregations and `search_after`, get, bulk delete and update, an `ids` query) are plain REST that Elasticsearch 8
 * answers alike (tested against the real one); only the replay's sends go through the sink's own driver.
 */
export function searchDeadLetters(config: FortiemsConfig, options: SearchDeadLetterOptions = {}): SearchDeadLetters {
  const [sinkId, sinkConfig] = pickSink(config, options.sinkId);
  const settings = searchSinkSettings(sinkId, sinkConfig, options.target);
  const ownClient = options.client === undefined;
  const client = options.client ?? createOpenSearchClient(settings.target, { maxRetries: 1, requestTimeoutMs: 30_000 });
  const store = new DeadLetterStore(client, settings.namespace);
  return {
    sinkId,
    namespace: settings.namespace,
    store,
    async replay(filter) {
      const driver =
        settings.type === 'elasticsearch'
          ? createElasticsearchDriver(settings.target, { namespace: settings.namespace })
          : createOpenSearchDriver(settings.target, { namespace: settings.namespace });
      const enrich = createEnrichStage(enrichOptionsOf(config));
      try {
        return await replayDeadLetters({
          store,
          namespace: settings.namespace,
          zone: options.zone ?? config.pipeline?.timezone ?? 'UTC',
          enrich,
          filter,
          alreadyStored: (ids) => storedIds(client, settings.namespace, ids),
          send: async (payloads) => {
            const records = payloads.map((payload, seq) => ({ seq, payload, bytes: payload.length }));
            return (await driver.send(records, new AbortController().signal)).outcomes;
          },
          ...(options.backoffMs !== undefined ? { backoffMs: options.backoffMs } : {}),
        });
      } finally {
        await driver.close();
      }
    },
    close: async () => {
      if (ownClient) await client.close();
    },
  };
}
