import type { DeadLetter } from '../sink-driver.js';
import { splitBulkPair } from './bulk-encoding.js';

/**
 * The dead-letter index: what the target refused, with why, the raw line and the document as it was sent, so nothing
 * vanishes and an operator can fix the mapping and replay. A plain index (not a data stream: `index` with our id
 * keeps a repeated dead-letter write idempotent) with a mapping of its own; `dynamic: false` because the refused
 * documents are exactly the ones whose fields the mapping did not expect.
 */
export const deadLetterIndex = (namespace: string): string => `fortiems-dead-letter-${namespace}`;

export const DEAD_LETTER_INDEX_BODY = {
  settings: { number_of_shards: 1, auto_expand_replicas: '0-1' },
  mappings: {
    dynamic: false,
    properties: {
      '@timestamp': { type: 'date' },
      error: { properties: { type: { type: 'keyword' }, message: { type: 'text' } } },
      event: {
        properties: {
          id: { type: 'keyword' },
          dataset: { type: 'keyword' },
          original: { type: 'text', index: false },
        },
      },
      fortiems: {
        properties: {
          dead_letter: {
            properties: {
              target_index: { type: 'keyword' },
              attempts: { type: 'integer' },
              document: { type: 'text', index: false },
            },
          },
        },
      },
    },
  },
} as const;

const NAMESPACE = /^[a-z0-9_]+$/;

interface SentDocument {
  event?: { original?: unknown; dataset?: unknown };
  data_stream?: { dataset?: unknown; namespace?: unknown };
}

/** The dead-letter index for a letter, and its bulk `index` pair. */
export function deadLetterEntry(letter: DeadLetter, fallbackNamespace: string, now: Date): { index: string; payload: string } {
  const pair = splitBulkPair(letter.record.payload);
  let sent: SentDocument = {};
  try {
    sent = JSON.parse(pair.source) as SentDocument;
  } catch {
    // Kept as text in fortiems.dead_letter.document all the same.
  }
  const namespace =
    typeof sent.data_stream?.namespace === 'string' && NAMESPACE.test(sent.data_stream.namespace)
      ? sent.data_stream.namespace
      : fallbackNamespace;
  const dataset = typeof sent.data_stream?.dataset === 'string' ? sent.data_stream.dataset : sent.event?.dataset;
  const index = deadLetterIndex(namespace);
  const document = {
    '@timestamp': now.toISOString(),
    error: { type: letter.errorType, message: letter.error },
    event: {
      ...(pair.id ? { id: pair.id } : {}),
      ...(typeof dataset === 'string' ? { dataset } : {}),
      ...(typeof sent.event?.original === 'string' ? { original: sent.event.original } : {}),
    },
    fortiems: { dead_letter: { target_index: pair.index ?? null, attempts: letter.attempts, document: pair.source } },
  };
  const action = JSON.stringify({ index: { _index: index, ...(pair.id ? { _id: pair.id } : {}) } });
  return { index, payload: `${action}\n${JSON.stringify(document)}\n` };
}
