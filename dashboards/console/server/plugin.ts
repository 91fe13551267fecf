import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import type { FastifyPluginAsync } from 'fastify';
import { EmsApiClient } from '../../../platform/ems-client/ems-api-client.js';
import { jsonErrorHandler } from '../../../platform/http/error-replies.js';
import { createOpenSearchClient } from '../../../platform/opensearch/client.js';
import { alertRoutes } from './alert-routes.js';
import { authRoutes } from './auth-routes.js';
import { boardRoutes } from './board-routes.js';
import { deadLetterRoutes } from './dead-letter-routes.js';
import { emsRoutes } from './ems-routes.js';
import { eventRoutes } from './event-routes.js';
import { type AlertChanger, type ConsolePluginOptions, type ResolvedConsoleOptions, resolveOptions } from './options.js';
import { searchOver } from './search-runner.js';
import { HELMET_OPTIONS, noStoreByDefault } from './security-headers.js';
import { requireSameOrigin, sessionGuard } from './session-guard.js';
import { SessionStore } from './sessions.js';
import { staticRoutes } from './static-routes.js';
import { systemRoutes } from './system-routes.js';
import { defaultWebRoot, uplotDistDir } from './web-root.js';

export const CONSOLE_PREFIX = '/console';

/** Everything under /console, in its own encapsulated context: its hooks never touch the pipeline's other routes. */
const consoleRoutes: FastifyPluginAsync<{ options: ResolvedConsoleOptions }> = async (app, { options }) => {
  const sessions = new SessionStore({ ttlMs: options.sessionTtlMs, max: options.maxSessions, now: options.now });
  // Reads are interactive: one quick retry at most and a bounded wait, so a slow cluster shows as an error, not a hang.
  const client = createOpenSearchClient(options.opensearch, { maxRetries: 1, requestTimeoutMs: 30_000 });
  const search = searchOver(client, options.indexPattern);
  app.addHook('onClose', async () => client.close());

  // JSON only: a cross-site form can post text/plain without a preflight, so the console takes no such body at all.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler(jsonErrorHandler('the console failed to handle the request; see the pipeline log'));
  // The fastify plugins register inside this context (no fastify-plugin wrapper around it), so /ingest, /metrics and
  // the probes never get their headers, cookie parsing or limits. Helmet and the cookie parser run first.
  await app.register(helmet, HELMET_OPTIONS);
  await app.register(cookie);
  app.addHook('onRequest', requireSameOrigin);
  app.addHook('onRequest', sessionGuard(sessions));
  app.addHook('onSend', noStoreByDefault);
  app.setNotFoundHandler(async (_request, reply) => reply.code(404).send({ error: 'not found', message: 'no such console route' }));

  await app.register(authRoutes, {
    sessions,
    adminUser: options.adminUser,
    adminPassword: options.adminPassword,
    sessionTtlMs: options.sessionTtlMs,
    loginFailuresPerMinute: options.loginFailuresPerMinute,
    accountLockMs: options.accountLockMs,
    emsApi: options.emsApi !== undefined,
    alertChanges: options.changeAlert !== undefined,
    now: options.now,
  });
  await app.register(boardRoutes, { search, alertsSearch: searchOver(client, options.alertsIndex), now: options.now });
  await app.register(eventRoutes, { search, now: options.now });
  await app.register(alertRoutes, {
    alerts: searchOver(client, options.alertsIndex),
    searchIn: (index) => searchOver(client, index),
    indexPattern: options.indexPattern,
    alertsIndex: options.alertsIndex,
    changeAlert: options.changeAlert ? (request) => (options.changeAlert as AlertChanger)(client, request) : undefined,
    now: options.now,
  });
  const ems = options.emsApi ? new EmsApiClient(options.emsApi) : undefined;
  await app.register(deadLetterRoutes, { deadLetters: options.deadLetters, now: options.now });
  app.addHook('onClose', async () => options.deadLetters?.close?.());
  await app.register(emsRoutes, { ems });
  await app.register(systemRoutes, { snapshot: options.systemSnapshot, client, ems });
  await app.register(staticRoutes, { webRoot: options.webRoot ?? defaultWebRoot(), vendorRoot: uplotDistDir() });
};

/**
 * The web console as a fastify plugin. Register it at the root of the pipeline's server (no prefix): it serves
 * /console (login page, SPA, /console/api/*) and sends / there. Every route but the login page and call needs a session.
 */
export const consolePlugin: FastifyPluginAsync<ConsolePluginOptions> = async (app, rawOptions) => {
  const options = resolveOptions(rawOptions);
  app.get('/', async (_request, reply) => reply.redirect(`${CONSOLE_PREFIX}/`, 302));
  await app.register(consoleRoutes, { prefix: CONSOLE_PREFIX, options });
};
