import { randomBytes } from 'node:crypto';
import rateLimit, { type FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { FastifyPluginAsync } from 'fastify';
import type { SessionAnswer } from '../api-types.js';
import { DEVICE_COOKIE, deviceCookieOptions, SESSION_COOKIE, sessionCookieOptions } from './cookies.js';
import { credentialsChecker, userChecker } from './credentials.js';
import { AddressFailureStore, KnownDevices, LoginThrottle } from './login-throttle.js';
import type { SessionStore } from './sessions.js';

export interface AuthRoutesOptions {
  sessions: SessionStore;
  adminUser: string;
  adminPassword: string;
  sessionTtlMs: number;
  loginFailuresPerMinute: number;
  /** The account window: that many failures for one account name, from two addresses or more, lock it until it ends. */
  accountLockMs: number;
  emsApi: boolean;
  alertChanges: boolean;
  now: () => number;
}

const MINUTE = 60_000;
const DEVICE_TTL_MS = 30 * 24 * 60 * MINUTE;

const loginSchema = {
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['user', 'password'],
    properties: { user: { type: 'string', minLength: 1, maxLength: 256 }, password: { type: 'string', minLength: 1, maxLength: 1024 } },
  },
} as const;

/** POST /api/login, POST /api/logout, GET /api/session (who is logged in, for the web part). */
export const authRoutes: FastifyPluginAsync<AuthRoutesOptions> = async (app, options) => {
  const { sessions } = options;
  const matches = credentialsChecker(options.adminUser, options.adminPassword);
  const isAdmin = userChecker(options.adminUser);
  const limit = options.loginFailuresPerMinute;
  // Per address (@fastify/rate-limit, registered here so it stays in this context): one client guessing fast. Only
  // failures count: the login call reads the address's state first and adds one after a wrong password.
  const addressFailures = new AddressFailureStore(options.now);
  await app.register(rateLimit, {
    global: false,
    store: function Store() {
      return addressFailures;
    } as unknown as FastifyRateLimitStoreCtor,
  });
  const byAddress = app.createRateLimit({ max: limit, timeWindow: MINUTE, keyGenerator: (request) => request.ip });
  // Per account (hand-written, login-throttle.ts): a guesser spread over many addresses, each under the first limit.
  const byAccount = new LoginThrottle({ failures: limit, windowMs: options.accountLockMs, fromSources: 2, now: options.now });
  const devices = new KnownDevices({ ttlMs: DEVICE_TTL_MS, now: options.now });
  const tooMany = (retryAfterMs: number, what: string) => ({
    retryAfter: String(Math.ceil(retryAfterMs / 1000)),
    body: { error: 'too many failed logins', message: `too many failed logins ${what}; wait and try again` },
  });
  const describe = (user: string, expiresAt: number): SessionAnswer => ({
    user,
    expiresAt,
    emsApi: options.emsApi,
    alertChanges: options.alertChanges,
  });

  app.post<{ Body: { user: string; password: string } }>(
    '/api/login',
    { schema: loginSchema, config: { public: true } },
    async (request, reply) => {
      const { user } = request.body;
      const device = request.cookies[DEVICE_COOKIE];
      const knownDevice = devices.knows(device, user);
      const address = await byAddress(request, { increment: false });
      const addressWait = !address.isAllowed && address.remaining === 0 ? address.ttl : 0;
      const accountWait = knownDevice ? 0 : byAccount.retryAfterMs(user);
      if (addressWait > 0 || accountWait > 0) {
        const refusal = addressWait > 0 ? tooMany(addressWait, 'from this address') : tooMany(accountWait, 'for this account');
        return reply.code(429).header('retry-after', refusal.retryAfter).send(refusal.body);
      }
      if (!matches(user, request.body.password)) {
        await byAddress(request);
        // Only the one account that exists: failures for made-up names would share its bounded table and could push
        // its lock out of it.
        if (isAdmin(user)) byAccount.recordFailure(user, request.ip);
        request.log.warn({ ip: request.ip }, 'console login failed');
        return reply.code(401).send({ error: 'invalid credentials', message: 'wrong user name or password' });
      }
      addressFailures.reset(request.ip);
      byAccount.recordSuccess(user);
      const deviceId = knownDevice && device ? device : randomBytes(24).toString('base64url');
      devices.remember(deviceId, user);
      // A new id at every login: an id planted before login (session fixation) is never promoted.
      sessions.delete(request.cookies[SESSION_COOKIE]);
      const session = sessions.create(request.body.user);
      reply.setCookie(SESSION_COOKIE, session.id, sessionCookieOptions(Math.floor(options.sessionTtlMs / 1000)));
      reply.setCookie(DEVICE_COOKIE, deviceId, deviceCookieOptions(DEVICE_TTL_MS / 1000));
      return reply.send(describe(session.user, session.expiresAt));
    },
  );

  app.post('/api/logout', { config: { public: true } }, async (request, reply) => {
    sessions.delete(request.cookies[SESSION_COOKIE]);
    return reply.setCookie(SESSION_COOKIE, '', sessionCookieOptions(0)).code(204).send();
  });

  app.get('/api/session', async (request) => {
    const session = request.consoleSession;
    if (!session) throw new Error('the session guard let a request through without a session');
    return describe(session.user, session.expiresAt);
  });
};
