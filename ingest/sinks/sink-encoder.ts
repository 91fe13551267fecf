/**
 * How a sink turns events into payloads, apart from how it delivers them: built from the sink's configuration alone
 * (no sockets, no files), so the pipeline's parse workers can build the very same encoder in their own thread and hand
 * the sink finished payloads. The sink's own `accept(events)` uses the same encoder, so both paths give the same bytes.
 */
import type { ParsedEvent } from '../../parsers/parse-line.js';

/**
 * What a sink's buffer stores and its driver sends: the event's bytes, encoded once (UTF-8), then only copied (spool
 * frames) and sent. The one place that names the type: `payloadsFromBytes` below is where a worker's result becomes
 * payloads again.
 */
export type Payload = Buffer;

export interface SinkEncoder {
  /** One event → its payload. May throw: that event is discarded and counted (`encode_error`), the others go on. */
  encode(event: ParsedEvent): Payload;
  /** Which events this sink takes; the others are counted as `discarded{reason="filtered"}`. */
  filter?(event: ParsedEvent): boolean;
}

/**
 * How a worker thread builds a sink's encoder: the module (a file URL) exporting `name(id, config): SinkEncoder`, and
 * its arguments as plain JSON (the validated configuration). A sink without one is encoded on the main thread.
 */
export interface EncoderRecipe {
  module: string;
  name: string;
  id: string;
  config: unknown;
}

/** A batch encoded for one sink, with the counts its telemetry needs, wherever it was encoded. */
export interface EncodedBatch {
  payloads: Payload[];
  /** Events the batch held (the sink's `received`), filtered or not. */
  events: number;
  filtered: number;
  unencodable: number;
  /** UTF-8 bytes of the payloads. */
  bytes: number;
  /** The first encode error's message, for the sink's log. */
  encodeError?: string;
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * filter → encode, per event. `write(payload)` takes each payload and returns its UTF-8 size: the sink helper measures
 * it, a worker learns it while packing the payload into its result buffer (so it is never measured twice).
 */
export function encodeEachEvent(
  encoder: SinkEncoder,
  events: readonly ParsedEvent[],
  write: (payload: Payload) => number,
): Omit<EncodedBatch, 'payloads'> {
  let bytes = 0;
  let unencodable = 0;
  let filtered = 0;
  let encodeError: string | undefined;
  for (const event of events) {
    if (encoder.filter && !encoder.filter(event)) {
      filtered++;
      continue;
    }
    let payload: Payload;
    try {
      payload = encoder.encode(event);
    } catch (error) {
      // Counted, never thrown: one malformed event must not fail the whole batch.
      if (unencodable++ === 0) encodeError = errorText(error);
      continue;
    }
    bytes += write(payload);
  }
  return { events: events.length, filtered, unencodable, bytes, ...(encodeError !== undefined ? { encodeError } : {}) };
}

/** Encodes a batch on this thread. */
export function encodeEvents(encoder: SinkEncoder, events: readonly ParsedEvent[]): EncodedBatch {
  const payloads: Payload[] = [];
  const counts = encodeEachEvent(encoder, events, (payload) => {
    payloads.push(payload);
    return payload.length;
  });
  return { payloads, ...counts };
}

/**
 * A worker's payloads, packed in one buffer: payload i is bytes `byteOffsets[i]..byteOffsets[i+1]`. Views, not copies:
 * the buffer was transferred, and the sink's buffer copies what it keeps.
 */
export function payloadsFromBytes(bytes: Uint8Array, byteOffsets: Uint32Array): Payload[] {
  const count = byteOffsets.length - 1;
  const payloads: Payload[] = new Array(Math.max(0, count));
  for (let i = 0; i < count; i++) {
    const start = byteOffsets[i] as number;
    payloads[i] = Buffer.from(bytes.buffer, bytes.byteOffset + start, (byteOffsets[i + 1] as number) - start);
  }
  return payloads;
}
