import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ActionableError } from '../../platform/errors.js';
import { detectJava } from '../managed/java.js';
import { findFreePort, isPortFree } from '../managed/ports.js';
import { type DetachedProcess, spawnDetached, stopProcess, waitUntil } from '../managed/process.js';
import { chownTree, ensureServiceIdentity } from '../managed/service-user.js';
import { ensureDistribution } from './distribution.js';
import {
  isHealthy,
  type NodeState,
  type NodeStatus,
  openSearchCommand,
  prepareInstance,
  probeVersion,
  STATE_FILE,
  type StartOptions,
  startupLogTail,
  statusOfManagedNode,
  stopManagedNode,
} from './managed-node.js';
import { type NodeSettings, renderOpenSearchYml } from './node-config.js';
import { defaultInstanceDir } from './paths.js';
import { isOpenSearchAlive } from './process.js';
import { defaultVersionRequest } from './versions.js';

/** Above the single node's 9200 (and a second node's 9201), so both can run side by side on one machine. */
export const DEFAULT_CLUSTER_HTTP_PORT = 9211;
/** Three members on a laptop or a 2-core CI box: half the single node's heap each. */
export const DEFAULT_CLUSTER_HEAP = '512m';
export const CLUSTER_NAME = 'fortiems-cluster';
export const MAX_CLUSTER_NODES = 9;
const CLUSTER_FILE = 'fortiems-cluster.json';

export function defaultClusterDir(env: NodeJS.ProcessEnv = process.env): string {
  return defaultInstanceDir('cluster', env);
}

export interface ClusterState {
  clusterName: string;
  version: string;
  /** Every member's HTTP URL, in node order. */
  urls: string[];
  nodes: NodeState[];
  startedAt: string;
}

export interface ClusterStartOptions extends StartOptions {
  nodes: number;
}

export interface ClusterStartResult {
  state: ClusterState;
  /** False when the whole cluster was already running in this folder and was reused. */
  started: boolean;
}

export interface PlannedNode {
  name: string;
  instanceDir: string;
  settings: NodeSettings;
}

/**
 * Every member's settings: its own folder (`node-<i>`) and ports, one cluster name, the others' transport ports as
 * seeds, and, when the cluster has never formed, every member named for the first election.
 */
export function planCluster(options: {
  clusterDir: string;
  host: string;
  httpPorts: number[];
  transportPorts: number[];
  heap: string;
  bootstrap: boolean;
  clusterName?: string;
}): PlannedNode[] {
  const { httpPorts, transportPorts, host } = options;
  if (httpPorts.length !== transportPorts.length || httpPorts.length < 2)
    throw new Error(`a cluster needs two or more members with one HTTP and one transport port each`);
  const ports = [...httpPorts, ...transportPorts];
  if (new Set(ports).size !== ports.length) throw new Error(`every member needs its own ports, got ${ports.join(', ')}`);
  const names = httpPorts.map((_, i) => `fortiems-${i + 1}`);
  return names.map((name, i) => {
    const instanceDir = join(options.clusterDir, `node-${i + 1}`);
    return {
      name,
      instanceDir,
      settings: {
        httpPort: httpPorts[i] as number,
        transportPort: transportPorts[i] as number,
        host,
        dataDir: join(instanceDir, 'data'),
        logsDir: join(instanceDir, 'logs'),
        heap: options.heap,
        clusterName: options.clusterName ?? CLUSTER_NAME,
        cluster: {
          nodeName: name,
          seedHosts: transportPorts.filter((_, j) => j !== i).map((port) => `${host}:${port}`),
          ...(options.bootstrap ? { initialClusterManagers: names } : {}),
        },
      },
    };
  });
}

export function isClusterDir(dir: string): boolean {
  return existsSync(join(dir, CLUSTER_FILE));
}

async function readClusterState(dir: string): Promise<ClusterState | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, CLUSTER_FILE), 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
}

/** Member folders, from the cluster file or, failing that, the `node-<i>` folders found. */
function memberDirs(dir: string, state: ClusterState | undefined): string[] {
  if (state) return state.nodes.map((node) => node.instanceDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((entry) => /^node-\d+$/.test(entry))
    .map((entry) => join(dir, entry));
}

export interface ClusterStatus {
  dir: string;
  /** One entry per member, in node order. */
  nodes: { instanceDir: string; status: NodeStatus }[];
}

export async function statusOfManagedCluster(dir = defaultClusterDir()): Promise<ClusterStatus> {
  const state = await readClusterState(dir);
  const nodes = await Promise.all(
    memberDirs(dir, state).map(async (instanceDir) => ({ instanceDir, status: await statusOfManagedNode(instanceDir) })),
  );
  return { dir, nodes };
}

async function pickPorts(host: string, count: number, first: number, taken: Set<number>): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < count; i++) {
    if (first === 0) {
      let port = await findFreePort(host);
      // The kernel may hand the same free port out twice in a row: each member needs its own.
      while (taken.has(port)) port = await findFreePort(host);
      taken.add(port);
      ports.push(port);
      continue;
    }
    const port = first + i;
    if (port > 65535 || taken.has(port) || !(await isPortFree(port, host)))
      throw new ActionableError(
        `port ${port} on ${host} is not available for cluster member ${i + 1}`,
        `the cluster takes ${count} consecutive HTTP ports from --port; choose another first port (or --port 0 for any free ports)`,
      );
    taken.add(port);
    ports.push(port);
  }
  return ports;
}

/**
 * Starts a cluster of `nodes` OpenSearch processes on loopback, each managed like the single node (own folder,
 * detached, as the unprivileged user), and waits until every member has joined and health is yellow or green.
 */
export async function startManagedCluster(options: ClusterStartOptions): Promise<ClusterStartResult> {
  const count = options.nodes;
  if (!Number.isInteger(count) || count < 2 || count > MAX_CLUSTER_NODES)
    throw new ActionableError(
      `a managed cluster has 2 to ${MAX_CLUSTER_NODES} nodes, not ${count}`,
      'use --nodes 3 (or --nodes 1 for one node)',
    );
  const dir = options.instanceDir ?? defaultClusterDir();
  const log = options.log ?? (() => undefined);

  const existing = await statusOfManagedCluster(dir);
  const previous = await readClusterState(dir);
  const up = existing.nodes.filter((node) => node.status.status === 'up');
  if (previous && existing.nodes.length === count && up.length === count && (await isHealthy(previous.urls[0] as string, count)))
    return { state: previous, started: false };
  if (existing.nodes.some((node) => node.status.status !== 'down')) {
    throw new ActionableError(
      `part of a cluster already runs in ${dir} (${up.length} of ${existing.nodes.length} members answer)`,
      `stop it first: fortiems opensearch stop --dir ${dir}`,
    );
  }
  if (existing.nodes.length > 0 && existing.nodes.length !== count)
    throw new ActionableError(
      `${dir} holds a cluster of ${existing.nodes.length} members, not ${count}`,
      `start it with --nodes ${existing.nodes.length}, or remove the folder for a new cluster`,
    );

  const java = detectJava();
  const distribution =
    options.distribution ?? (await ensureDistribution({ request: options.request ?? defaultVersionRequest(java.major), log }));
  const host = '127.0.0.1';
  const taken = new Set<number>();
  const httpPorts = await pickPorts(host, count, options.port ?? DEFAULT_CLUSTER_HTTP_PORT, taken);
  const transportPorts = await pickPorts(host, count, 0, taken);
  // A member with cluster state in its data folder has formed a cluster before: naming initial managers again is refused.
  const bootstrap = !Array.from({ length: count }, (_, i) => join(dir, `node-${i + 1}`, 'data', 'nodes')).some((path) => existsSync(path));
  const heap = options.heap ?? DEFAULT_CLUSTER_HEAP;
  const plan = planCluster({ clusterDir: dir, host, httpPorts, transportPorts, heap, bootstrap });

  await mkdir(dir, { recursive: true });
  for (const node of plan) {
    await rm(join(node.instanceDir, 'logs', 'console.log'), { force: true });
    await prepareInstance(node.instanceDir, distribution, renderOpenSearchYml(node.settings), heap);
  }
  const identity = ensureServiceIdentity();
  chownTree(dir, identity);

  const launched: DetachedProcess[] = [];
  const stopLaunched = () =>
    Promise.all(launched.map((node) => (node.exitCode() === null ? stopProcess(node.pid, 10_000, isOpenSearchAlive) : undefined)));
  try {
    for (const node of plan) launched.push(spawnDetached(openSearchCommand(node.instanceDir, distribution.home, java.home, identity)));
  } catch (error) {
    await stopLaunched();
    throw error;
  }
  const urls = plan.map((node) => `http://${host}:${node.settings.httpPort}`);
  log(
    `starting an OpenSearch ${distribution.version} cluster of ${count} (pids ${launched.map((node) => node.pid).join(', ')}` +
      `${identity ? `, as user ${identity.name}` : ''}) on ${urls.join(', ')} ...`,
  );
  const exited = () => launched.findIndex((node) => node.exitCode() !== null);
  // Any member can answer for the cluster; the first to open its HTTP port does.
  const formed = async () => {
    for (const url of urls) if (await isHealthy(url, count)) return true;
    return false;
  };
  const healthy = await waitUntil(async () => exited() >= 0 || (await formed()), options.startupTimeoutMs ?? 240_000, 1000);
  const failed = exited();
  if (failed >= 0 || !healthy) {
    await stopLaunched();
    const tails = (failed >= 0 ? [plan[failed] as PlannedNode] : plan).map((node) => startupLogTail(node.instanceDir, CLUSTER_NAME));
    throw new ActionableError(
      failed >= 0
        ? `cluster member ${failed + 1} exited during start-up (exit code ${launched[failed]?.exitCode()})`
        : `the ${count} members did not form a healthy cluster in time`,
      'read the log lines below; common causes: too little memory for the heaps (--heap), a port taken, data folders from another version or cluster (remove the folder)',
      tails.join('\n'),
    );
  }

  const version = (await probeVersion(urls[0] as string)) ?? distribution.version;
  const startedAt = new Date().toISOString();
  const nodes: NodeState[] = plan.map((node, i) => ({
    pid: (launched[i] as DetachedProcess).pid,
    url: urls[i] as string,
    version,
    httpPort: node.settings.httpPort,
    transportPort: node.settings.transportPort,
    instanceDir: node.instanceDir,
    runAs: identity?.name ?? 'current user',
    startedAt,
  }));
  for (const node of nodes) await writeFile(join(node.instanceDir, STATE_FILE), `${JSON.stringify(node, null, 2)}\n`);
  const state: ClusterState = { clusterName: CLUSTER_NAME, version, urls, nodes, startedAt };
  await writeFile(join(dir, CLUSTER_FILE), `${JSON.stringify(state, null, 2)}\n`);
  return { state, started: true };
}

/** Stops every member at once (graceful, forced after the grace period). Returns how many were running. */
export async function stopManagedCluster(dir = defaultClusterDir(), graceMs = 30_000): Promise<number> {
  const state = await readClusterState(dir);
  const stopped = await Promise.all(memberDirs(dir, state).map((instanceDir) => stopManagedNode(instanceDir, graceMs)));
  await rm(join(dir, CLUSTER_FILE), { force: true });
  return stopped.filter(Boolean).length;
}
