import type { Command } from 'commander';
import { defaultConfig, loadConfigFile } from '../config/load-config.js';
import { provideOpenSearch } from '../opensearch/target.js';
import { needsProvidedOpenSearch, runIngest } from '../service/run-ingest.js';
import { stderrLog } from './options.js';

/** `fortiems ingest [--config FILE]`: the pipeline alone. */
export function registerIngestCommand(program: Command): void {
  program
    .command('ingest')
    .description(
      'run the pipeline alone: syslog (UDP/TCP 5514, TLS 6514) and HTTP (8080) in, OpenSearch out; SIGTERM drains, SIGHUP reloads the file',
    )
    .option('--config <file>', 'YAML configuration (see `fortiems validate --print-defaults`); without it, the defaults')
    .action(async (options: { config?: string }) => {
      const config = options.config ? loadConfigFile(options.config) : defaultConfig();
      const opensearch = needsProvidedOpenSearch(config) ? await provideOpenSearch({ log: stderrLog }) : undefined;
      if (opensearch) stderrLog(`OpenSearch (${opensearch.source}): ${opensearch.url}`);
      try {
        await runIngest({ config, ...(options.config ? { configFile: options.config } : {}), ...(opensearch ? { opensearch } : {}) });
      } finally {
        await opensearch?.release();
      }
    });
}
