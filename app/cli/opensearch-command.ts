import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { detectJava } from '../managed/java.js';
import { parseVersionRequest, type VersionRequest } from '../managed/versions.js';
import { ensureDistribution } from '../opensearch/distribution.js';
import {
  type ClusterStatus,
  DEFAULT_CLUSTER_HEAP,
  DEFAULT_CLUSTER_HTTP_PORT,
  defaultClusterDir,
  isClusterDir,
  MAX_CLUSTER_NODES,
  startManagedCluster,
  statusOfManagedCluster,
  stopManagedCluster,
} from '../opensearch/managed-cluster.js';
import { DEFAULT_HEAP, DEFAULT_HTTP_PORT, startManagedNode, statusOfManagedNode, stopManagedNode } from '../opensearch/managed-node.js';
import { defaultInstanceDir } from '../opensearch/paths.js';
import { defaultVersionRequest } from '../opensearch/versions.js';
import { parseHeap, parsePort, stderrLog } from './options.js';

function nodesOption(value: string): number {
  const nodes = Number(value);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > MAX_CLUSTER_NODES)
    throw new InvalidArgumentError(`a whole number from 1 to ${MAX_CLUSTER_NODES} (3 for a cluster that survives losing one node)`);
  return nodes;
}

/**
 * Which instance folders `stop` and `status` act on: the one named by --dir; without it the default node, and the
 * default cluster when one was started (a cluster alone: the default node's folder is left out when it holds nothing).
 */
function instanceDirs(dir: string | undefined): string[] {
  if (dir) return [dir];
  const cluster = defaultClusterDir();
  if (!isClusterDir(cluster)) return [defaultInstanceDir()];
  return existsSync(join(defaultInstanceDir(), 'fortiems-node.json')) ? [defaultInstanceDir(), cluster] : [cluster];
}

/** A cluster's folder, running (its cluster file) or stopped (its member folders). */
function holdsCluster(dir: string): boolean {
  return isClusterDir(dir) || (!existsSync(join(dir, 'fortiems-node.json')) && existsSync(join(dir, 'node-1')));
}

function clusterSummary(status: ClusterStatus) {
  return status.nodes.map(({ instanceDir, status: node }) =>
    node.status === 'up'
      ? { dir: instanceDir, status: 'up', version: node.version, url: node.state.url, pid: node.state.pid }
      : node.status === 'unresponsive'
        ? { dir: instanceDir, status: 'unresponsive', url: node.state.url, pid: node.state.pid }
        : { dir: instanceDir, status: 'down' },
  );
}

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
    .description('start a node (or with --nodes 3 a cluster) on loopback, wait for cluster health, print the URLs')
    .option('--nodes <count>', 'cluster members: 1 is a single node; 3 survives losing one', nodesOption, 1)
    .option(
      '--port <port>',
      `HTTP port (0: any free port); a cluster's members take consecutive ports from it, ${DEFAULT_CLUSTER_HTTP_PORT} unless given`,
      parsePort,
      DEFAULT_HTTP_PORT,
    )
    .option(
      '--heap <size>',
      `JVM heap per node, e.g. 512m or 2g (a cluster: ${DEFAULT_CLUSTER_HEAP} unless given)`,
      parseHeap,
      DEFAULT_HEAP,
    )
    .option('--version <version>', 'an exact version or a release line', versionOption)
    .option('--dir <folder>', `instance folder: config, data, logs (a cluster: ${defaultClusterDir()} unless given)`, defaultInstanceDir())
    .action(async (options: { nodes: number; port: number; heap: string; version?: VersionRequest; dir: string }, command: Command) => {
      if (options.nodes > 1) {
        const given = (name: string) => command.getOptionValueSource(name) !== 'default';
        const { state, started } = await startManagedCluster({
          nodes: options.nodes,
          instanceDir: given('dir') ? options.dir : defaultClusterDir(),
          port: given('port') ? options.port : DEFAULT_CLUSTER_HTTP_PORT,
          heap: given('heap') ? options.heap : DEFAULT_CLUSTER_HEAP,
          ...(options.version ? { request: options.version } : {}),
          log: stderrLog,
        });
        process.stdout.write(
          `OpenSearch ${state.version} cluster '${state.clusterName}' of ${state.nodes.length} is ${started ? 'up' : 'already running'}:\n` +
            state.urls.map((url) => `  ${url}\n`).join(''),
        );
        return;
      }
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
    .description('stop the node (or every node of a cluster): graceful first, forced after a grace period')
    .option('--dir <folder>', 'instance folder (default: the default node, and the default cluster when one was started)')
    .option('--grace <seconds>', 'seconds to wait before forcing', (v) => Number(v), 30)
    .action(async (options: { dir?: string; grace: number }) => {
      for (const dir of instanceDirs(options.dir)) {
        if (holdsCluster(dir)) {
          const stopped = await stopManagedCluster(dir, options.grace * 1000);
          process.stdout.write(stopped > 0 ? `OpenSearch cluster stopped (${stopped} nodes)\n` : 'OpenSearch cluster was not running\n');
          continue;
        }
        const stopped = await stopManagedNode(dir, options.grace * 1000);
        process.stdout.write(stopped ? 'OpenSearch stopped\n' : 'OpenSearch was not running\n');
      }
    });

  opensearch
    .command('status')
    .description('up or down, version and URL of the node or of every cluster member (exit code 3 when one is down)')
    .option('--dir <folder>', 'instance folder (default: the default node, and the default cluster when one was started)')
    .option('--json', 'print JSON')
    .action(async (options: { dir?: string; json?: boolean }) => {
      for (const dir of instanceDirs(options.dir)) {
        if (holdsCluster(dir)) {
          const members = clusterSummary(await statusOfManagedCluster(dir));
          if (options.json) process.stdout.write(`${JSON.stringify({ cluster: dir, nodes: members })}\n`);
          else
            for (const [i, member] of members.entries())
              process.stdout.write(
                `node ${i + 1}  ${member.status}${'version' in member ? `  OpenSearch ${member.version}` : ''}` +
                  `${'url' in member ? `  ${member.url}  (pid ${member.pid})` : ''}\n`,
              );
          if (members.some((member) => member.status !== 'up')) process.exitCode = 3;
          continue;
        }
        const status = await statusOfManagedNode(dir);
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
      }
    });
}
