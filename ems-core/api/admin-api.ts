import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { jsonErrorHandler } from '../../platform/http/error-replies.js';
import type { SettingsFile } from '../log-settings/store.js';
import type { Simulation } from '../simulation/simulation.js';
import { requireBearerToken } from './bearer-auth.js';
import { inventoryRoutes } from './inventory-routes.js';
import { logSettingsRoutes } from './log-settings-routes.js';
import { serviceRoutes } from './service-routes.js';
import { volumeRoutes } from './volume-routes.js';

export interface EmsAdminApiOptions {
  sim: Simulation;
  /** Every route but GET /health needs `Authorization: Bearer <adminToken>`. */
  adminToken: string;
  /** When given, each accepted settings change is saved here before it takes effect. */
  settingsFile?: SettingsFile | undefined;
}

export const EMS_ADMIN_API_PREFIX = '/api/v1';

/**
 * The EMS core's admin API as an encapsulated fastify plugin. GET /health is the one route without auth
 * (for probes; it says nothing but "ok"); everything else, unknown paths under the prefix included, answers 401
 * until the bearer token matches.
 */
export const emsAdminApi: FastifyPluginAsync<EmsAdminApiOptions> = async (app, options) => {
  const { sim, settingsFile } = options;
  const checkBearerToken = requireBearerToken(options.adminToken);
  app.setErrorHandler(jsonErrorHandler('the EMS core failed to handle the request; see its log'));

  app.get('/health', async () => ({ status: 'ok' }));

  await app.register(async (secured) => {
    secured.addHook('onRequest', checkBearerToken);
    secured.setNotFoundHandler(async (_request, reply) => reply.code(404).send({ error: 'not found', message: 'no such route' }));
    await secured.register(logSettingsRoutes, { sim, settingsFile });
    await secured.register(serviceRoutes, { sim });
    await secured.register(inventoryRoutes, { sim });
    await secured.register(volumeRoutes, { sim });
  });
};

/** A fastify app serving the admin API under /api/v1; call `.listen()` or, in tests, `.inject()`. */
export function buildEmsAdminServer(options: EmsAdminApiOptions & { logger?: boolean }): FastifyInstance {
  const { logger = false, ...apiOptions } = options;
  // Settings documents are small; a large body is a mistake or an attack.
  const app = Fastify({ logger, bodyLimit: 256 * 1024 });
  app.register(emsAdminApi, { ...apiOptions, prefix: EMS_ADMIN_API_PREFIX });
  return app;
}
