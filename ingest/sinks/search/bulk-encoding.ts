import type { ParsedEvent } from '../../../parsers/parse-line.js';
import { utf8Bytes } from '../../../platform/bytes/utf8-slab.js';
import type { EncoderRecipe, Payload, SinkEncoder } from '../sink-encoder.js';

/** `logs-<dataset>-<namespace>`: the data stream naming scheme OpenSearch and Elasticsearch share. */
export function dataStreamOf(document: Record<string, unknown>): string {
  const stream = document.data_stream as { dataset?: unknown; namespace?: unknown } | undefined;
  const dataset = stream?.dataset;
  const namespace = stream?.namespace;
  if (typeof dataset !== 'string' || dataset === '' || typeof namespace !== 'string' || namespace === '')
    throw new Error('cannot encode an event without data_stream.dataset and data_stream.namespace: the target data stream is unknown');
  return `logs-${dataset}-${namespace}`;
}

/**
 * One event as its bulk NDJSON pair, in UTF-8: `{"create":{"_index":…,"_id":…}}\n<document>\n`, byte for byte what
 * `JSON.stringify` of the action object gives. `create` because data streams accept nothing else, and with our
 * deterministic `event.id` as `_id` a retried or replayed event is answered 409 instead of indexed twice.
 */
export function encodeBulkCreate(event: ParsedEvent): Payload {
  return utf8Bytes(bulkCreateAction(event), JSON.stringify(event.document), '\n');
}

/** The action line (with its newline) of `encodeBulkCreate`. */
export function bulkCreateAction(event: ParsedEvent): string {
  const id = (event.document.event as { id?: unknown } | undefined)?.id;
  if (typeof id !== 'string' || id === '')
    throw new Error(
      `cannot encode a ${event.dataset} event without event.id (the pipeline sets it as the line enters): retries would duplicate it`,
    );
  const index = dataStreamOf(event.document);
  let prefix = actionPrefixes.get(index);
  if (prefix === undefined) {
    // Data streams are a handful (dataset × namespace); the bound only guards against documents that invent many.
    if (actionPrefixes.size >= 256) actionPrefixes.clear();
    prefix = `{"create":{"_index":${jsonString(index)},"_id":`;
    actionPrefixes.set(index, prefix);
  }
  return `${prefix}${jsonString(id)}}}\n`;
}

const actionPrefixes = new Map<string, string>();

/**
 * Our ids (base64url and base36, `event-ids.ts`) and index names need no escaping, so the common case skips
 * `JSON.stringify`; anything else (an id from elsewhere, a quote, a backslash, a control or non-ASCII character) is
 * escaped by it.
 */
const PLAIN = /^[A-Za-z0-9_.-]*$/;
const jsonString = (text: string): string => (PLAIN.test(text) ? `"${text}"` : JSON.stringify(text));

/** The parts of an encoded pair, for the dead-letter document. Lenient: a payload that is not a pair keeps its text. */
export interface BulkPair {
  index: string | undefined;
  id: string | undefined;
  /** The document line, without the newline. */
  source: string;
}

export function splitBulkPair(bytes: Uint8Array | string): BulkPair {
  // Decoded only here: dead letters are the rare path.
  const payload = typeof bytes === 'string' ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
  const newline = payload.indexOf('\n');
  const actionLine = newline >= 0 ? payload.slice(0, newline) : '';
  const source = newline >= 0 ? payload.slice(newline + 1).replace(/\n$/, '') : payload;
  try {
    const action = JSON.parse(actionLine) as Record<string, { _index?: unknown; _id?: unknown } | undefined>;
    const meta = Object.values(action)[0];
    return {
      index: typeof meta?._index === 'string' ? meta._index : undefined,
      id: typeof meta?._id === 'string' ? meta._id : undefined,
      source,
    };
  } catch {
    return { index: undefined, id: undefined, source: payload };
  }
}

/** A search sink's encoder: every event, as its bulk `create` pair (the configuration does not change the encoding). */
export function searchSinkEncoder(_id: string, _config: unknown): SinkEncoder {
  return { encode: encodeBulkCreate };
}

/** How a parse worker builds `searchSinkEncoder` for sink `id`. */
export function searchEncoderRecipe(id: string, config: unknown): EncoderRecipe {
  return { module: import.meta.url, name: 'searchSinkEncoder', id, config };
}
