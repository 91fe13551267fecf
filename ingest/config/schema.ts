import { DEFAULT_MAX_MESSAGE_BYTES } from '../../parsers/framing.js';
import { DEFAULT_HTTP_MAX_CONNECTIONS, REQUEST_TIMEOUT_MS } from '../../platform/http/http-server.js';
import { DEFAULT_QUEUE_BYTES } from '../pipeline/pipeline.js';
import { HTTP_SOURCE_DEFAULTS } from '../sources/http-source.js';
import { STREAM_SOURCE_DEFAULTS } from '../sources/syslog-stream-source.js';

// The code's defaults, so the schema, its descriptions and the default file cannot drift from what runs.
const MAX_CONNECTIONS = STREAM_SOURCE_DEFAULTS.maxConnections;
const IDLE_TIMEOUT_SECONDS = STREAM_SOURCE_DEFAULTS.idleTimeoutMs / 1000;

/**
 * The configuration file's schema (JSON Schema draft-07, compiled once with Ajv), with the defaults that run out of the
 * box. One YAML file: sources, pipeline, sinks, EMS core, console. Names follow Vector's where they exist
 * (`address`, `batch.max_events`, `buffer.when_full`).
 */
const address = {
  type: 'string',
  pattern: '^(\\[[0-9a-fA-F:.]+\\]|[^\\s:/\\[\\]]+):[0-9]{1,5}$',
  description: 'HOST:PORT, e.g. 0.0.0.0:5514 or [::]:5514',
} as const;
const zone = { type: 'string', minLength: 1, description: 'IANA time zone, e.g. UTC or Europe/Paris' } as const;
const duration = { type: 'integer', minimum: 0 } as const;

const tls = {
  type: 'object',
  additionalProperties: false,
  properties: {
    cert_file: { type: 'string', minLength: 1 },
    key_file: { type: 'string', minLength: 1 },
    ca_file: { type: 'string', minLength: 1 },
    verify_client: { type: 'boolean', default: false },
  },
} as const;

const syslogSource = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'mode'],
  properties: {
    type: { const: 'syslog' },
    mode: { enum: ['udp', 'tcp', 'tls'] },
    address,
    timezone: zone,
    max_message_bytes: { type: 'integer', minimum: 1024, maximum: 16_777_216, default: DEFAULT_MAX_MESSAGE_BYTES },
    receive_buffer_bytes: { type: 'integer', minimum: 65_536, default: 8_388_608 },
    // TCP and TLS only (no defaults here, so a UDP source does not look connection-limited; the source applies them).
    max_connections: {
      type: 'integer',
      minimum: 1,
      maximum: 1_000_000,
      description: `default ${MAX_CONNECTIONS}; more are refused and counted`,
    },
    idle_timeout_seconds: {
      type: 'integer',
      minimum: 0,
      maximum: 86_400,
      description: `default ${IDLE_TIMEOUT_SECONDS}; 0 never closes an idle connection`,
    },
    tls,
  },
} as const;

const httpSource = {
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

const batch = {
  type: 'object',
  additionalProperties: false,
  properties: {
    max_events: { type: 'integer', minimum: 1, maximum: 100_000, default: 2000 },
    max_bytes: { type: 'integer', minimum: 1024, maximum: 104_857_600, default: 5_242_880 },
    timeout_ms: { ...duration, maximum: 60_000, default: 1000 },
  },
} as const;

const buffer = {
  type: 'object',
  additionalProperties: false,
  properties: {
    type: { enum: ['disk', 'memory'], default: 'disk' },
    path: { type: 'string', minLength: 1 },
    max_bytes: { type: 'integer', minimum: 1_048_576, default: 1_073_741_824 },
    when_full: { enum: ['block', 'drop_newest'], default: 'block' },
  },
} as const;

const searchSink = (type: 'opensearch' | 'elasticsearch') =>
  ({
    type: 'object',
    additionalProperties: false,
    required: ['type'],
    properties: {
      type: { const: type },
      url: { type: 'string', pattern: '^https?://' },
      username: { type: 'string' },
      password: { type: 'string' },
      ca_file: { type: 'string' },
      namespace: { type: 'string', pattern: '^[a-z0-9_]+$', default: 'default' },
      concurrency: { type: 'integer', minimum: 1, maximum: 64, default: 2 },
      batch,
      buffer,
    },
  }) as const;

const syslogSink = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'address'],
  properties: {
    type: { const: 'syslog' },
    address,
    mode: { enum: ['udp', 'tcp', 'tls'], default: 'tcp' },
    // No default here: framing only applies to tcp/tls, and a default would make a udp sink look framed.
    framing: { enum: ['octet', 'newline'] },
    format: { enum: ['rfc5424', 'rfc3164', 'cef', 'leef', 'raw', 'json'], default: 'rfc5424' },
    facility: { type: 'integer', minimum: 0, maximum: 23, default: 16, description: 'syslog facility number (16 = local0)' },
    tls: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ca_file: { type: 'string', minLength: 1 },
        cert_file: { type: 'string', minLength: 1 },
        key_file: { type: 'string', minLength: 1 },
        verify: { type: 'boolean', default: true },
        server_name: { type: 'string', minLength: 1 },
      },
    },
    filter: {
      type: 'object',
      additionalProperties: false,
      properties: {
        categories: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^ems-[a-z-]+$' } },
        min_level: {
          enum: ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'information', 'debug'],
          description: 'the least severe level forwarded',
        },
        query: { type: 'string', minLength: 1, description: 'a Lucene-style query the events must match' },
      },
    },
    rate_limit: {
      type: 'object',
      additionalProperties: false,
      required: ['events_per_second'],
      properties: {
        events_per_second: { type: 'number', exclusiveMinimum: 0 },
        burst: { type: 'integer', minimum: 1 },
      },
    },
    // One batch in flight keeps the receiver's order.
    concurrency: { type: 'integer', minimum: 1, maximum: 64, default: 1 },
    batch,
    buffer,
  },
} as const;

const alertLevel = {
  enum: ['informational', 'low', 'medium', 'high', 'critical'],
  description: 'the least severe Sigma level an output takes',
} as const;

const { filter: _eventFilter, ...syslogOutputProperties } = syslogSink.properties;

/** An alert output over syslog: a syslog sink's settings, with a minimum alert level instead of the event filter. */
const syslogAlertOutput = {
  ...syslogSink,
  properties: { ...syslogOutputProperties, min_level: alertLevel },
} as const;

const webhookAlertOutput = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'url'],
  properties: {
    type: { const: 'webhook' },
    url: { type: 'string', pattern: '^https?://', description: 'each alert is POSTed here as one JSON document' },
    token: { type: 'string', minLength: 1, description: 'sent as Authorization: Bearer <token>' },
    headers: {
      type: 'object',
      propertyNames: { pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$" },
      additionalProperties: { type: 'string' },
    },
    timeout_ms: { type: 'integer', minimum: 100, maximum: 300_000, default: 10_000 },
    tls: {
      type: 'object',
      additionalProperties: false,
      properties: { ca_file: { type: 'string', minLength: 1 }, verify: { type: 'boolean', default: true } },
    },
    min_level: alertLevel,
    concurrency: { type: 'integer', minimum: 1, maximum: 64, default: 2 },
    batch,
    buffer,
  },
} as const;

const detections = {
  type: 'object',
  additionalProperties: false,
  properties: {
    // Writing the section means wanting it: on unless said otherwise.
    enabled: { type: 'boolean', default: true },
    rules: { type: 'string', minLength: 1, description: 'a rule file or a folder of Sigma rules (default: the shipped pack)' },
    interval_seconds: { type: 'integer', minimum: 1, maximum: 86_400, default: 60 },
    lookback_seconds: { type: 'integer', minimum: 0, maximum: 86_400, default: 60 },
    time_field: { type: 'string', minLength: 1, default: '@timestamp' },
    namespace: { type: 'string', pattern: '^[a-z0-9_]+$' },
    max_alerts_per_run: { type: 'integer', minimum: 1, maximum: 10_000, default: 100 },
    disabled_rules: { type: 'array', items: { type: 'string', minLength: 1 }, default: [] },
    min_level: { ...alertLevel, default: 'low', description: 'rules below this Sigma level do not run' },
    outputs: {
      type: 'object',
      propertyNames: { pattern: '^[a-z][a-z0-9_]*$' },
      additionalProperties: {
        type: 'object',
        required: ['type'],
        discriminator: { propertyName: 'type' },
        oneOf: [syslogAlertOutput, webhookAlertOutput],
      },
    },
  },
} as const;

export const CONFIG_SCHEMA = {
  $id: 'https://fortiems.invalid/config.schema.json',
  title: 'fortiems configuration',
  type: 'object',
  additionalProperties: false,
  properties: {
    data_dir: {
      type: 'string',
      minLength: 1,
      description: 'where the sinks spool events and the generated TLS certificate lives (default: the fortiems state folder, ingest/)',
    },
    sources: {
      type: 'object',
      propertyNames: { pattern: '^[a-z][a-z0-9_]*$' },
      // The discriminator makes Ajv report errors against the one branch `type` selects, not against every branch.
      additionalProperties: {
        type: 'object',
        required: ['type'],
        discriminator: { propertyName: 'type' },
        oneOf: [syslogSource, httpSource],
      },
    },
    pipeline: {
      type: 'object',
      additionalProperties: false,
      properties: {
        timezone: { ...zone, default: 'UTC' },
        queue_events: { type: 'integer', minimum: 100, maximum: 10_000_000, default: 20_000 },
        queue_bytes: { type: 'integer', minimum: 1_048_576, maximum: 17_179_869_184, default: DEFAULT_QUEUE_BYTES },
        workers: { anyOf: [{ const: 'auto' }, { type: 'integer', minimum: 0, maximum: 64 }], default: 'auto' },
        enrich: {
          type: 'object',
          additionalProperties: false,
          properties: {
            geoip: { type: 'boolean', default: true },
            inventory: {
              type: 'object',
              additionalProperties: false,
              required: ['url'],
              properties: {
                url: { type: 'string', pattern: '^https?://' },
                token: { type: 'string' },
                timeout_ms: { type: 'integer', minimum: 10, maximum: 10_000, default: 200 },
              },
            },
          },
        },
      },
    },
    sinks: {
      type: 'object',
      propertyNames: { pattern: '^[a-z][a-z0-9_]*$' },
      additionalProperties: {
        type: 'object',
        required: ['type'],
        discriminator: { propertyName: 'type' },
        oneOf: [searchSink('opensearch'), searchSink('elasticsearch'), syslogSink],
      },
    },
    http: {
      type: 'object',
      additionalProperties: false,
      properties: {
        address: { ...address, default: '127.0.0.1:8080' },
        metrics_token: { type: 'string', minLength: 16, description: 'bearer token a scraper must present on /metrics' },
        trust_proxy: {
          type: ['boolean', 'string'],
          minLength: 1,
          description: "true (any peer), or the proxies' IP addresses/CIDRs (or loopback, linklocal, uniquelocal), comma-separated",
        },
        max_connections: {
          type: 'integer',
          minimum: 1,
          maximum: 1_000_000,
          default: DEFAULT_HTTP_MAX_CONNECTIONS,
          description: `default ${DEFAULT_HTTP_MAX_CONNECTIONS}; more are closed as they arrive and counted`,
        },
      },
    },
    ems: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean', default: false },
        scenario: { type: 'string', default: 'office-day' },
        seed: { type: 'integer', default: 1 },
        to: { type: 'array', items: { type: 'string', minLength: 1 }, default: [] },
        admin_address: { ...address, default: '127.0.0.1:8090' },
        admin_token: { type: 'string', minLength: 16 },
      },
    },
    console: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean', default: true },
        admin_user: { type: 'string', minLength: 1, default: 'admin' },
        admin_password: { type: 'string', minLength: 8 },
      },
    },
    detections,
  },
} as const;

/** The configuration that runs out of the box (`fortiems ingest` with no file): the default ports. */
export const DEFAULT_CONFIG_YAML = `# fortiems defaults: every value can be overridden in your file or with \${ENV} references.
sources:
  syslog_udp: { type: syslog, mode: udp, address: "0.0.0.0:5514" }
  syslog_tcp: { type: syslog, mode: tcp, address: "0.0.0.0:5514", max_connections: ${MAX_CONNECTIONS}, idle_timeout_seconds: ${IDLE_TIMEOUT_SECONDS} }
  syslog_tls: { type: syslog, mode: tls, address: "0.0.0.0:6514", max_connections: ${MAX_CONNECTIONS}, idle_timeout_seconds: ${IDLE_TIMEOUT_SECONDS} }
  http: { type: http, path: /ingest }
pipeline:
  timezone: UTC
  queue_events: 20000
  queue_bytes: ${DEFAULT_QUEUE_BYTES}   # ${DEFAULT_QUEUE_BYTES / 1_048_576} MiB: whichever bound is reached first pushes back
sinks:
  opensearch: { type: opensearch }
http:
  address: "127.0.0.1:8080"
detections:
  enabled: true
`;
