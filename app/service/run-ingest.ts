import { join } from 'node:path';
import { loadConfigFile } from '../../ingest/config/load-config.js';
import type { FortiemsConfig } from '../../ingest/config/types.js';
import { needsDefaultCluster } from '../../ingest/topology/topology.js';
import { createLogger, type Logger } from '../../platform/logging/logger.js';
import { stateRoot } from '../managed/paths.js';
import type { ProvidedOpenSearch } from '../opensearch/target.js';
import { applyHeapSettings } from './heap-settings.js';
import { IngestService } from './ingest-service.js';

export interface RunIngestOptions {
  config: FortiemsConfig;
  /** Re-read on SIGHUP; without a file there is nothing to reload. */
  configFile?: string;
  /** Applied to the re-read file too (the command line's `--forward` sinks must survive a reload). */
  extend?: (config: FortiemsConfig) => FortiemsConfig;
  /** The cluster for sinks without a `url` (already provided by the caller: OPENSEARCH_URL or the managed node). */
  opensearch?: ProvidedOpenSearch;
  logger?: Logger;
  /** Extra work to stop on shutdown, before the pipeline drains (the embedded EMS, which sends into it). */
  beforeStop?: () => Promise<void>;
  print?: (line: string) => void;
  onStarted?: (service: IngestService) => void;
}

/** True when some OpenSearch sink has no `url` of its own and so writes to the provided cluster. */
export function needsProvidedOpenSearch(config: FortiemsConfig): boolean {
  return needsDefaultCluster(config);
}

/**
 * Runs the pipeline until SIGINT/SIGTERM (then drains and returns), reloading the configuration file on SIGHUP: what
 * `fortiems ingest` and `npm start` share.
 */
export async function runIngest(options: RunIngestOptions): Promise<void> {
  const logger = options.logger ?? createLogger();
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const { config, opensearch } = options;
  // Before anything loads: the GeoIP tables' parse garbage is the first thing the growth setting bounds.
  const heap = applyHeapSettings(config);
  logger.info(heap, 'heap: growth percent, configured need and limit (MiB)');
  const service = new IngestService({
    dataDir: join(stateRoot(), 'ingest'),
    ...(opensearch ? { target: opensearch } : {}),
    logger,
  });
  await service.start(config);
  for (const line of service.listening()) print(`  ${line}`);
  options.onStarted?.(service);

  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      logger.info(`${signal}: draining`);
      process.off('SIGHUP', reload);
      resolve();
    };
    const reload = () => {
      if (!options.configFile) {
        logger.warn('SIGHUP: no configuration file to reload (running on the defaults)');
        return;
      }
      let next: FortiemsConfig;
      try {
        next = loadConfigFile(options.configFile);
        if (options.extend) next = options.extend(next);
      } catch (error) {
        logger.error({ err: error }, 'SIGHUP: the new configuration is invalid; keeping the running one');
        return;
      }
      service
        .reload(next)
        .then((changes) => logger.info({ changes }, `SIGHUP: configuration reloaded (${changes.length} changes)`))
        .catch((error) => logger.error({ err: error }, 'SIGHUP: reload failed'));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    process.on('SIGHUP', reload);
  });
  await options.beforeStop?.();
  await service.stop();
  logger.info('pipeline stopped');
}
