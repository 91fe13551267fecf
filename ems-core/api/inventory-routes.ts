import type { FastifyPluginAsync } from 'fastify';
import type { EndpointStatus, InventoryEntry } from '../fleet/endpoint.js';
import type { Simulation } from '../simulation/simulation.js';

export interface InventoryRoutesOptions {
  sim: Simulation;
}

// Deregistered endpoints are not in the inventory, so they are not a status one can ask for.
const LISTED_STATUSES = ['unregistered', 'offline', 'online', 'quarantined'] as const satisfies readonly EndpointStatus[];

export const DEFAULT_INVENTORY_LIMIT = 1000;
export const MAX_INVENTORY_LIMIT = 10_000;

const listSchema = {
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      uid: { type: 'string', maxLength: 64 },
      hostname: { type: 'string', maxLength: 255 },
      status: { type: 'string', enum: LISTED_STATUSES },
      limit: { type: 'integer', minimum: 1, maximum: MAX_INVENTORY_LIMIT, default: DEFAULT_INVENTORY_LIMIT },
    },
  },
} as const;

const oneSchema = {
  params: { type: 'object', required: ['uid'], properties: { uid: { type: 'string', maxLength: 64 } } },
} as const;

interface ListRequest {
  Querystring: { uid?: string; hostname?: string; status?: EndpointStatus; limit: number };
}

const sameText = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Read-only inventory: what the pipeline's enrichment and a SOC analyst look endpoints up in. */
export const inventoryRoutes: FastifyPluginAsync<InventoryRoutesOptions> = async (app, { sim }) => {
  app.get<ListRequest>('/inventory/endpoints', { schema: listSchema }, async (request) => {
    const { uid, hostname, status, limit } = request.query;
    const matching = sim.ems
      .inventory()
      .filter(
        (entry: InventoryEntry) =>
          (uid === undefined || sameText(entry.uid, uid)) &&
          (hostname === undefined || sameText(entry.hostname, hostname)) &&
          (status === undefined || entry.status === status),
      );
    return { endpoints: matching.slice(0, limit), total: matching.length };
  });

  app.get<{ Params: { uid: string } }>('/inventory/endpoints/:uid', { schema: oneSchema }, async (request, reply) => {
    const entry = sim.ems.inventory().find((candidate) => sameText(candidate.uid, request.params.uid));
    if (!entry) return reply.code(404).send({ error: 'not found', message: 'no endpoint in the inventory has that uid' });
    return entry;
  });
};
