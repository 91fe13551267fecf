/** The HTTP source: `POST <path>` on the one HTTP server (NDJSON, a JSON array or plain lines). */

import { DEFAULT_MAX_MESSAGE_BYTES } from '../../parsers/framing.js';
import { parseListenAddress, REQUEST_TIMEOUT_MS } from '../../platform/http/http-server.js';
import { type ComponentProblem, type RouteSourceFactory, schemaDefaults } from '../components/contract.js';
import { zone } from '../components/schema-parts.js';
import type { FortiemsConfig, HttpSourceConfig } from '../config/types.js';
import { HTTP_SOURCE_DEFAULTS, httpSource } from './http-source.js';

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: { const: 'http' },
    path: { type: 'string', pattern: '^/', default: '/ingest' },
    token: { type: 'string', minLength: 16, description: 'bearer token senders must present' },
    allow_anonymous: { type: 'boolean', description: 'accept senders without a token on a non-loopback http.address' },
    max_body_bytes: { type: 'integer', minimum: 1024, default: HTTP_SOURCE_DEFAULTS.maxBodyBytes },
    max_message_bytes: {
      type: 'integer',
      minimum: 1024,
      maximum: 16_777_216,
      default: DEFAULT_MAX_MESSAGE_BYTES,
      description: 'longest element kept; a longer one arrives as a framing-error event with its first max_message_bytes',
    },
    // At most the server's request timeout: a longer body timeout would never fire (the request is cut off first).
    body_timeout_ms: { type: 'integer', minimum: 1000, maximum: REQUEST_TIMEOUT_MS, default: HTTP_SOURCE_DEFAULTS.bodyTimeoutMs },
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
  let host: string;
  try {
    host = parseListenAddress(address).host;
  } catch (error) {
    return [{ path: ['http', 'address'], message: (error as Error).message, fix: 'use a port from 0 to 65535' }];
  }
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
      maxBodyBytes: config.max_body_bytes ?? HTTP_SOURCE_DEFAULTS.maxBodyBytes,
      maxMessageBytes: config.max_message_bytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      ...(config.body_timeout_ms !== undefined ? { bodyTimeoutMs: config.body_timeout_ms } : {}),
      zone: config.timezone ?? context.pipelineZone,
      intake: context.intake,
      telemetry: context.telemetry,
    });
  },
};
