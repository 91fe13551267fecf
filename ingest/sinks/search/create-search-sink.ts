import { ComponentTelemetry } from '../../../platform/telemetry/component-telemetry.js';
import type { MetricsRegistry } from '../../../platform/telemetry/metrics-registry.js';
import type { EventBuffer } from '../../buffers/event-buffer.js';
import type { SearchSinkConfig } from '../../config/types.js';
import { withSetup } from '../prepared-driver.js';
import type { RetryPolicy } from '../retry-policy.js';
import type { Sink } from '../sink.js';
import { BufferedSink, type SinkLogger } from '../sink-helper.js';
import { encodeBulkCreate, searchEncoderRecipe } from './bulk-encoding.js';
import { createElasticsearchDriver } from './elasticsearch-driver.js';
import { createOpenSearchDriver } from './opensearch-driver.js';
import type { SearchTarget } from './search-driver.js';
import { searchSinkSettings } from './search-sink-settings.js';

export interface SearchSinkDeps {
  /** The sink's buffer, already opened; the sink closes it when it stops. */
  buffer: EventBuffer;
  registry: MetricsRegistry;
  /** The default cluster, for a sink whose configuration names no `url`. */
  target?: SearchTarget;
  logger?: SinkLogger;
  /** Overrides of the retry policy (tests shorten the backoff). */
  retry?: Partial<RetryPolicy>;
  /** One bulk request may take this long (default 30 s). */
  requestTimeoutMs?: number;
  /** Runs before the first delivery, retried until it succeeds (installing the index templates). */
  setup?: (target: SearchTarget) => Promise<void>;
}

/** An OpenSearch or Elasticsearch sink: bulk `create` into the data streams, dead letters into `fortiems-dead-letter-<ns>`. */
export function createSearchSink(id: string, config: SearchSinkConfig, deps: SearchSinkDeps): Sink {
  const settings = searchSinkSettings(id, config, deps.target);
  const driverSettings = { namespace: settings.namespace, ...(deps.requestTimeoutMs ? { requestTimeoutMs: deps.requestTimeoutMs } : {}) };
  const bulkDriver =
    settings.type === 'opensearch'
      ? createOpenSearchDriver(settings.target, driverSettings)
      : createElasticsearchDriver(settings.target, driverSettings);
  const { setup } = deps;
  const driver = setup ? withSetup(bulkDriver, () => setup(settings.target)) : bulkDriver;
  return new BufferedSink({
    id,
    buffer: deps.buffer,
    encode: encodeBulkCreate,
    encoderRecipe: searchEncoderRecipe(id, config),
    driver,
    telemetry: new ComponentTelemetry(deps.registry, { id, kind: 'sink', type: settings.type }),
    batch: settings.batch,
    concurrency: settings.concurrency,
    ...(deps.retry ? { retry: deps.retry } : {}),
    ...(deps.logger ? { logger: deps.logger } : {}),
  });
}
