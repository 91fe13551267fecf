import { batch, buffer } from '../../components/schema-parts.js';

/** An OpenSearch or Elasticsearch sink's schema fragment: the defaults here are the ones `search-sink-settings.ts` applies. */
export const searchSinkSchema = <T extends 'opensearch' | 'elasticsearch'>(type: T) =>
  ({
    type: 'object',
    additionalProperties: false,
    required: ['type'],
    // One cluster, named either way: a single `url`, or `urls` for several of its nodes (Vector's `endpoints`).
    not: { required: ['url', 'urls'] },
    properties: {
      type: { const: type },
      url: { type: 'string', pattern: '^https?://' },
      urls: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: '^https?://' } },
      username: { type: 'string' },
      password: { type: 'string' },
      ca_file: { type: 'string' },
      namespace: { type: 'string', pattern: '^[a-z0-9_]+$', default: 'default' },
      concurrency: { type: 'integer', minimum: 1, maximum: 64, default: 2 },
      batch,
      buffer,
    },
  }) as const;
