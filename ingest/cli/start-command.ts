import type { Command } from 'commander';
import { DEFAULT_HEAP, DEFAULT_HTTP_PORT } from '../opensearch/managed-node.js';
import { defaultInstanceDir } from '../opensearch/paths.js';
import { provideOpenSearch } from '../opensearch/target.js';
import { parseHeap, parsePort, stderrLog } from './options.js';

/** `npm start`: the embedded default system. Later layers (pipeline, EMS core, console) join here. */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('run the whole system on an embedded default (managed OpenSearch unless OPENSEARCH_URL is set); Ctrl-C stops it')
    .option('--opensearch-port <port>', 'HTTP port of the managed OpenSearch (0: any free port)', parsePort, DEFAULT_HTTP_PORT)
    .option('--heap <size>', 'heap of the managed OpenSearch', parseHeap, DEFAULT_HEAP)
    .option('--dir <folder>', 'instance folder of the managed OpenSearch', defaultInstanceDir())
    .action(async (options: { opensearchPort: number; heap: string; dir: string }) => {
      const opensearch = await provideOpenSearch({
        port: options.opensearchPort,
        heap: options.heap,
        instanceDir: options.dir,
        log: stderrLog,
      });
      process.stdout.write(`OpenSearch (${opensearch.source}): ${opensearch.url}\n`);
      process.stdout.write('fortiems is running; press Ctrl-C to stop.\n');
      await new Promise<void>((resolve) => {
        const shutdown = (signal: NodeJS.Signals) => {
          stderrLog(`${signal} received: stopping what this run started ...`);
          resolve();
        };
        process.once('SIGINT', shutdown);
        process.once('SIGTERM', shutdown);
      });
      await opensearch.release();
      stderrLog('stopped');
    });
}
