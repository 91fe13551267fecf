import { type Command, InvalidArgumentError } from 'commander';
import { DEFAULT_KAFKA_VERSION_TEXT, ensureKafka } from '../kafka/distribution.js';
import {
  DEFAULT_KAFKA_HEAP,
  DEFAULT_KAFKA_PORT,
  defaultKafkaInstanceDir,
  startManagedBroker,
  statusOfManagedBroker,
  stopManagedBroker,
} from '../kafka/managed-broker.js';
import { probeKafka } from '../kafka/probe.js';
import { kafkaBrokersFromEnv } from '../kafka/target.js';
import { parseVersionRequest, type VersionRequest } from '../managed/versions.js';
import { parseHeap, parsePort, stderrLog } from './options.js';

function versionOption(value: string): VersionRequest {
  try {
    const request = parseVersionRequest(value, 'Apache Kafka');
    const major = request.kind === 'exact' ? request.version : request.line;
    if (!major.startsWith('4')) throw new Error(`Kafka ${value}: the managed broker runs the 4.x line (KRaft, no ZooKeeper)`);
    return request;
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** With KAFKA_BROKERS set, the cluster is someone else's: start and stop leave it alone and say so. */
function externalNotice(action: string): boolean {
  const brokers = kafkaBrokersFromEnv();
  if (!brokers) return false;
  process.stdout.write(`KAFKA_BROKERS is set (${brokers.join(',')}): that cluster is used, nothing ${action}\n`);
  return true;
}

export function registerKafkaCommand(program: Command): void {
  const kafka = program
    .command('kafka')
    .description(
      'manage a local Kafka broker (jars fetched from Maven Central, one KRaft process); KAFKA_BROKERS selects an existing cluster',
    );

  kafka
    .command('fetch')
    .description(`download and cache the broker jars (default ${DEFAULT_KAFKA_VERSION_TEXT})`)
    .option('--version <version>', 'an exact 4.x version (4.1.1) or a release line (4.1)', versionOption)
    .option('--refresh', 'ask Maven Central again even if a matching version is cached')
    .action(async (options: { version?: VersionRequest; refresh?: boolean }) => {
      const distribution = await ensureKafka({
        ...(options.version ? { request: options.version } : {}),
        refresh: Boolean(options.refresh),
        log: stderrLog,
      });
      process.stdout.write(`Kafka ${distribution.version} ready in ${distribution.libs}\n`);
    });

  kafka
    .command('start')
    .description('start a single broker (combined broker and controller) on loopback, wait until it serves, print its address')
    .option('--port <port>', 'client (PLAINTEXT) port (0: any free port)', parsePort, DEFAULT_KAFKA_PORT)
    .option('--heap <size>', 'JVM maximum heap, e.g. 512m or 1g', parseHeap, DEFAULT_KAFKA_HEAP)
    .option('--version <version>', 'an exact 4.x version or a release line', versionOption)
    .option('--dir <folder>', 'instance folder (config, data, logs)', defaultKafkaInstanceDir())
    .action(async (options: { port: number; heap: string; version?: VersionRequest; dir: string }) => {
      if (externalNotice('started')) return;
      const { state, started } = await startManagedBroker({
        instanceDir: options.dir,
        port: options.port,
        heap: options.heap,
        ...(options.version ? { request: options.version } : {}),
        log: stderrLog,
      });
      process.stdout.write(`Kafka ${state.version} is ${started ? 'up' : 'already running'}: ${state.bootstrap}\n`);
    });

  kafka
    .command('stop')
    .description('stop the broker: graceful first, forced after a grace period')
    .option('--dir <folder>', 'instance folder', defaultKafkaInstanceDir())
    .option('--grace <seconds>', 'seconds to wait before forcing', (v) => Number(v), 30)
    .action(async (options: { dir: string; grace: number }) => {
      if (externalNotice('stopped')) return;
      const stopped = await stopManagedBroker(options.dir, options.grace * 1000);
      process.stdout.write(stopped ? 'Kafka stopped\n' : 'Kafka was not running\n');
    });

  kafka
    .command('status')
    .description('up or down, version and bootstrap address (exit code 3 when down)')
    .option('--dir <folder>', 'instance folder', defaultKafkaInstanceDir())
    .option('--json', 'print JSON')
    .action(async (options: { dir: string; json?: boolean }) => {
      const external = kafkaBrokersFromEnv();
      let summary: { status: string; bootstrap?: string; version?: string; pid?: number; clusterId?: string; source: string };
      if (external) {
        const cluster = await probeKafka(external);
        summary = cluster
          ? { status: 'up', bootstrap: external.join(','), clusterId: cluster.clusterId, source: 'KAFKA_BROKERS' }
          : { status: 'down', bootstrap: external.join(','), source: 'KAFKA_BROKERS' };
      } else {
        const status = await statusOfManagedBroker(options.dir);
        summary =
          status.status === 'up'
            ? {
                status: 'up',
                version: status.state.version,
                bootstrap: status.state.bootstrap,
                pid: status.state.pid,
                clusterId: status.cluster.clusterId,
                source: 'managed',
              }
            : status.status === 'unresponsive'
              ? { status: 'unresponsive', bootstrap: status.state.bootstrap, pid: status.state.pid, source: 'managed' }
              : { status: 'down', source: 'managed' };
      }
      if (options.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
      else if (summary.status === 'down' && !summary.bootstrap) process.stdout.write('down\n');
      else
        process.stdout.write(
          `${summary.status}  ${summary.version ? `Kafka ${summary.version}  ` : ''}${summary.bootstrap}${summary.pid ? `  (pid ${summary.pid})` : ''}${external ? '  (KAFKA_BROKERS)' : ''}\n`,
        );
      if (summary.status !== 'up') process.exitCode = 3;
    });
}
