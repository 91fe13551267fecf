/** JSON-schema pieces several components share (a listen or destination address, a time zone, batching, the buffer). */
export const address = {
  type: 'string',
  pattern: '^(\\[[0-9a-fA-F:.]+\\]|[^\\s:/\\[\\]]+):[0-9]{1,5}$',
  description: 'HOST:PORT, e.g. 0.0.0.0:5514 or [::]:5514',
} as const;
export const zone = { type: 'string', minLength: 1, description: 'IANA time zone, e.g. UTC or Europe/Paris' } as const;
export const duration = { type: 'integer', minimum: 0 } as const;

export const batch = {
  type: 'object',
  additionalProperties: false,
  properties: {
    max_events: { type: 'integer', minimum: 1, maximum: 100_000, default: 2000 },
    max_bytes: { type: 'integer', minimum: 1024, maximum: 104_857_600, default: 5_242_880 },
    timeout_ms: { ...duration, maximum: 60_000, default: 1000 },
  },
} as const;

export const buffer = {
  type: 'object',
  additionalProperties: false,
  properties: {
    type: { enum: ['disk', 'memory'], default: 'disk' },
    path: { type: 'string', minLength: 1 },
    max_bytes: { type: 'integer', minimum: 1_048_576, default: 1_073_741_824 },
    when_full: { enum: ['block', 'drop_newest'], default: 'block' },
  },
} as const;
