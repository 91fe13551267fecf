/**
 * What crosses between the pipeline and its parse workers, packed so that no object tree is structured-cloned: a
 * batch of lines goes as one string (V8 clones a flat string with one copy) plus typed arrays (transferred), and each
 * sink's payloads come back as UTF-8 bytes and offsets (transferred). Cloning the documents would cost more than
 * parsing them. The lines are not sent as UTF-8: a line may hold a lone surrogate (an HTTP JSON element's "\ud800"),
 * which UTF-8 cannot carry, and the worker must see exactly the line this thread would parse.
 */

import type { ParsedEvent } from '../../parsers/parse-line.js';
import { releaseUtf8Bytes } from '../../platform/bytes/utf8-slab.js';
import type { EnrichStageOptions } from '../enrich/enrich-stage.js';
import { type EncodedBatch, type EncoderRecipe, encodeEachEvent, payloadsFromBytes, type SinkEncoder } from '../sinks/sink-encoder.js';
import { receiveEventId } from './event-ids.js';
import type { RawLine } from './raw-line.js';

/** A batch of lines: line i is text[offsets[i]..offsets[i+1]), its id text[offsets[n+i]..offsets[n+i+1]). */
export interface PackedLines {
  count: number;
  /** The lines, then their ids. */
  text: string;
  /** Float64 receivedAt[n], then Uint32 offsets[2n+1], zone[n], source[n], framing[n] (indexes into `strings`, +1; 0 = none). */
  meta: ArrayBuffer;
  /** Zones, source ids and framing errors: few distinct values per batch. */
  strings: string[];
}

/** Enrichment settings a worker can rebuild its own stage from (plain JSON: no GeoIp instance, no fetch). */
export type WorkerEnrichOptions = Omit<EnrichStageOptions, 'geoip' | 'inventory'> & {
  geoip?: boolean;
  inventory?: Omit<NonNullable<EnrichStageOptions['inventory']>, 'fetch'>;
};

export type ToWorker =
  | {
      type: 'configure';
      namespace: string;
      /** null: no enrichment. */
      enrich: WorkerEnrichOptions | null;
      sinks: EncoderRecipe[];
    }
  | { type: 'batch'; seq: number; lines: PackedLines };

/** One sink's payloads: data[byteOffsets[i]..byteOffsets[i+1]) is payload i (`length` bytes are used). */
export interface PackedPayloads extends Omit<EncodedBatch, 'payloads'> {
  data: ArrayBuffer;
  length: number;
  /** Uint32 byteOffsets[m+1]. */
  offsets: ArrayBuffer;
}

export type FromWorker =
  | {
      type: 'result';
      seq: number;
      failures: number;
      sinks: PackedPayloads[];
      /** Enrichment counters since the last result (`*_total`), and the gauges' current values. */
      enrich: Record<string, number>;
      /** Set when enrichment threw: the events went on unenriched. */
      enrichFailure?: string;
    }
  /** The batch could not be processed there (an encoder module failed to load): the pipeline does it itself. */
  | { type: 'failed'; seq: number; error: string }
  /** Enrichment counters that moved between batches (late inventory answers), as in `result`. */
  | { type: 'metrics'; enrich: Record<string, number> };

export function packLines(lines: readonly RawLine[]): { packed: PackedLines; transfer: ArrayBuffer[] } {
  const n = lines.length;
  const meta = new ArrayBuffer(8 * n + 4 * (2 * n + 1) + 12 * n);
  const receivedAt = new Float64Array(meta, 0, n);
  const offsets = new Uint32Array(meta, 8 * n, 2 * n + 1);
  const zone = new Uint32Array(meta, 8 * n + 4 * (2 * n + 1), n);
  const source = new Uint32Array(meta, 8 * n + 4 * (2 * n + 1) + 4 * n, n);
  const framing = new Uint32Array(meta, 8 * n + 4 * (2 * n + 1) + 8 * n, n);
  const strings: string[] = [];
  const index = new Map<string, number>();
  const intern = (value: string): number => {
    let at = index.get(value);
    if (at === undefined) {
      at = strings.push(value);
      index.set(value, at);
    }
    return at;
  };
  const parts: string[] = new Array(2 * n);
  let chars = 0;
  for (let i = 0; i < n; i++) {
    const raw = lines[i] as RawLine;
    parts[i] = raw.line;
    offsets[i] = chars;
    chars += raw.line.length;
    receivedAt[i] = raw.receivedAt;
    zone[i] = intern(raw.zone);
    source[i] = intern(raw.sourceId);
    if (raw.framingError !== undefined) framing[i] = intern(raw.framingError);
  }
  for (let i = 0; i < n; i++) {
    const raw = lines[i] as RawLine;
    // The id is fixed where the line enters; one made here would be the same as the main thread's fallback.
    raw.id ??= receiveEventId();
    parts[n + i] = raw.id;
    offsets[n + i] = chars;
    chars += raw.id.length;
  }
  offsets[2 * n] = chars;
  return { packed: { count: n, text: parts.join(''), meta, strings }, transfer: [meta] };
}

export function unpackLines(packed: PackedLines): RawLine[] {
  const n = packed.count;
  const { meta, strings } = packed;
  const receivedAt = new Float64Array(meta, 0, n);
  const offsets = new Uint32Array(meta, 8 * n, 2 * n + 1);
  const zone = new Uint32Array(meta, 8 * n + 4 * (2 * n + 1), n);
  const source = new Uint32Array(meta, 8 * n + 4 * (2 * n + 1) + 4 * n, n);
  const framing = new Uint32Array(meta, 8 * n + 4 * (2 * n + 1) + 8 * n, n);
  const { text } = packed;
  const lines: RawLine[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const raw: RawLine = {
      line: text.slice(offsets[i], offsets[i + 1]),
      receivedAt: receivedAt[i] as number,
      sourceId: strings[(source[i] as number) - 1] as string,
      zone: strings[(zone[i] as number) - 1] as string,
      id: text.slice(offsets[n + i], offsets[n + i + 1]),
    };
    const error = framing[i] as number;
    if (error !== 0) raw.framingError = strings[error - 1] as string;
    lines[i] = raw;
  }
  return lines;
}

/**
 * Filters and encodes a batch for one sink into one buffer (transferred back): each payload is copied in as it is
 * made, and its space in this thread's encoding slab given back at once, so the slab serves the whole batch.
 */
export function packPayloads(sink: SinkEncoder, events: readonly ParsedEvent[]): { packed: PackedPayloads; transfer: ArrayBuffer[] } {
  const offsets = new Uint32Array(events.length + 1);
  // About 2.4 KB per EMS bulk pair; grown when a batch needs more. Not pooled: its ArrayBuffer is transferred whole.
  let bytes = Buffer.allocUnsafeSlow(Math.max(64 * 1024, events.length * 2560));
  let used = 0;
  let count = 0;
  const counts = encodeEachEvent(sink, events, (payload) => {
    if (used + payload.length > bytes.length) {
      const larger = Buffer.allocUnsafeSlow(Math.max(bytes.length * 2, used + payload.length));
      bytes.copy(larger, 0, 0, used);
      bytes = larger;
    }
    bytes.set(payload, used);
    releaseUtf8Bytes([payload]);
    used += payload.length;
    count++;
    offsets[count] = used;
    return payload.length;
  });
  const packedOffsets = offsets.slice(0, count + 1);
  return {
    packed: { ...counts, data: bytes.buffer as ArrayBuffer, length: used, offsets: packedOffsets.buffer },
    transfer: [bytes.buffer as ArrayBuffer, packedOffsets.buffer],
  };
}

export function unpackPayloads(packed: PackedPayloads): EncodedBatch {
  const { data, length, offsets, ...counts } = packed;
  return { ...counts, payloads: payloadsFromBytes(new Uint8Array(data, 0, length), new Uint32Array(offsets)) };
}
