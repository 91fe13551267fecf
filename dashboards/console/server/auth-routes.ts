import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { SessionAnswer } from '../api-types.js';
import { clearedSessionCookie, DEVICE_COOKIE, deviceCookie, readCookie, SESSION_COOKIE, sessionCookie } from './cookies.js';
import { credentialsChecker, userChecker } from './credentials.js';
import { KnownDevices, LoginThrottle } from './login-throttle.js';
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
  // Per address: one client guessing fast. Per account: a guesser spread over many addresses, each under the first limit.
  const byAddress = new LoginThrottle({ failures: limit, windowMs: MINUTE, now: options.now });
  const byAccount = new LoginThrottle({ failures: limit, windowMs: options.accountLockMs, fromSources: 2, now: options.now });
  const devices = new KnownDevices({ ttlMs: DEVICE_TTL_MS, now: options.now });
  const tooMany = (retryAfterMs: number, what: string) => ({
    retryAfter: String(Math.ceil(retryAfterMs / 1000)),
    body: { error: 'too many failed logins', message: `too many failed logins ${what}; wait and try again` },
  });
  const describe = (user: string, expiresAt: number): SessionAnswer => ({ user, expiresAt, emsApi: options.emsApi });

  app.post<{ Body: { user: string; password: string } }>(
    '/api/login',
    { schema: loginSchema, config: { public: true } },
    async (request, reply) => {
      const { user } = request.body;
      const device = readCookie(request.headers.cookie, DEVICE_COOKIE);
      const knownDevice = devices.knows(device, user);
      const addressWait = byAddress.retryAfterMs(request.ip);
      const accountWait = knownDevice ? 0 : byAccount.retryAfterMs(user);
      if (addressWait > 0 || accountWait > 0) {
        const refusal = addressWait > 0 ? tooMany(addressWait, 'from this address') : tooMany(accountWait, 'for this account');
        return reply.code(429).header('retry-after', refusal.retryAfter).send(refusal.body);
      }
      if (!matches(user, request.body.password)) {
        byAddress.recordFailure(request.ip);
        // Only the one account that exists: failures for made-up names would share its bounded table and could push
        // its lock out of it.
        if (isAdmin(user)) byAccount.recordFailure(user, request.ip);
        request.log.warn({ ip: request.ip }, 'console login failed');
        return reply.code(401).send({ error: 'invalid credentials', message: 'wrong user name or password' });
      }
      byAddress.recordSuccess(request.ip);
      byAccount.recordSuccess(user);
      const secure = request.protocol === 'https';
      const deviceId = knownDevice && device ? device : randomBytes(24).toString('base64url');
      devices.remember(deviceId, user);
      // A new id at every login: an id planted before login (session fixation) is never promoted.
      sessions.delete(readCookie(request.headers.cookie, SESSION_COOKIE));
      const session = sessions.create(request.body.user);
      reply.header('set-cookie', sessionCookie(session.id, Math.floor(options.sessionTtlMs / 1000), secure));
      reply.header('set-cookie', deviceCookie(deviceId, DEVICE_TTL_MS / 1000, secure));
      return reply.send(describe(session.user, session.expiresAt));
    },
  );

  app.post('/api/logout', { config: { public: true } }, async (request, reply) => {
    sessions.delete(readCookie(request.headers.cookie, SESSION_COOKIE));
    return reply
      .header('set-cookie', clearedSessionCookie(request.protocol === 'https'))
      .code(204)
      .send();
  });

  app.get('/api/session', async (request) => {
    const session = request.consoleSession;
    if (!session) throw new Error('the session guard let a request through without a session');
    return describe(session.user, session.expiresAt);
  });
};
