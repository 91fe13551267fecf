import type { FastifyHelmetOptions } from '@fastify/helmet';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Field values in the events are attacker-controlled (a hostname, a user name, a message). The web part only ever
 * writes them as text; this policy is the second wall: scripts only from the console's own files (no inline script, no
 * eval), and Trusted Types required, so Chromium refuses any string-to-HTML sink (innerHTML and friends) outright.
 */
const CSP_DIRECTIVES = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'"],
  'connect-src': ["'self'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'require-trusted-types-for': ["'script'"],
} as const;

/** The header as helmet writes it (directives joined by `;`). */
export const CONTENT_SECURITY_POLICY = Object.entries(CSP_DIRECTIVES)
  .map(([name, values]) => `${name} ${values.join(' ')}`)
  .join(';');

/**
 * `@fastify/helmet` for the console's context only: the policy above and the usual hardening headers (nosniff,
 * X-Frame-Options DENY, Referrer-Policy no-referrer, COOP and CORP same-origin). Helmet's other defaults are off, so
 * the console sends exactly the headers it sent before (no HSTS: the pipeline's TLS setup decides that, not the console).
 */
export const HELMET_OPTIONS: FastifyHelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
  xContentTypeOptions: true,
  xFrameOptions: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  crossOriginOpenerPolicy: { policy: 'same-origin' },
  crossOriginResourcePolicy: { policy: 'same-origin' },
  crossOriginEmbedderPolicy: false,
  originAgentCluster: false,
  strictTransportSecurity: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xPoweredBy: false,
  xXssProtection: false,
};

/** Answers hold event data: never kept by the browser or a proxy unless a route says otherwise (static files do). */
export async function noStoreByDefault(_request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
}
