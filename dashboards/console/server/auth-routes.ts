import type { FastifyPluginAsync } from 'fastify';
import type { SessionAnswer } from '../api-types.js';
import { clearedSessionCookie, readCookie, SESSION_COOKIE, sessionCookie } from './cookies.js';
import { credentialsChecker } from './credentials.js';
import { LoginThrottle } from './login-throttle.js';
import type { SessionStore } from './sessions.js';

export interface AuthRoutesOptions {
  sessions: SessionStore;
  adminUser: string;
  adminPassword: string;
  sessionTtlMs: number;
  loginFailuresPerMinute: number;
  emsApi: boolean;
  now: () => number;
}

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
  const throttle = new LoginThrottle({ failuresPerMinute: options.loginFailuresPerMinute, now: options.now });
  const describe = (user: string, expiresAt: number): SessionAnswer => ({ user, expiresAt, emsApi: options.emsApi });

  app.post<{ Body: { user: string; password: string } }>(
    '/api/login',
    { schema: loginSchema, config: { public: true } },
    async (request, reply) => {
      const retryAfterMs = throttle.retryAfterMs(request.ip);
      if (retryAfterMs > 0) {
        return reply
          .code(429)
          .header('retry-after', String(Math.ceil(retryAfterMs / 1000)))
          .send({ error: 'too many failed logins', message: 'too many failed logins from this address; wait a minute and try again' });
      }
      if (!matches(request.body.user, request.body.password)) {
        throttle.recordFailure(request.ip);
        request.log.warn({ ip: request.ip }, 'console login failed');
        return reply.code(401).send({ error: 'invalid credentials', message: 'wrong user name or password' });
      }
      throttle.recordSuccess(request.ip);
      // A new id at every login: an id planted before login (session fixation) is never promoted.
      sessions.delete(readCookie(request.headers.cookie, SESSION_COOKIE));
      const session = sessions.create(request.body.user);
      reply.header('set-cookie', sessionCookie(session.id, Math.floor(options.sessionTtlMs / 1000), request.protocol === 'https'));
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
