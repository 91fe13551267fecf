import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const UNAUTHORIZED_BODY = { error: 'unauthorized', message: 'send Authorization: Bearer <admin token>' } as const;

const BEARER = /^Bearer +(\S+) *$/i;

// Both sides are hashed first so timingSafeEqual always compares 32 bytes: neither the token's content
// nor its length leaks through the time a wrong guess takes.
const digest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/** An onRequest hook that lets a request through only with `Authorization: Bearer <adminToken>`. */
export function requireBearerToken(adminToken: string) {
  if (adminToken.trim() === '') throw new Error('the EMS admin API needs a non-empty admin token: there is no anonymous access');
  const expected = digest(adminToken);
  return async function checkBearerToken(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const presented = BEARER.exec(request.headers.authorization ?? '')?.[1];
    if (presented !== undefined && timingSafeEqual(digest(presented), expected)) return;
    await reply.code(401).header('WWW-Authenticate', 'Bearer').send(UNAUTHORIZED_BODY);
  };
}
