import type { Client } from '@opensearch-project/opensearch';
import type { FastifyPluginAsync } from 'fastify';
import { type EmsApiClient, EmsApiUnavailableError } from '../../../platform/ems-client/ems-api-client.js';
import type { SystemAnswer, SystemClusterHealth, SystemEms, SystemEmsService, SystemSnapshot } from '../system-types.js';

export interface SystemRoutesOptions {
  /** The service's snapshot of its own metrics; without it the route answers 503. */
  snapshot: (() => Promise<SystemSnapshot>) | undefined;
  client: Client;
  ems: EmsApiClient | undefined;
}

const NOT_WIRED = {
  error: 'system snapshot not available',
  message: 'this console was started without the service’s metrics (systemSnapshot), so the System page has nothing to show',
} as const;

/** The page polls every few seconds: a cluster or an EMS that does not answer must not hold the answer long. */
const HEALTH_TIMEOUT_MS = 5_000;
const MAX_ERROR = 300;

const cut = (text: string) => (text.length > MAX_ERROR ? `${text.slice(0, MAX_ERROR - 1)}…` : text);

async function clusterHealth(client: Client): Promise<SystemClusterHealth> {
  try {
    const { body } = await client.cluster.health({}, { requestTimeout: HEALTH_TIMEOUT_MS, maxRetries: 0 });
    const health = body as Record<string, unknown>;
    return {
      status: String(health.status ?? 'unknown'),
      clusterName: String(health.cluster_name ?? ''),
      nodes: Number(health.number_of_nodes ?? 0),
      dataNodes: Number(health.number_of_data_nodes ?? 0),
      activeShards: Number(health.active_shards ?? 0),
      unassignedShards: Number(health.unassigned_shards ?? 0),
    };
  } catch (error) {
    return { error: cut(`cluster health failed: ${error instanceof Error ? error.message : String(error)}`) };
  }
}

async function emsServices(ems: EmsApiClient | undefined): Promise<SystemEms> {
  if (!ems) return { notConfigured: true };
  try {
    const reply = await ems.request('GET', '/services');
    const services = (reply.json as { services?: unknown } | undefined)?.services;
    if (reply.status !== 200 || !Array.isArray(services))
      return { error: `the EMS core admin API answered ${reply.status}${reply.status === 200 ? ' without a service list' : ''}` };
    // Only the fields the page shows, as their types: the answer is the EMS's, not ours.
    return {
      services: services.map(
        (service: Record<string, unknown>): SystemEmsService => ({
          name: String(service.name ?? ''),
          severity: String(service.severity ?? ''),
          up: service.up === true,
          restarts: Number(service.restarts ?? 0),
          downSince: typeof service.downSince === 'string' ? service.downSince : null,
        }),
      ),
    };
  } catch (error) {
    if (error instanceof EmsApiUnavailableError) return { error: cut(error.message) };
    throw error;
  }
}

/** GET /api/system: the process's own metrics per component, the search cluster's health, the EMS core's services. */
export const systemRoutes: FastifyPluginAsync<SystemRoutesOptions> = async (app, { snapshot, client, ems }) => {
  app.get('/api/system', async (_request, reply) => {
    if (!snapshot) return reply.code(503).send(NOT_WIRED);
    const [process, opensearch, services] = await Promise.all([snapshot(), clusterHealth(client), emsServices(ems)]);
    const answer: SystemAnswer = { ...process, opensearch, ems: services };
    return reply.send(answer);
  });
};
