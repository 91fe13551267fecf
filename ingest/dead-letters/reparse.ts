import { type ParsedEvent, UNPARSED_DATASET } from '../../parsers/parse-line.js';
import { parseLines } from '../pipeline/process-stage.js';
import type { StoredDeadLetter } from './dead-letter-store.js';

export interface ReparseSettings {
  /** data_stream.namespace of the replayed events: the dead-letter index's namespace. */
  namespace: string;
  /** Zone of zone-less times (the pipeline's `pipeline.timezone`): a dead letter does not record its source's zone. */
  zone: string;
}

export type Reparsed = { event: ParsedEvent } | { failure: string };

interface SentDocument {
  event?: { ingested?: unknown; kind?: unknown };
}

function sentDocument(letter: StoredDeadLetter): SentDocument {
  try {
    return (letter.document ? JSON.parse(letter.document) : {}) as SentDocument;
  } catch {
    return {};
  }
}

/**
 * A dead letter's line parsed again by today's parser, as the pipeline parses a line (`parseLines`), keeping the
 * letter's id (the event's id: a second store of it is answered 409) and its first reception time (`event.ingested` of
 * the document sent, else the letter's time). A letter without its line cannot be replayed, and neither can one that
 * parses into a pipeline_error now when it was an event before: storing the error document would lose the event.
 */
export function reparseLetter(letter: StoredDeadLetter, settings: ReparseSettings): Reparsed {
  if (letter.original === undefined) return { failure: 'no event.original: nothing to parse again' };
  const sent = sentDocument(letter);
  const ingested = typeof sent.event?.ingested === 'string' ? Date.parse(sent.event.ingested) : Number.NaN;
  const dead = Date.parse(letter.timestamp);
  const receivedAt = Number.isFinite(ingested) ? ingested : Number.isFinite(dead) ? dead : Date.now();
  let event: ParsedEvent;
  try {
    [event] = parseLines(
      [{ line: letter.original, receivedAt, sourceId: 'dead-letter', zone: settings.zone, id: letter.id }],
      settings.namespace,
    ).events as [ParsedEvent];
  } catch (error) {
    return { failure: `parse failed: ${error instanceof Error ? error.message : String(error)}` };
  }
  const wasError = sent.event?.kind === 'pipeline_error' || letter.dataset === UNPARSED_DATASET;
  if (event.kind === 'pipeline_error' && !wasError)
    return { failure: `parses into a pipeline_error now: ${(event.problems[0] ?? 'unparsable').slice(0, 200)}` };
  return { event };
}
