import type { FastifyReply, FastifyRequest } from 'fastify';
import { tokenCheck } from '../../platform/http/bearer-token.js';

export const UNAUTHORIZED_BODY = { error: 'unauthorized', message: 'send Authorization: Bearer <admin token>' } as const;

/** An onRequest hook that lets a request through only with `Authorization: Bearer <adminToken>`. */
export function requireBearerToken(adminToken: string) {
  if (adminToken.trim() === '') throw new Error('the EMS admin API needs a non-empty admin token: there is no anonymous access');
  const carriesAdminToken = tokenCheck(adminToken);
  return async function checkBearerToken(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (carriesAdminToken(request.headers.authorization)) return;
    await reply.code(401).header('WWW-Authenticate', 'Bearer').send(UNAUTHORIZED_BODY);
  };
}
