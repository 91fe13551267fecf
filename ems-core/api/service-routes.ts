import type { FastifyPluginAsync } from 'fastify';
import type { ServiceState } from '../services/services.js';
import type { Simulation } from '../simulation/simulation.js';

export interface ServiceRoutesOptions {
  sim: Simulation;
}

const MAX_CRASH_LOOP_SECONDS = 7 * 24 * 3600;

const crashSchema = {
  params: { type: 'object', required: ['name'], properties: { name: { type: 'string', maxLength: 64 } } },
  body: {
    type: 'object',
    additionalProperties: false,
    properties: { crashLoopSeconds: { type: 'number', minimum: 0, maximum: MAX_CRASH_LOOP_SECONDS } },
  },
} as const;

interface CrashRequest {
  Params: { name: string };
  Body: { crashLoopSeconds?: number };
}

const isoOrNull = (instant: number | undefined) => (instant === undefined ? null : new Date(instant).toISOString());

function describeService(state: ServiceState) {
  return {
    name: state.name,
    severity: state.severity,
    up: state.up,
    restarts: state.restarts,
    downSince: isoOrNull(state.downSince),
    crashLoopUntil: isoOrNull(state.crashLoopUntil),
  };
}

/** GET /services (state as fcems_monitor sees it) and POST /services/:name/crash (fault injection). */
export const serviceRoutes: FastifyPluginAsync<ServiceRoutesOptions> = async (app, { sim }) => {
  const services = sim.ems.services;

  app.get('/services', async () => ({ services: services.all().map(describeService) }));

  app.post<CrashRequest>(
    '/services/:name/crash',
    {
      schema: crashSchema,
      // The body is optional: a bare POST crashes the service once.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      if (!services.has(name)) {
        const known = services.all().map((state) => state.name);
        return reply
          .code(404)
          .send({ error: 'unknown service', message: `no EMS service has that name (known: ${known.join(', ')})`, known });
      }
      const { crashLoopSeconds } = request.body;
      sim.monitor.crash(name, crashLoopSeconds === undefined ? {} : { crashLoopMs: crashLoopSeconds * 1000 });
      return reply.send({ service: describeService(services.get(name)) });
    },
  );
};
