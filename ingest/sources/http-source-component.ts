/** The HTTP source: `POST <path>` on the one HTTP server (NDJSON, a JSON array or plain lines). */
import { type ComponentProblem, type RouteSourceFactory, schemaDefaults } from '../components/contract.js';
import { zone } from '../components/schema-parts.js';
import type { FortiemsConfig, HttpSourceConfig } from '../config/types.js';
import { httpSource } from './http-source.js';

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: { const: 'http' },
    path: { type: 'string', pattern: '^/', default: '/ingest' },
    token: { type: 'string', minLength: 16, description: 'bearer token senders must present' },
    allow_anonymous: { type: 'boolean', description: 'accept senders without a token on a non-loopback http.address' },
    max_body_bytes: { type: 'integer', minimum: 1024, default: 10_485_760 },
    body_timeout_ms: { type: 'integer', minimum: 1000, maximum: 3_600_000, default: 30_000 },
    timezone: zone,
  },
} as const;

/** Whether a listen host only takes connections from this machine (a name other than localhost may resolve anywhere). */
function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/** An HTTP source without a token on a reachable address lets anyone write events: only when the operator says so. */
function anonymousProblems(source: HttpSourceConfig, config: FortiemsConfig, path: readonly (string | number)[]): ComponentProblem[] {
  const address = config.http?.address ?? '127.0.0.1:8080';
  const host = address.slice(0, address.lastIndexOf(':'));
  if (isLoopbackHost(host) || source.token || source.allow_anonymous === true) return [];
  return [
    {
      path: [...path, 'token'],
      message: `no token, and http.address ${address} is not a loopback address: anyone who reaches it can write events`,
      fix: 'set token (16+ characters; an environment reference keeps it out of the file), or allow_anonymous: true if a proxy or firewall does the access control',
    },
  ];
}

export const httpSourceFactory: RouteSourceFactory<HttpSourceConfig> = {
  type: 'http',
  kind: 'route',
  schema,
  defaults: schemaDefaults(schema),
  check: (source, context) => anonymousProblems(source, context.config, context.path),
  path: (config) => config.path ?? '/ingest',
  register: async (app, id, config, context) => {
    await app.register(httpSource, {
      id,
      path: config.path ?? '/ingest',
      ...(config.token ? { token: config.token } : {}),
      maxBodyBytes: config.max_body_bytes ?? 10_485_760,
      ...(config.body_timeout_ms !== undefined ? { bodyTimeoutMs: config.body_timeout_ms } : {}),
      zone: config.timezone ?? context.pipelineZone,
      intake: context.intake,
      telemetry: context.telemetry,
    });
  },
};
