import { request } from 'node:http';
import { ActionableError } from '../../platform/errors.js';
import { type OpenSearchTarget, targetFromEnv } from '../../platform/opensearch/target.js';
import { type StartOptions, startManagedNode, stopManagedNode } from './managed-node.js';

export interface ProvidedOpenSearch extends OpenSearchTarget {
  /** Stops what was started for this caller; leaves alone what was already there. */
  release(): Promise<void>;
}

/** True when a Docker engine answers /_ping on DOCKER_HOST (unix or tcp) or the default socket. */
export function dockerEngineReachable(env: NodeJS.ProcessEnv = process.env, timeoutMs = 1000): Promise<boolean> {
  const host = env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  const options = host.startsWith('unix://')
    ? { socketPath: host.slice('unix://'.length) }
    : host.startsWith('tcp://')
      ? { host: new URL(host).hostname, port: Number(new URL(host).port || 2375) }
      : undefined;
  if (!options) return Promise.resolve(false);
  return new Promise((resolve) => {
    const req = request({ ...options, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

type TestcontainersModule = typeof import('@testcontainers/opensearch');

/**
 * `@testcontainers/opensearch` is a devDependency (it brings ssh2, tar-fs and a hundred more packages): loaded only when
 * a caller asks for testcontainers (the tests) and a Docker engine answers, never on a production path. Where it is
 * not installed (`npm install --omit=dev`) the caller gets what to do instead of a module resolution trace.
 */
export async function loadTestcontainers(
  load: () => Promise<TestcontainersModule> = () => import('@testcontainers/opensearch'),
): Promise<TestcontainersModule> {
  try {
    return await load();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new ActionableError(
      'testcontainers was asked for, but @testcontainers/opensearch is not installed (it is a development dependency)',
      'install the development dependencies (npm install, without --omit=dev), or set OPENSEARCH_URL to an existing cluster',
      (error as Error).message,
    );
  }
}

async function fromTestcontainers(): Promise<ProvidedOpenSearch> {
  const { OpenSearchContainer } = await loadTestcontainers();
  const container = await new OpenSearchContainer('opensearchproject/opensearch:2.19.4').withSecurityEnabled(false).start();
  return {
    url: container.getHttpUrl(),
    source: 'testcontainers',
    release: async () => {
      await container.stop();
    },
  };
}

export interface ProvideOptions extends StartOptions {
  env?: NodeJS.ProcessEnv;
  /** Use a Docker engine through testcontainers when one answers and no URL is set. */
  allowTestcontainers?: boolean;
}

/** OPENSEARCH_URL first; then testcontainers when a Docker engine answers; otherwise the managed local node. */
export async function provideOpenSearch(options: ProvideOptions = {}): Promise<ProvidedOpenSearch> {
  const fromEnv = targetFromEnv(options.env);
  if (fromEnv) return { ...fromEnv, release: async () => undefined };
  if (options.allowTestcontainers && (await dockerEngineReachable(options.env))) return fromTestcontainers();
  const { state, started } = await startManagedNode(options);
  return {
    url: state.url,
    source: 'managed',
    release: async () => {
      if (started) await stopManagedNode(state.instanceDir);
    },
  };
}
