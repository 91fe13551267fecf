import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ActionableError } from '../../platform/errors.js';
import { detectJava } from '../managed/java.js';
import { tailLines } from '../managed/maven.js';
import { findFreePort, isPortFree } from '../managed/ports.js';
import { readStateFile, removeStateFile, spawnDetached, stopProcess, waitUntil, writeStateFile } from '../managed/process.js';
import { chownTree, ensureServiceIdentity, type ServiceIdentity } from '../managed/service-user.js';
import type { VersionRequest } from '../managed/versions.js';
import { type Distribution, ensureDistribution } from './distribution.js';
import { renderOpenSearchYml, rewriteJvmOptions } from './node-config.js';
import { defaultInstanceDir } from './paths.js';
import { isOpenSearchAlive } from './process.js';
import { defaultVersionRequest } from './versions.js';

export const DEFAULT_HTTP_PORT = 9200;
export const DEFAULT_HEAP = '1g';
export const STATE_FILE = 'fortiems-node.json';

export interface NodeState {
  pid: number;
  url: string;
  version: string;
  httpPort: number;
  transportPort: number;
  instanceDir: string;
  runAs: string;
  startedAt: string;
}

export interface StartOptions {
  instanceDir?: string;
  /** 0 picks a free port. */
  port?: number;
  heap?: string;
  request?: VersionRequest;
  distribution?: Distribution;
  startupTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface StartResult {
  state: NodeState;
  /** False when a node was already running in this instance folder and was reused. */
  started: boolean;
}

export type NodeStatus =
  | { status: 'up'; state: NodeState; version: string }
  | { status: 'unresponsive'; state: NodeState }
  | { status: 'down' };

export function readState(instanceDir: string): Promise<NodeState | undefined> {
  return readStateFile<NodeState>(instanceDir, STATE_FILE);
}

/** GET {url}/ → the version number, or undefined when the node does not answer. */
export async function probeVersion(url: string, timeoutMs = 2000): Promise<string | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return undefined;
    const body = (await response.json()) as { version?: { number?: string } };
    return body.version?.number;
  } catch {
    return undefined;
  }
}

/** Cluster health yellow or green, and (for a cluster) every member joined. */
export async function isHealthy(url: string, nodes = 1): Promise<boolean> {
  try {
    const wait = nodes > 1 ? `&wait_for_nodes=${nodes}` : '';
    const response = await fetch(`${url}/_cluster/health?wait_for_status=yellow${wait}&timeout=2s`, { signal: AbortSignal.timeout(4000) });
    if (!response.ok) return false;
    const body = (await response.json()) as { status?: string; number_of_nodes?: number };
    return (body.status === 'green' || body.status === 'yellow') && (body.number_of_nodes ?? 1) >= nodes;
  } catch {
    return false;
  }
}

export async function statusOfManagedNode(instanceDir = defaultInstanceDir()): Promise<NodeStatus> {
  const state = await readState(instanceDir);
  if (!state || !isOpenSearchAlive(state.pid)) return { status: 'down' };
  const version = await probeVersion(state.url);
  return version ? { status: 'up', state, version } : { status: 'unresponsive', state };
}

export function startupLogTail(instanceDir: string, clusterName: string): string {
  const parts: string[] = [];
  for (const file of ['console.log', `${clusterName}.log`]) {
    const path = join(instanceDir, 'logs', file);
    if (existsSync(path)) parts.push(`--- ${path} (last lines) ---\n${tailLines(readFileSync(path, 'utf8'), 30)}`);
  }
  return parts.join('\n');
}

export async function prepareInstance(instanceDir: string, distribution: Distribution, yml: string, heap: string): Promise<void> {
  const configDir = join(instanceDir, 'config');
  await mkdir(join(instanceDir, 'data'), { recursive: true });
  await mkdir(join(instanceDir, 'logs'), { recursive: true });
  // Each instance gets its own config folder, so the cached distribution stays read-only and shareable.
  await cp(join(distribution.home, 'config'), configDir, { recursive: true, force: true });
  await writeFile(join(configDir, 'opensearch.yml'), yml);
  const jvmOptions = await readFile(join(distribution.home, 'config', 'jvm.options'), 'utf8');
  await writeFile(
    join(configDir, 'jvm.options'),
    rewriteJvmOptions(jvmOptions, { heap, logsDir: join(instanceDir, 'logs'), dataDir: join(instanceDir, 'data') }),
  );
}

/** How `bin/opensearch` starts for an instance folder (through `spawnDetached`): its config, Java, output in logs/. */
export function openSearchCommand(
  instanceDir: string,
  home: string,
  javaHome: string,
  identity: ServiceIdentity | undefined,
): Parameters<typeof spawnDetached>[0] {
  return {
    name: 'OpenSearch',
    command: join(home, 'bin', 'opensearch'),
    args: [],
    cwd: instanceDir,
    consoleLog: join(instanceDir, 'logs', 'console.log'),
    env: {
      ...process.env,
      OPENSEARCH_PATH_CONF: join(instanceDir, 'config'),
      OPENSEARCH_JAVA_HOME: javaHome,
      JAVA_HOME: javaHome,
      HOME: instanceDir,
    },
    identity,
  };
}

/** Starts a single-node OpenSearch bound to loopback and waits until its cluster health is yellow or green. */
export async function startManagedNode(options: StartOptions = {}): Promise<StartResult> {
  const instanceDir = options.instanceDir ?? defaultInstanceDir();
  const log = options.log ?? (() => undefined);
  const running = await statusOfManagedNode(instanceDir);
  if (running.status === 'up') return { state: running.state, started: false };
  if (running.status === 'unresponsive') {
    throw new ActionableError(
      `an OpenSearch process (pid ${running.state.pid}) already runs in ${instanceDir} but does not answer at ${running.state.url}`,
      `wait for it, or stop it with \`fortiems opensearch stop --dir ${instanceDir}\``,
    );
  }

  const java = detectJava();
  const distribution =
    options.distribution ?? (await ensureDistribution({ request: options.request ?? defaultVersionRequest(java.major), log }));

  const host = '127.0.0.1';
  const requestedPort = options.port ?? DEFAULT_HTTP_PORT;
  const httpPort = requestedPort === 0 ? await findFreePort(host) : requestedPort;
  if (requestedPort !== 0 && !(await isPortFree(httpPort, host))) {
    throw new ActionableError(
      `port ${httpPort} on ${host} is already in use`,
      `stop whatever listens there, or choose another port: --port <N> (or --port 0 for any free port)`,
    );
  }
  const transportPort = await findFreePort(host);
  const clusterName = 'fortiems';
  const heap = options.heap ?? DEFAULT_HEAP;
  const yml = renderOpenSearchYml({
    httpPort,
    transportPort,
    host,
    dataDir: join(instanceDir, 'data'),
    logsDir: join(instanceDir, 'logs'),
    heap,
    clusterName,
  });
  await rm(join(instanceDir, 'logs', 'console.log'), { force: true });
  await prepareInstance(instanceDir, distribution, yml, heap);
  const identity = ensureServiceIdentity();
  chownTree(instanceDir, identity);

  const { pid, exitCode } = spawnDetached(openSearchCommand(instanceDir, distribution.home, java.home, identity));
  const url = `http://${host}:${httpPort}`;
  log(`starting OpenSearch ${distribution.version} (pid ${pid}${identity ? `, as user ${identity.name}` : ''}) on ${url} ...`);
  const healthy = await waitUntil(async () => exitCode() !== null || (await isHealthy(url)), options.startupTimeoutMs ?? 180_000, 500);
  if (exitCode() !== null || !healthy) {
    if (exitCode() === null) await stopProcess(pid, 10_000, isOpenSearchAlive);
    throw new ActionableError(
      exitCode() !== null ? `OpenSearch exited during start-up (exit code ${exitCode()})` : 'OpenSearch did not become healthy in time',
      'read the log lines below; common causes: too little memory for the heap (--heap), a port taken, a data folder from another version (remove it)',
      startupLogTail(instanceDir, clusterName),
    );
  }
  const version = (await probeVersion(url)) ?? distribution.version;
  const state: NodeState = {
    pid,
    url,
    version,
    httpPort,
    transportPort,
    instanceDir,
    runAs: identity?.name ?? 'current user',
    startedAt: new Date().toISOString(),
  };
  await writeStateFile(instanceDir, STATE_FILE, state);
  return { state, started: true };
}

/** Graceful stop (SIGTERM), forced after the grace period. Returns false when nothing was running. */
export async function stopManagedNode(instanceDir = defaultInstanceDir(), graceMs = 30_000): Promise<boolean> {
  const state = await readState(instanceDir);
  if (!state) return false;
  const wasRunning = isOpenSearchAlive(state.pid);
  if (wasRunning) await stopProcess(state.pid, graceMs, isOpenSearchAlive);
  if (isOpenSearchAlive(state.pid)) {
    throw new ActionableError(`OpenSearch (pid ${state.pid}) survived SIGKILL`, `inspect it with ps -p ${state.pid}`);
  }
  await removeStateFile(instanceDir, STATE_FILE);
  return wasRunning;
}
