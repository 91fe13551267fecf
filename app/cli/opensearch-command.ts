import { type Command, InvalidArgumentError } from 'commander';
import { detectJava } from '../managed/java.js';
import { parseVersionRequest, type VersionRequest } from '../managed/versions.js';
import { ensureDistribution } from '../opensearch/distribution.js';
import { DEFAULT_HEAP, DEFAULT_HTTP_PORT, startManagedNode, statusOfManagedNode, stopManagedNode } from '../opensearch/managed-node.js';
import { defaultInstanceDir } from '../opensearch/paths.js';
import { defaultVersionRequest } from '../opensearch/versions.js';
import { parseHeap, parsePort, stderrLog } from './options.js';

function versionOption(value: string): VersionRequest {
  try {
    return parseVersionRequest(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

export function registerOpenSearchCommand(program: Command): void {
  const opensearch = program
    .command('opensearch')
    .description('manage a local OpenSearch node (fetched from Maven Central, run as a local process)');

  opensearch
    .command('fetch')
    .description('download, verify and cache the OpenSearch distribution (newest 2.19.x on Java 17, 3.x on Java 21+)')
    .option('--version <version>', 'an exact version (2.19.6) or a release line (2.19, 3)', versionOption)
    .option('--refresh', 'ask Maven Central again even if a matching version is cached')
    .action(async (options: { version?: VersionRequest; refresh?: boolean }) => {
      const request = options.version ?? defaultVersionRequest(detectJava().major);
      const distribution = await ensureDistribution({ request, refresh: Boolean(options.refresh), log: stderrLog });
      process.stdout.write(`OpenSearch ${distribution.version} ready in ${distribution.home}\n`);
    });

  opensearch
    .command('start')
    .description('start a single node on loopback, wait for cluster health, print its URL')
    .option('--port <port>', `HTTP port (0: any free port)`, parsePort, DEFAULT_HTTP_PORT)
    .option('--heap <size>', 'JVM heap, e.g. 512m or 2g', parseHeap, DEFAULT_HEAP)
    .option('--version <version>', 'an exact version or a release line', versionOption)
    .option('--dir <folder>', 'instance folder (config, data, logs)', defaultInstanceDir())
    .action(async (options: { port: number; heap: string; version?: VersionRequest; dir: string }) => {
      const { state, started } = await startManagedNode({
        instanceDir: options.dir,
        port: options.port,
        heap: options.heap,
        ...(options.version ? { request: options.version } : {}),
        log: stderrLog,
      });
      process.stdout.write(`OpenSearch ${state.version} is ${started ? 'up' : 'already running'}: ${state.url}\n`);
    });

  opensearch
    .command('stop')
    .description('stop the node: graceful first, forced after a grace period')
    .option('--dir <folder>', 'instance folder', defaultInstanceDir())
    .option('--grace <seconds>', 'seconds to wait before forcing', (v) => Number(v), 30)
    .action(async (options: { dir: string; grace: number }) => {
      const stopped = await stopManagedNode(options.dir, options.grace * 1000);
      process.stdout.write(stopped ? 'OpenSearch stopped\n' : 'OpenSearch was not running\n');
    });

  opensearch
    .command('status')
    .description('up or down, version and URL (exit code 3 when down)')
    .option('--dir <folder>', 'instance folder', defaultInstanceDir())
    .option('--json', 'print JSON')
    .action(async (options: { dir: string; json?: boolean }) => {
      const status = await statusOfManagedNode(options.dir);
      const summary =
        status.status === 'up'
          ? { status: 'up', version: status.version, url: status.state.url, pid: status.state.pid }
          : status.status === 'unresponsive'
            ? { status: 'unresponsive', url: status.state.url, pid: status.state.pid }
            : { status: 'down' };
      if (options.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
      else if (status.status === 'up')
        process.stdout.write(`up  OpenSearch ${status.version}  ${status.state.url}  (pid ${status.state.pid})\n`);
      else if (status.status === 'unresponsive') process.stdout.write(`unresponsive  pid ${status.state.pid}  ${status.state.url}\n`);
      else process.stdout.write('down\n');
      if (status.status !== 'up') process.exitCode = 3;
    });
}
