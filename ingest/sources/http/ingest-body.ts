import { PassThrough, type Readable, type Transform } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip, createInflate } from 'node:zlib';
import { JsonArraySplitter } from '../../../parsers/json-array-splitter.js';
import { LineSplitter } from '../../../parsers/line-splitter.js';
import type { Malformed, Piece } from '../../../parsers/splitter.js';
import type { ComponentTelemetry } from '../../../platform/telemetry/component-telemetry.js';
import { idempotentEventId } from '../../pipeline/event-ids.js';
import type { RawLine } from '../../pipeline/raw-line.js';
import type { BodyEncoding } from './body-encoding.js';
import type { BodyFormat } from './body-format.js';
import type { ChunkSubmitter } from './chunk-submitter.js';
import { decodeElement } from './decode-element.js';

export type Outcome =
  | { kind: 'complete' }
  | { kind: 'too_large' }
  | { kind: 'malformed'; at: number; reason: string }
  | { kind: 'corrupt' }
  | { kind: 'timeout' }
  | { kind: 'refused' }
  | { kind: 'aborted' };

export interface IngestSettings {
  id: string;
  zone: string;
  /** Bounds the body's bytes, decompressed (and, for a compressed body, on the wire too). */
  maxBodyBytes: number;
  /**
   * Longest element buffered, in characters (bytes for ASCII): a longer one is not held past it but becomes a
   * framing-error event carrying its first maxMessageBytes, like an oversized syslog frame (counted `message_too_large`).
   */
  maxMessageBytes: number;
  /** A body that sends nothing for this long while we wait for it is cut off. */
  bodyTimeoutMs: number;
  telemetry: ComponentTelemetry;
  encoding: BodyEncoding;
  /** The request's Idempotency-Key: element i gets an id derived from it, the same on every resend. */
  idempotencyKey?: string | undefined;
}

class BodyStopped extends Error {
  constructor(readonly outcome: 'aborted' | 'timeout' | 'too_large') {
    super(outcome);
  }
}

/**
 * The body as decoded bytes. Fed by hand rather than piped so that the request itself is never destroyed (its socket
 * carries the answer), a sender that goes quiet is noticed (only while we are waiting for it, not while the pipeline
 * holds us), and a compressed body's wire bytes are bounded too: a stream of empty deflate blocks inflates to nothing.
 */
function decodedBody(body: Readable, settings: IngestSettings): { stream: Readable; detach: () => void } {
  // 256 KiB between the socket and the splitter for a plain body: a few socket reads, not a pause at every chunk.
  const stream: Transform =
    settings.encoding === 'gzip'
      ? createGunzip()
      : settings.encoding === 'deflate'
        ? createInflate()
        : new PassThrough({ highWaterMark: 1 << 18 });
  let wireBytes = 0;
  let ended = false;
  let timer: NodeJS.Timeout | undefined;
  const stop = (reason: BodyStopped['outcome']) => {
    clearTimeout(timer);
    if (!stream.destroyed) stream.destroy(new BodyStopped(reason));
  };
  const waitForSender = () => {
    clearTimeout(timer);
    timer = setTimeout(() => stop('timeout'), settings.bodyTimeoutMs);
  };
  const onData = (chunk: Buffer) => {
    if (stream.destroyed) return;
    wireBytes += chunk.length;
    if (settings.encoding !== 'identity') {
      // Received bytes are wire bytes; an identity body's are counted as they are read, up to the limit.
      settings.telemetry.received(0, chunk.length);
      if (wireBytes > settings.maxBodyBytes) return stop('too_large');
    }
    if (stream.write(chunk)) waitForSender();
    else {
      // The decoder is full: we are the slow side now, so the sender is not timed.
      clearTimeout(timer);
      body.pause();
    }
  };
  const onDrain = () => {
    if (ended) return;
    waitForSender();
    body.resume();
  };
  const onEnd = () => {
    ended = true;
    clearTimeout(timer);
    if (!stream.destroyed) stream.end();
  };
  const onClose = () => {
    if (!ended) stop('aborted');
  };
  const onError = () => stop('aborted');
  body.on('data', onData);
  body.once('end', onEnd);
  body.once('close', onClose);
  body.once('error', onError);
  stream.on('drain', onDrain);
  waitForSender();
  return {
    stream,
    detach: () => {
      clearTimeout(timer);
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('close', onClose);
      body.off('error', onError);
      stream.off('drain', onDrain);
      // Not destroyed: destroying the request would take the socket, and the answer, with it.
      if (!ended) body.pause();
    },
  };
}

/** Streams one body into the submitter: reads only as fast as the pipeline acknowledges, and stops at the first problem. */
export async function ingestBody(
  body: Readable,
  format: BodyFormat,
  settings: IngestSettings,
  submitter: ChunkSubmitter,
): Promise<Outcome> {
  const max = settings.maxMessageBytes;
  const splitter = format === 'json' ? new JsonArraySplitter(max) : new LineSplitter(max);
  const decoder = new StringDecoder('utf8');
  const pieces: Piece[] = [];
  let bytes = 0;
  let elements = 0;
  let base: RawLine = { line: '', receivedAt: 0, sourceId: settings.id, zone: settings.zone };
  const key = settings.idempotencyKey;

  const take = async (problem: Malformed | undefined): Promise<Outcome | undefined> => {
    for (const piece of pieces) {
      let line: ReturnType<typeof decodeElement>;
      if (piece.oversized !== undefined) {
        // Like an oversized syslog frame: an event that says so and keeps the first bytes, never a silent drop.
        settings.telemetry.error('receive', 'message_too_large');
        const where = format === 'json' ? `element ${piece.at}` : `line ${piece.at}`;
        line = {
          ...base,
          line: piece.text,
          framingError: `${where} is ${piece.oversized} characters, longer than max_message_bytes (${max}); its first ${max} are kept`,
        };
      } else line = decodeElement(piece.text, format, base);
      if ('error' in line) {
        settings.telemetry.error('decode', line.error);
        return { kind: 'malformed', at: piece.at, reason: line.reason };
      }
      // An element's own id wins; otherwise the key makes element n of a resent body the same event as before.
      if (line.id === undefined && key !== undefined) line.id = idempotentEventId(settings.id, key, elements);
      elements++;
      await submitter.add(line);
      if (submitter.refused) return { kind: 'refused' };
    }
    pieces.length = 0;
    if (problem) settings.telemetry.error('decode', 'invalid_json');
    return problem ? { kind: 'malformed', ...problem } : undefined;
  };

  const { stream, detach } = decodedBody(body, settings);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      base = { ...base, receivedAt: Date.now() };
      const room = settings.maxBodyBytes - bytes;
      const usable = chunk.length > room ? chunk.subarray(0, room) : chunk;
      bytes += usable.length;
      if (settings.encoding === 'identity') settings.telemetry.received(0, usable.length);
      const stopped = await take(splitter.push(decoder.write(usable), pieces));
      if (stopped) return stopped;
      if (usable !== chunk) {
        settings.telemetry.error('receive', 'body_too_large');
        return { kind: 'too_large' };
      }
    }
  } catch (error) {
    const outcome = error instanceof BodyStopped ? error.outcome : 'corrupt';
    const errorType = outcome === 'too_large' ? 'body_too_large' : outcome === 'timeout' ? 'body_timeout' : outcome;
    settings.telemetry.error('receive', errorType);
    return { kind: outcome };
  } finally {
    detach();
  }
  const tail = splitter.push(decoder.end(), pieces);
  return (await take(tail ?? splitter.end(pieces))) ?? { kind: 'complete' };
}
