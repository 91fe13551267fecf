import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ActionableError } from '../../platform/errors.js';
import { detectJava, type JavaRuntime } from '../managed/java.js';
import { tailLines } from '../managed/maven.js';
import { stateRoot } from '../managed/paths.js';
import { findFreePort, isPortFree } from '../managed/ports.js';
import {
  isProcessAlive,
  readStateFile,
  removeStateFile,
  spawnDetached,
  stopProcess,
  waitUntil,
  writeStateFile,
} from '../managed/process.js';
import { chownTree, ensureServiceIdentity, KAFKA_SERVICE_USER, type ServiceIdentity } from '../managed/service-user.js';
import type { VersionRequest } from '../managed/versions.js';
import { controllerPortOf, jvmArguments, newClusterId, renderLog4j2Properties, renderServerProperties } from './broker-config.js';
import { ensureKafka, type KafkaDistribution } from './distribution.js';
import { type ClusterInfo, probeKafka } from './probe.js';

export const DEFAULT_KAFKA_PORT = 9092;
export const DEFAULT_KAFKA_HEAP = '512m';
const STATE_FILE = 'fortiems-kafka.json';
const BROKER_MAIN = 'kafka.Kafka';

export interface BrokerState {
  pid: number;
  /** host:port of the PLAINTEXT listener: what clients bootstrap from. */
  bootstrap: string;
  version: string;
  port: number;
  controllerPort: number;
  clusterId: string;
  instanceDir: string;
  runAs: string;
  startedAt: string;
}

export interface BrokerStartOptions {
  instanceDir?: string;
  /** 0 picks a free port. */
  port?: number;
  heap?: string;
  request?: VersionRequest;
  distribution?: KafkaDistribution;
  startupTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface BrokerStartResult {
  state: BrokerState;
  /** False when a broker was already running in this instance folder and was reused. */
  started: boolean;
}

export type BrokerStatus =
  | { status: 'up'; state: BrokerState; cluster: ClusterInfo }
  | { status: 'unresponsive'; state: BrokerState }
  | { status: 'down' };

export function defaultKafkaInstanceDir(name = 'default', env: NodeJS.ProcessEnv = process.env): string {
  return join(stateRoot(env), 'kafka', name);
}

/** True while this pid is a live Kafka broker (not a recycled pid). */
export function isKafkaAlive(pid: number): boolean {
  return isProcessAlive(pid, [BROKER_MAIN]);
}

function readState(instanceDir: string): Promise<BrokerState | undefined> {
  return readStateFile<BrokerState>(instanceDir, STATE_FILE);
}

export async function statusOfManagedBroker(instanceDir = defaultKafkaInstanceDir()): Promise<BrokerStatus> {
  const state = await readState(instanceDir);
  if (!state || !isKafkaAlive(state.pid)) return { status: 'down' };
  const cluster = await probeKafka([state.bootstrap]);
  return cluster ? { status: 'up', state, cluster } : { status: 'unresponsive', state };
}

function logTail(instanceDir: string): string {
  const parts: string[] = [];
  for (const file of ['console.log', 'server.log']) {
    const path = join(instanceDir, 'logs', file);
    if (existsSync(path)) parts.push(`--- ${path} (last lines) ---\n${tailLines(readFileSync(path, 'utf8'), 30)}`);
  }
  return parts.join('\n');
}

/**
 * `kafka-storage format --standalone`: writes meta.properties and a voter set of this one controller into the log
 * folder. Done once per data folder; a restart keeps the topics and offsets.
 */
function formatStorage(
  java: JavaRuntime,
  distribution: KafkaDistribution,
  instanceDir: string,
  identity: ServiceIdentity | undefined,
): string {
  const clusterId = newClusterId();
  const run = spawnSync(
    join(java.home, 'bin', 'java'),
    [
      // log4j2's default (errors to the console, which we capture): the broker's server.log stays the broker's.
      '-cp',
      `${distribution.libs}/*`,
      'kafka.tools.StorageTool',
      'format',
      '--standalone',
      '--cluster-id',
      clusterId,
      '--config',
      join(instanceDir, 'config', 'server.properties'),
    ],
    { encoding: 'utf8', cwd: instanceDir, ...(identity ? { uid: identity.uid, gid: identity.gid } : {}) },
  );
  if (run.status !== 0) {
    throw new ActionableError(
      `formatting the Kafka data folder in ${instanceDir} failed (exit code ${run.status})`,
      'read the lines below; a data folder from another cluster or version must be removed first',
      tailLines(`${run.stdout}${run.stderr}`, 30),
    );
  }
  return clusterId;
}

function formattedClusterId(dataDir: string): string | undefined {
  const meta = join(dataDir, 'meta.properties');
  if (!existsSync(meta)) return undefined;
  return /^cluster\.id=(.+)$/m.exec(readFileSync(meta, 'utf8'))?.[1]?.trim();
}

/** Starts a single KRaft broker (broker and controller in one process) on loopback and waits until it serves. */
export async function startManagedBroker(options: BrokerStartOptions = {}): Promise<BrokerStartResult> {
  const instanceDir = options.instanceDir ?? defaultKafkaInstanceDir();
  const log = options.log ?? (() => undefined);
  const running = await statusOfManagedBroker(instanceDir);
  if (running.status === 'up') return { state: running.state, started: false };
  if (running.status === 'unresponsive') {
    throw new ActionableError(
      `a Kafka broker (pid ${running.state.pid}) already runs in ${instanceDir} but does not answer at ${running.state.bootstrap}`,
      `wait for it, or stop it with \`fortiems kafka stop --dir ${instanceDir}\``,
    );
  }

  const java = detectJava();
  const distribution = options.distribution ?? (await ensureKafka({ ...(options.request ? { request: options.request } : {}), log }));

  const host = '127.0.0.1';
  const requestedPort = options.port ?? DEFAULT_KAFKA_PORT;
  const port = requestedPort === 0 ? await findFreePort(host) : requestedPort;
  if (requestedPort !== 0 && !(await isPortFree(port, host))) {
    throw new ActionableError(
      `port ${port} on ${host} is already in use`,
      'stop whatever listens there, or choose another port: --port <N> (or --port 0 for any free port)',
    );
  }
  const configDir = join(instanceDir, 'config');
  const dataDir = join(instanceDir, 'data');
  const logsDir = join(instanceDir, 'logs');
  const serverProperties = join(configDir, 'server.properties');
  const formatted = formattedClusterId(dataDir);
  // KRaft records the controller's endpoint in its voter set at format time: a formatted folder keeps its port.
  const previousControllerPort =
    formatted && existsSync(serverProperties) ? controllerPortOf(readFileSync(serverProperties, 'utf8')) : undefined;
  const controllerPort =
    previousControllerPort && (await isPortFree(previousControllerPort, host)) ? previousControllerPort : await findFreePort(host);
  if (formatted && previousControllerPort !== controllerPort) {
    throw new ActionableError(
      `the controller port ${previousControllerPort ?? '(unknown)'} that ${dataDir} was formatted with is taken or unknown`,
      `free that port, or remove ${dataDir} to start an empty broker`,
    );
  }
  await mkdir(configDir, { recursive: true });
  await mkdir(dataDir, { recursive: true });
  await mkdir(logsDir, { recursive: true });
  await writeFile(serverProperties, renderServerProperties({ host, port, controllerPort, dataDir }));
  await writeFile(join(configDir, 'log4j2.properties'), renderLog4j2Properties(logsDir));
  await rm(join(logsDir, 'console.log'), { force: true });
  const identity = ensureServiceIdentity(KAFKA_SERVICE_USER);
  chownTree(instanceDir, identity);
  const clusterId = formatted ?? formatStorage(java, distribution, instanceDir, identity);

  const child = spawnDetached({
    name: 'Kafka',
    command: join(java.home, 'bin', 'java'),
    args: [
      ...jvmArguments({ heap: options.heap ?? DEFAULT_KAFKA_HEAP, configDir, logsDir }),
      '-cp',
      `${distribution.libs}/*`,
      BROKER_MAIN,
      serverProperties,
    ],
    cwd: instanceDir,
    consoleLog: join(logsDir, 'console.log'),
    env: { ...process.env, JAVA_HOME: java.home, HOME: instanceDir },
    identity,
  });
  const pid = child.pid;
  const bootstrap = `${host}:${port}`;
  log(`starting Kafka ${distribution.version} (pid ${pid}${identity ? `, as user ${identity.name}` : ''}) on ${bootstrap} ...`);
  const serving = await waitUntil(
    async () => child.exitCode() !== null || (await probeKafka([bootstrap], 1000)) !== undefined,
    options.startupTimeoutMs ?? 120_000,
    300,
  );
  const exitCode = child.exitCode();
  if (exitCode !== null || !serving) {
    if (exitCode === null) await stopProcess(pid, 10_000, isKafkaAlive);
    throw new ActionableError(
      exitCode !== null ? `Kafka exited during start-up (exit code ${exitCode})` : 'Kafka did not answer a Metadata request in time',
      'read the log lines below; common causes: too little memory for the heap (--heap), a port taken, a data folder from another version (remove it)',
      logTail(instanceDir),
    );
  }
  const state: BrokerState = {
    pid,
    bootstrap,
    version: distribution.version,
    port,
    controllerPort,
    clusterId,
    instanceDir,
    runAs: identity?.name ?? 'current user',
    startedAt: new Date().toISOString(),
  };
  await writeStateFile(instanceDir, STATE_FILE, state);
  return { state, started: true };
}

/** Graceful stop (SIGTERM: the broker flushes and closes its logs), forced after the grace period. False when nothing ran. */
export async function stopManagedBroker(instanceDir = defaultKafkaInstanceDir(), graceMs = 30_000): Promise<boolean> {
  const state = await readState(instanceDir);
  if (!state) return false;
  const wasRunning = isKafkaAlive(state.pid);
  if (wasRunning) await stopProcess(state.pid, graceMs, isKafkaAlive);
  if (isKafkaAlive(state.pid)) {
    throw new ActionableError(`Kafka (pid ${state.pid}) survived SIGKILL`, `inspect it with ps -p ${state.pid}`);
  }
  await removeStateFile(instanceDir, STATE_FILE);
  return wasRunning;
}
