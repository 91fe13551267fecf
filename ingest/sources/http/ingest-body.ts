import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { JsonArraySplitter } from '../../../parsers/json-array-splitter.js';
import { LineSplitter } from '../../../parsers/line-splitter.js';
import type { Malformed, Piece } from '../../../parsers/splitter.js';
import type { RawLine } from '../../pipeline/raw-line.js';
import type { ComponentTelemetry } from '../../telemetry/component-telemetry.js';
import { OccurrenceCounter } from '../occurrence-counter.js';
import type { BodyFormat } from './body-format.js';
import type { ChunkSubmitter } from './chunk-submitter.js';
import { decodeElement } from './decode-element.js';

export type Outcome =
  | { kind: 'complete' }
  | { kind: 'too_large' }
  | { kind: 'malformed'; at: number; reason: string }
  | { kind: 'refused' }
  | { kind: 'aborted' };

export interface IngestSettings {
  id: string;
  zone: string;
  maxBodyBytes: number;
  telemetry: ComponentTelemetry;
}

/** Streams one body into the submitter: reads only as fast as the pipeline acknowledges, and stops at the first problem. */
export async function ingestBody(
  body: Readable,
  format: BodyFormat,
  settings: IngestSettings,
  submitter: ChunkSubmitter,
): Promise<Outcome> {
  const splitter = format === 'json' ? new JsonArraySplitter() : new LineSplitter();
  const decoder = new StringDecoder('utf8');
  const pieces: Piece[] = [];
  let bytes = 0;
  let base: RawLine = { line: '', receivedAt: 0, sourceId: settings.id, zone: settings.zone };
  // One request is one stream: a resent body gets the same occurrence numbers, hence the same ids.
  const occurrences = new OccurrenceCounter();

  const take = async (problem: Malformed | undefined): Promise<Outcome | undefined> => {
    for (const piece of pieces) {
      const line = decodeElement(piece.text, format, base);
      if ('error' in line) {
        settings.telemetry.error('decode', line.error);
        return { kind: 'malformed', at: piece.at, reason: line.reason };
      }
      const occurrence = occurrences.occurrence(line.line);
      await submitter.add(occurrence > 0 ? { ...line, occurrence } : line);
      if (submitter.refused) return { kind: 'refused' };
    }
    pieces.length = 0;
    if (problem) settings.telemetry.error('decode', 'invalid_json');
    return problem ? { kind: 'malformed', ...problem } : undefined;
  };

  try {
    // Not destroyed on an early stop: destroying the request would take the socket, and the answer, with it.
    for await (const chunk of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      base = { ...base, receivedAt: Date.now() };
      const room = settings.maxBodyBytes - bytes;
      const usable = chunk.length > room ? chunk.subarray(0, room) : chunk;
      bytes += usable.length;
      settings.telemetry.received(0, usable.length);
      const stopped = await take(splitter.push(decoder.write(usable), pieces));
      if (stopped) return stopped;
      if (usable !== chunk) {
        settings.telemetry.error('receive', 'body_too_large');
        return { kind: 'too_large' };
      }
    }
  } catch {
    settings.telemetry.error('receive', 'aborted');
    return { kind: 'aborted' };
  }
  const tail = splitter.push(decoder.end(), pieces);
  return (await take(tail ?? splitter.end(pieces))) ?? { kind: 'complete' };
}
