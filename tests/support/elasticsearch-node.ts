import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectJava, type JavaRuntime } from '../../app/managed/java.js';
import { tailLines } from '../../app/managed/maven.js';
import { findFreePort } from '../../app/managed/ports.js';
import { signalTree, waitUntil } from '../../app/managed/process.js';
import { chownTree, ensureServiceIdentity } from '../../app/managed/service-user.js';
import type { CachedDistribution } from '../../app/opensearch/maven-distribution.js';
import { rewriteJvmOptions } from '../../app/opensearch/node-config.js';
import { ActionableError, describeError } from '../../platform/errors.js';
import { ensureElasticsearchDistribution } from './elasticsearch-distribution.js';

export interface ElasticsearchNode {
  url: string;
  version: string;
  /** Milliseconds from spawning the node to a yellow or green cluster health. */
  startupMs: number;
  /** SIGTERM, SIGKILL after the grace period; throws if any of the node's processes survives. Removes the instance folder. */
  stop(): Promise<void>;
}

export interface ElasticsearchNodeOptions {
  /** Default: ELASTICSEARCH_VERSION. */
  version?: string;
  heap?: string;
  startupTimeoutMs?: number;
  log?: (line: string) => void;
}

const HOST = '127.0.0.1';
const CLUSTER = 'fortiems-it';

function renderElasticsearchYml(home: string, instanceDir: string, httpPort: number, transportPort: number): string {
  const lines = [
    '# Written by the fortiems tests for a throwaway single node.',
    `cluster.name: ${CLUSTER}`,
    'node.name: fortiems-it',
    `network.host: ${HOST}`,
    `http.port: ${httpPort}`,
    `transport.port: ${transportPort}`,
    // Single node on loopback: no discovery, and the production bootstrap checks (vm.max_map_count, ...) stay warnings.
    'discovery.type: single-node',
    `path.data: ${JSON.stringify(join(instanceDir, 'data'))}`,
    `path.logs: ${JSON.stringify(join(instanceDir, 'logs'))}`,
    // A CI disk may be fuller than the 90% high / 95% flood-stage watermarks; a test must not go read-only for that.
    'cluster.routing.allocation.disk.threshold_enabled: false',
  ];
  // Elasticsearch refuses settings no module declares, so each x-pack switch is written only when its module is there.
  const hasModule = (name: string) => existsSync(join(home, 'modules', name));
  // Plain HTTP without credentials, like a test cluster; also keeps 8.x from generating certificates on first start.
  if (hasModule('x-pack-security')) lines.push('xpack.security.enabled: false');
  // Machine learning wants native processes and memory a 512m test node has no use for.
  if (hasModule('x-pack-ml')) lines.push('xpack.ml.enabled: false');
  if (hasModule('ingest-geoip')) lines.push('ingest.geoip.downloader.enabled: false');
  return `${lines.join('\n')}\n`;
}

async function prepareInstance(distribution: CachedDistribution, instanceDir: string, heap: string): Promise<{ httpPort: number }> {
  const configDir = join(instanceDir, 'config');
  for (const folder of ['data', 'logs', 'tmp']) await mkdir(join(instanceDir, folder), { recursive: true });
  // The instance's own config folder keeps the cached distribution read-only and shared.
  await cp(join(distribution.home, 'config'), configDir, { recursive: true });
  const httpPort = await findFreePort(HOST);
  const transportPort = await findFreePort(HOST);
  await writeFile(join(configDir, 'elasticsearch.yml'), renderElasticsearchYml(distribution.home, instanceDir, httpPort, transportPort));
  // jvm.options writes gc.log and heap dumps relative to the working folder; point them into the instance.
  const jvmOptions = await readFile(join(configDir, 'jvm.options'), 'utf8');
  await writeFile(
    join(configDir, 'jvm.options'),
    rewriteJvmOptions(jvmOptions, { heap, logsDir: join(instanceDir, 'logs'), dataDir: join(instanceDir, 'data') }),
  );
  // 8.x's jvm.options has no heap lines (it sizes the heap from the machine's memory); jvm.options.d is where it goes.
  await mkdir(join(configDir, 'jvm.options.d'), { recursive: true });
  await writeFile(join(configDir, 'jvm.options.d', 'fortiems-heap.options'), `-Xms${heap}\n-Xmx${heap}\n`);
  return { httpPort };
}

/** Pids of live processes that belong to this instance: the bash wrapper, the CLI launcher and the server JVM. */
export function elasticsearchProcessesUsing(instanceDir: string): number[] {
  const marker = join(instanceDir, 'config');
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      try {
        // The launcher and the server carry -Des.path.conf=<instance>/config; the wrapper only its environment.
        return (
          readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker) || readFileSync(`/proc/${pid}/environ`, 'utf8').includes(marker)
        );
      } catch {
        return false; // gone meanwhile, or not ours to read
      }
    });
}

async function clusterHealthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/_cluster/health?wait_for_status=yellow&timeout=2s`, { signal: AbortSignal.timeout(4000) });
    if (!response.ok) return false;
    const { status } = (await response.json()) as { status?: string };
    return status === 'green' || status === 'yellow';
  } catch {
    return false;
  }
}

function logTail(instanceDir: string): string {
  const parts: string[] = [];
  for (const file of ['console.log', `${CLUSTER}.log`]) {
    const path = join(instanceDir, 'logs', file);
    if (existsSync(path)) parts.push(`--- ${file} (last lines) ---\n${tailLines(readFileSync(path, 'utf8'), 30)}`);
  }
  return parts.join('\n') || '(Elasticsearch wrote no log)';
}

/** The whole process group, then any straggler by pid; true once nothing of the instance runs. */
async function terminate(child: ChildProcess, instanceDir: string, graceMs: number): Promise<boolean> {
  const gone = () => elasticsearchProcessesUsing(instanceDir).length === 0;
  if (child.pid !== undefined) signalTree(child.pid, 'SIGTERM');
  if (await waitUntil(gone, graceMs)) return true;
  if (child.pid !== undefined) signalTree(child.pid, 'SIGKILL');
  for (const pid of elasticsearchProcessesUsing(instanceDir)) signalTree(pid, 'SIGKILL');
  return waitUntil(gone, 10_000);
}

/**
 * A throwaway single-node Elasticsearch on a free loopback port, in its own temporary instance folder, running as the
 * unprivileged service user when we are root (Elasticsearch refuses root, like OpenSearch). Resolves at yellow health.
 */
export async function startElasticsearchNode(options: ElasticsearchNodeOptions = {}): Promise<ElasticsearchNode> {
  const log = options.log ?? (() => undefined);
  let java: JavaRuntime;
  let distribution: CachedDistribution;
  try {
    java = detectJava();
    distribution = await ensureElasticsearchDistribution(options.version, log);
  } catch (error) {
    throw readable(error);
  }
  const instanceDir = mkdtempSync(join(tmpdir(), 'fortiems-it-elasticsearch-'));
  let child: ChildProcess | undefined;
  // A test run that dies without afterAll must not leave a JVM behind: kill the group on the way out.
  const onExit = () => {
    if (child?.pid !== undefined) signalTree(child.pid, 'SIGKILL');
    rmSync(instanceDir, { recursive: true, force: true, maxRetries: 3 });
  };
  try {
    const { httpPort } = await prepareInstance(distribution, instanceDir, options.heap ?? '512m');
    const identity = ensureServiceIdentity();
    chownTree(instanceDir, identity);

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ES_PATH_CONF: join(instanceDir, 'config'),
      // The integ-test-zip bundles no JDK: without ES_JAVA_HOME the launcher looks for <home>/jdk and fails.
      ES_JAVA_HOME: java.home,
      ES_TMPDIR: join(instanceDir, 'tmp'),
      HOME: instanceDir,
    };
    // The launcher warns about both and ignores them; heap options from the environment would override ours.
    delete env.JAVA_HOME;
    delete env.JAVA_TOOL_OPTIONS;
    delete env.ES_JAVA_OPTS;
    const consoleLog = openSync(join(instanceDir, 'logs', 'console.log'), 'a');
    const spawnedAt = Date.now();
    child = spawn(join(distribution.home, 'bin', 'elasticsearch'), [], {
      cwd: instanceDir,
      // Its own process group, so one signal reaches the launcher and the server JVM it forks.
      detached: true,
      stdio: ['ignore', consoleLog, consoleLog],
      env,
      ...(identity ? { uid: identity.uid, gid: identity.gid } : {}),
    });
    closeSync(consoleLog);
    process.once('exit', onExit);
    let exitCode: number | null = null;
    child.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? 128 : 1);
    });
    const url = `http://${HOST}:${httpPort}`;
    log(`starting Elasticsearch ${distribution.version}${identity ? ` as ${identity.name}` : ''} on ${url} ...`);
    const healthy = await waitUntil(async () => exitCode !== null || (await clusterHealthy(url)), options.startupTimeoutMs ?? 180_000, 500);
    if (exitCode !== null || !healthy) {
      const what = exitCode !== null ? `exited during start-up (exit code ${exitCode})` : 'did not become healthy in time';
      throw new StartupError(`Elasticsearch ${what}; its instance folder is kept: ${instanceDir}\n${logTail(instanceDir)}`);
    }
    const startupMs = Date.now() - spawnedAt;
    log(`Elasticsearch ${distribution.version} is up on ${url} after ${(startupMs / 1000).toFixed(1)} s`);
    const running = child;
    return {
      url,
      version: distribution.version,
      startupMs,
      async stop() {
        const stopping = Date.now();
        const stopped = await terminate(running, instanceDir, 30_000);
        log(`Elasticsearch stopped after ${((Date.now() - stopping) / 1000).toFixed(1)} s`);
        process.removeListener('exit', onExit);
        const left = elasticsearchProcessesUsing(instanceDir);
        rmSync(instanceDir, { recursive: true, force: true });
        if (!stopped || left.length > 0) throw new Error(`Elasticsearch processes survived SIGKILL: ${left.join(', ')}`);
      },
    };
  } catch (error) {
    if (child) await terminate(child, instanceDir, 10_000);
    process.removeListener('exit', onExit);
    // Elasticsearch's own logs (hs_err files, the full server log) stay for a post-mortem; anything else is ours.
    if (!(error instanceof StartupError)) rmSync(instanceDir, { recursive: true, force: true });
    throw readable(error);
  }
}

/** Elasticsearch itself failed to come up (as opposed to our preparation): its log tail is in the message. */
class StartupError extends Error {
  override name = 'ElasticsearchStartupError';
}

/** vitest prints a hook's error message only: an ActionableError's fix and details (mvn's output) go into it. */
function readable(error: unknown): unknown {
  return error instanceof ActionableError ? new Error(describeError(error), { cause: error }) : error;
}
