import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { CATEGORY_NAMES, LEVELS } from '../../../mappings/index.js';
import { type EmsApiClient, type EmsApiReply, EmsApiUnavailableError } from '../../../platform/ems-client/ems-api-client.js';

export interface EmsRoutesOptions {
  /** Undefined when no EMS core admin API is configured: every route then answers 503. */
  ems: EmsApiClient | undefined;
}

const NOT_CONFIGURED = {
  error: 'ems api not configured',
  message:
    'this console has no EMS core admin API configured (its URL and token), so log settings and volume cannot be shown or changed here',
} as const;

// The console changes what the log-settings page offers: each category's enabled flag and minimum level, and the
// retention. Destinations stay with the EMS core's own tools.
const patchSchema = {
  body: {
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    properties: {
      categories: {
        type: 'object',
        propertyNames: { enum: CATEGORY_NAMES },
        additionalProperties: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: { enabled: { type: 'boolean' }, level: { type: 'string', enum: LEVELS } },
        },
      },
      retentionDays: { type: 'integer', minimum: 1, maximum: 3650 },
    },
  },
} as const;

// The EMS core's own rule for the audit name; the one console account is normally such a name.
const ADMIN_NAME = /^[A-Za-z0-9._@-]{1,64}$/;
const adminName = (request: FastifyRequest) => {
  const user = request.consoleSession?.user ?? '';
  return ADMIN_NAME.test(user) ? user : 'console';
};

/** The EMS answer passed on when it is the user's business (2xx, 400 with its problems); anything else is a 502. */
function relay(reply: FastifyReply, { status, text, json }: EmsApiReply): FastifyReply {
  // An answer that is not JSON (a proxy's error page) is passed on as its text: a 2xx or 400 from the EMS core is JSON.
  const body = json !== undefined ? json : text === '' ? null : text;
  if ((status >= 200 && status < 300) || status === 400) return reply.code(status).send(body);
  if (status === 401 || status === 403)
    return reply.code(502).send({ error: 'ems refused the console', message: 'the EMS core admin API refused the console’s token' });
  return reply.code(502).send({ error: 'ems error', message: `the EMS core admin API answered ${status}` });
}

/** GET/PATCH /api/ems/log-settings and GET /api/ems/volume, proxied to the EMS core admin API with its token. */
export const emsRoutes: FastifyPluginAsync<EmsRoutesOptions> = async (app, { ems }) => {
  async function forward(reply: FastifyReply, send: (ems: EmsApiClient) => Promise<EmsApiReply>): Promise<FastifyReply> {
    if (!ems) return reply.code(503).send(NOT_CONFIGURED);
    try {
      return relay(reply, await send(ems));
    } catch (error) {
      if (!(error instanceof EmsApiUnavailableError)) throw error;
      reply.log.warn({ err: error }, 'EMS core admin API unavailable');
      return reply.code(502).send({ error: 'ems unavailable', message: error.message });
    }
  }

  app.get('/api/ems/log-settings', async (_request, reply) => forward(reply, (client) => client.request('GET', '/log-settings')));
  app.patch('/api/ems/log-settings', { schema: patchSchema }, async (request, reply) =>
    forward(reply, (client) => client.request('PATCH', '/log-settings', { body: request.body, admin: adminName(request) })),
  );
  app.get('/api/ems/volume', async (_request, reply) => forward(reply, (client) => client.request('GET', '/volume')));
};
