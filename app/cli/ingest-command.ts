import type { Command } from 'commander';
import { checkConfig, defaultConfig, loadConfigFile } from '../../ingest/config/load-config.js';
import type { FortiemsConfig } from '../../ingest/config/types.js';
import { withForwardSinks } from '../../ingest/forward/forward-url.js';
import { nodeUrls } from '../../platform/opensearch/target.js';
import { provideOpenSearch } from '../opensearch/target.js';
import { needsProvidedOpenSearch, runIngest } from '../service/run-ingest.js';
import { stderrLog } from './options.js';

/** `fortiems ingest [--config FILE] [--forward URL]…`: the pipeline alone. */
export function registerIngestCommand(program: Command): void {
  program
    .command('ingest')
    .description(
      'run the pipeline alone: syslog (UDP/TCP 5514, TLS 6514) and HTTP (8080) in, OpenSearch out; SIGTERM drains, SIGHUP reloads the file',
    )
    .option('--config <file>', 'YAML configuration (see `fortiems validate --print-defaults`); without it, the defaults')
    .option(
      '--forward <url>',
      'also forward to a syslog receiver, e.g. tls://siem:6514?format=cef&framing=octet&ca=FILE&categories=ems-vpn&min_level=warning ' +
        '(repeatable; adds sinks forward_1, forward_2, …)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .action(async (options: { config?: string; forward: string[] }) => {
      const extend = (base: FortiemsConfig) =>
        options.forward.length > 0 ? checkConfig(withForwardSinks(base, options.forward), '--forward') : base;
      const config = extend(options.config ? loadConfigFile(options.config) : defaultConfig());
      const opensearch = needsProvidedOpenSearch(config) ? await provideOpenSearch({ log: stderrLog }) : undefined;
      if (opensearch) stderrLog(`OpenSearch (${opensearch.source}): ${nodeUrls(opensearch).join(', ')}`);
      try {
        await runIngest({
          config,
          extend,
          ...(options.config ? { configFile: options.config } : {}),
          ...(opensearch ? { opensearch } : {}),
        });
      } finally {
        await opensearch?.release();
      }
    });
}
