import { address, batch, buffer } from '../components/schema-parts.js';

/** A syslog forwarding sink's schema fragment: the defaults here are the ones `syslog-sink-settings.ts` applies. */
export const SYSLOG_SINK_SCHEMA = {
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
