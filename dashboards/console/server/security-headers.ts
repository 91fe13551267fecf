import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Field values in the events are attacker-controlled (a hostname, a user name, a message). The web part only ever
 * writes them as text; this policy is the second wall: scripts only from the console's own files (no inline script, no
 * eval), and Trusted Types required, so Chromium refuses any string-to-HTML sink (innerHTML and friends) outright.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
].join('; ');

/** An onSend hook: every console answer carries the policy and the usual hardening headers. */
export async function addSecurityHeaders(_request: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('x-frame-options', 'DENY');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('cross-origin-opener-policy', 'same-origin');
  reply.header('cross-origin-resource-policy', 'same-origin');
  // Answers hold event data: never kept by the browser or a proxy unless a route says otherwise (static files do).
  if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
}
