import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Command } from 'commander';
import { startEmbeddedEms } from '../../ems-core/embedded-ems.js';
import { defaultConfig, loadConfigFile } from '../../ingest/config/load-config.js';
import { nodeUrls } from '../../platform/opensearch/target.js';
import { stateRoot } from '../managed/paths.js';
import { DEFAULT_HEAP, DEFAULT_HTTP_PORT } from '../opensearch/managed-node.js';
import { defaultInstanceDir } from '../opensearch/paths.js';
import { provideOpenSearch } from '../opensearch/target.js';
import { runIngest } from '../service/run-ingest.js';
import { parseHeap, parsePort, stderrLog } from './options.js';

interface StartOptions {
  opensearchPort: number;
  heap: string;
  dir: string;
  config?: string;
  ems: boolean;
  emsPort: number;
}

/**
 * `npm start`: the embedded default system — the managed OpenSearch (unless OPENSEARCH_URL), the mappings, the
 * pipeline on its default ports, and the EMS core sending its office day to the pipeline over TCP, with its inventory
 * API feeding the enrichment. Ctrl-C stops everything it started, in order: EMS, pipeline (drained), OpenSearch.
 */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('run the whole system on an embedded default (managed OpenSearch unless OPENSEARCH_URL is set); Ctrl-C stops it')
    .option('--opensearch-port <port>', 'HTTP port of the managed OpenSearch (0: any free port)', parsePort, DEFAULT_HTTP_PORT)
    .option('--heap <size>', 'heap of the managed OpenSearch', parseHeap, DEFAULT_HEAP)
    .option('--dir <folder>', 'instance folder of the managed OpenSearch', defaultInstanceDir())
    .option('--config <file>', 'pipeline configuration instead of the defaults')
    .option('--no-ems', 'do not run the embedded EMS core')
    .option('--ems-port <port>', 'admin API port of the embedded EMS core', parsePort, 8090)
    .action(async (options: StartOptions) => {
      const opensearch = await provideOpenSearch({
        port: options.opensearchPort,
        heap: options.heap,
        instanceDir: options.dir,
        log: stderrLog,
      });
      process.stdout.write(`OpenSearch (${opensearch.source}): ${nodeUrls(opensearch).join(', ')}\n`);
      try {
        const config = options.config ? loadConfigFile(options.config) : defaultConfig();
        const emsToken = process.env.FORTIEMS_EMS_TOKEN || randomBytes(24).toString('base64url');
        const ems = options.ems
          ? await startEmbeddedEms({
              to: ['tcp://127.0.0.1:5514?framing=octet'],
              host: '127.0.0.1',
              port: options.emsPort,
              settingsPath: join(stateRoot(), 'ems', 'log-settings.json'),
              scenario: 'office-day',
              seed: 1,
              format: 'rfc3164',
              endpoints: 250,
              timeZone: config.pipeline?.timezone ?? 'UTC',
              adminToken: emsToken,
            })
          : undefined;
        if (ems) {
          config.pipeline = { ...config.pipeline, enrich: { ...config.pipeline?.enrich, inventory: { url: ems.apiUrl, token: emsToken } } };
          const shownToken = process.env.FORTIEMS_EMS_TOKEN ? '$FORTIEMS_EMS_TOKEN' : emsToken;
          process.stdout.write(
            `EMS core: office day → tcp://127.0.0.1:5514; admin API ${ems.apiUrl} (Authorization: Bearer ${shownToken})\n`,
          );
        }
        process.stdout.write('pipeline:\n');
        await runIngest({
          config,
          ...(options.config ? { configFile: options.config } : {}),
          opensearch,
          ...(ems ? { beforeStop: () => ems.stop() } : {}),
          onStarted: () => process.stdout.write('fortiems is running; press Ctrl-C to stop.\n'),
        });
      } finally {
        await opensearch.release();
        stderrLog('stopped');
      }
    });
}
