import type { FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE } from './cookies.js';
import type { Session, SessionStore } from './sessions.js';

export const LOGIN_PAGE = '/console/login';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route is open without a session (the login page, its script and style, the login and logout calls). */
    public?: boolean;
    /** The route is a page: without a session the browser is sent to the login page instead of getting a 401. */
    page?: boolean;
  }
  interface FastifyRequest {
    consoleSession?: Session;
  }
}

/**
 * An onRequest hook for every console route, unknown paths included: no session, no answer. Pages redirect to the
 * login page; everything else (API, scripts, styles) gets a 401 the web part reacts to.
 */
export function sessionGuard(sessions: SessionStore) {
  return async function requireSession(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const session = sessions.get(request.cookies[SESSION_COOKIE]);
    if (session) request.consoleSession = session;
    const config = request.routeOptions.config;
    if (session || config.public) return;
    if (config.page) {
      await reply.redirect(LOGIN_PAGE, 302);
      return;
    }
    await reply.code(401).send({ error: 'unauthorized', message: 'log in first: POST /console/api/login' });
  };
}

/**
 * Requests that change something must come from the console's own pages: when the browser names an origin, its host
 * must be this server's. SameSite=Strict already keeps the cookie off cross-site requests; this is the second lock.
 */
export async function requireSameOrigin(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (request.method === 'GET' || request.method === 'HEAD') return;
  const origin = request.headers.origin;
  if (origin === undefined) return;
  // Both sides through URL, so a default port written on one side only (`host:80`) still compares equal.
  const hostOf = (url: string) => {
    try {
      return new URL(url).host;
    } catch {
      return undefined;
    }
  };
  const from = hostOf(origin);
  // request.protocol and request.host follow X-Forwarded-Proto/-Host only when http.trust_proxy trusts the peer.
  if (from !== undefined && from === hostOf(`${request.protocol}://${request.host ?? ''}`)) return;
  await reply.code(403).send({ error: 'forbidden', message: 'cross-origin requests are refused' });
}
