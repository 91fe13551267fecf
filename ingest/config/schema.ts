import { DEFAULT_HTTP_MAX_CONNECTIONS } from '../../platform/http/http-server.js';
import type { ComponentRegistry, ComponentSchema } from '../components/contract.js';
import { address, batch, buffer, zone } from '../components/schema-parts.js';
import { SYSLOG_SINK_SCHEMA } from '../forward/syslog-sink-schema.js';
import { DEFAULT_QUEUE_BYTES, DEFAULT_QUEUE_EVENTS } from '../pipeline/pipeline.js';
import { RETENTION_DEFAULTS } from '../sinks/search/retention/retention.js';
import { ROLLOVER_MAX_AGE_PATTERN, ROLLOVER_MAX_SIZE_PATTERN } from '../sinks/search/retention/retention-plan.js';
import { STREAM_SOURCE_DEFAULTS } from '../sources/syslog-stream-source.js';

// The code's defaults, so the schema, its descriptions and the default file cannot drift from what runs.
const MAX_CONNECTIONS = STREAM_SOURCE_DEFAULTS.maxConnections;
const IDLE_TIMEOUT_SECONDS = STREAM_SOURCE_DEFAULTS.idleTimeoutMs / 1000;

/**
 * The configuration file's schema (JSON Schema draft-07, compiled once per registry with Ajv), with the defaults that run
 * out of the box. One YAML file: sources, pipeline, sinks, EMS core, console. Names follow Vector's where they exist
 * (`address`, `batch.max_events`, `buffer.when_full`). Each source and sink type brings its own fragment (its factory's
 * `schema`, see ingest/components/).
 */

const alertLevel = {
  enum: ['informational', 'low', 'medium', 'high', 'critical'],
  description: 'the least severe Sigma level an output takes',
} as const;

const { filter: _eventFilter, ...syslogOutputProperties } = SYSLOG_SINK_SCHEMA.properties;

/** An alert output over syslog: a syslog sink's settings, with a minimum alert level instead of the event filter. */
const syslogAlertOutput = {
  ...SYSLOG_SINK_SCHEMA,
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

/** fortiems' own retention (ingest/sinks/search/retention/): by default only where the cluster has no ISM plugin. */
const retention = {
  type: 'object',
  additionalProperties: false,
  properties: {
    mode: { enum: ['auto', 'always', 'never'], default: 'auto', description: 'auto: only on a cluster without the ISM plugin' },
    days: { type: 'integer', minimum: 1, maximum: 36_500, default: RETENTION_DEFAULTS.retentionDays },
    interval_seconds: { type: 'integer', minimum: 10, maximum: 86_400, default: RETENTION_DEFAULTS.intervalSeconds },
    rollover_max_age: { type: 'string', pattern: ROLLOVER_MAX_AGE_PATTERN, default: RETENTION_DEFAULTS.rolloverMaxAge },
    rollover_max_size: { type: 'string', pattern: ROLLOVER_MAX_SIZE_PATTERN, default: RETENTION_DEFAULTS.rolloverMaxSize },
    lease_seconds: { type: 'integer', minimum: 30, maximum: 86_400, default: RETENTION_DEFAULTS.leaseSeconds },
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
    placeholders: {
      type: 'object',
      description: 'Sigma expand placeholders: name (without %) → a value or a list of values',
      propertyNames: { pattern: '^\\w+$' },
      additionalProperties: {
        oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1 }],
      },
    },
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

/** `sources:` or `sinks:`: named components, each validated by the fragment of the factory its `type` selects. */
function componentsSchema(factories: readonly { schema: ComponentSchema }[]) {
  return {
    type: 'object',
    propertyNames: { pattern: '^[a-z][a-z0-9_]*$' },
    // The discriminator makes Ajv report errors against the one branch `type` selects, not against every branch.
    additionalProperties: {
      type: 'object',
      required: ['type'],
      discriminator: { propertyName: 'type' },
      oneOf: factories.map((factory) => factory.schema),
    },
  } as const;
}

/** The whole file's schema, its `sources` and `sinks` assembled from the registry's factories. */
export const configSchema = (components: ComponentRegistry) =>
  ({
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
      sources: componentsSchema(components.sources),
      pipeline: {
        type: 'object',
        additionalProperties: false,
        properties: {
          timezone: { ...zone, default: 'UTC' },
          queue_events: {
            type: 'integer',
            minimum: 100,
            maximum: 10_000_000,
            default: DEFAULT_QUEUE_EVENTS,
            description:
              'lines waiting for the parse stage (each costs its characters + ~100 bytes); beyond it TCP pauses, HTTP answers 429, UDP drops',
          },
          queue_bytes: {
            type: 'integer',
            minimum: 1_048_576,
            maximum: 17_179_869_184,
            default: DEFAULT_QUEUE_BYTES,
            description: 'the same bound in bytes of line text; whichever is reached first pushes back',
          },
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
      sinks: componentsSchema(components.sinks),
      http: {
        type: 'object',
        additionalProperties: false,
        properties: {
          address: { ...address, default: '127.0.0.1:8080' },
          metrics_token: { type: 'string', minLength: 16, description: 'bearer token a scraper must present on /metrics' },
          tap_token: {
            type: 'string',
            minLength: 16,
            description: 'bearer token of GET /tap (fortiems tap); default: generated once and kept in <data_dir>/tap-token',
          },
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
      retention,
    },
  }) as const;

/** The configuration that runs out of the box (`fortiems ingest` with no file): the default ports. */
export const DEFAULT_CONFIG_YAML = `# fortiems defaults: every value can be overridden in your file or with \${ENV} references.
sources:
  syslog_udp: { type: syslog, mode: udp, address: "0.0.0.0:5514" }
  syslog_tcp: { type: syslog, mode: tcp, address: "0.0.0.0:5514", max_connections: ${MAX_CONNECTIONS}, idle_timeout_seconds: ${IDLE_TIMEOUT_SECONDS} }
  syslog_tls: { type: syslog, mode: tls, address: "0.0.0.0:6514", max_connections: ${MAX_CONNECTIONS}, idle_timeout_seconds: ${IDLE_TIMEOUT_SECONDS} }
  http: { type: http, path: /ingest }
pipeline:
  timezone: UTC
  queue_events: ${DEFAULT_QUEUE_EVENTS}
  queue_bytes: ${DEFAULT_QUEUE_BYTES}   # ${DEFAULT_QUEUE_BYTES / 1_048_576} MiB: whichever bound is reached first pushes back
sinks:
  opensearch: { type: opensearch }
http:
  address: "127.0.0.1:8080"
detections:
  enabled: true
`;
