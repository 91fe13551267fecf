import { type ParsedEvent, parseLine, pipelineError } from '../../parsers/parse-line.js';
import type { ComponentTelemetry } from '../../platform/telemetry/component-telemetry.js';
import type { EnrichStage } from '../enrich/enrich-stage.js';
import { receiveEventId, setEventId } from './event-ids.js';
import type { RawLine } from './raw-line.js';

export interface ProcessStageOptions {
  namespace: string;
  enrich: EnrichStage | undefined;
  /** The `parse` transform's telemetry: received lines in, events out, parse failures as errors. */
  telemetry: ComponentTelemetry;
}

/** A parsed and enriched batch, with what the parse transform's telemetry counts. */
export interface ProcessedBatch {
  events: ParsedEvent[];
  /** Lines that became pipeline_error events. */
  failures: number;
  /** Set when enrichment threw: the events went on unenriched (`errors{stage="enrich"}`). */
  enrichFailure?: string;
}

/** parse (+ the line's id) for every line: exactly one event per line, whatever the line. */
export function parseLines(lines: readonly RawLine[], namespace: string): ProcessedBatch {
  const events: ParsedEvent[] = new Array(lines.length);
  let failures = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as RawLine;
    const context = { receivedAt: raw.receivedAt, zone: raw.zone, namespace };
    const event = raw.framingError ? pipelineError(raw.line, raw.framingError, context, 'framing_error') : parseLine(raw.line, context);
    if (event.kind === 'pipeline_error') failures++;
    // Lines that did not come through the pipeline's intake (tests, tools) get their id here.
    raw.id ??= receiveEventId();
    setEventId(event.document, raw.id);
    event.received = raw;
    events[i] = event;
  }
  return { events, failures };
}

/** parse → enrich, without telemetry: what a parse worker runs, and the pipeline when a worker's batch comes back here. */
export async function parseAndEnrich(
  lines: readonly RawLine[],
  namespace: string,
  enrich: EnrichStage | undefined,
): Promise<ProcessedBatch> {
  const batch = parseLines(lines, namespace);
  if (enrich) batch.enrichFailure = await enrichSafely(enrich, batch.events);
  return batch;
}

/**
 * Enrichment adds context; it must never cost an event. A stage that throws leaves the batch as parsed (unenriched)
 * and says why, for the caller to count: the events go on to the sinks.
 */
export async function enrichSafely(enrich: EnrichStage, events: readonly ParsedEvent[]): Promise<string | undefined> {
  try {
    await enrich.enrichBatch(events);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * parse → enrich for one batch: exactly one event per raw line, always, carrying the line's id (a framing error or an unparsable line becomes
 * a pipeline_error event with the raw text), so accounting downstream can match lines to events one for one. `bytes` is
 * `lineBytes(lines)`, counted once when the lines arrived.
 */
export async function processBatch(lines: readonly RawLine[], bytes: number, options: ProcessStageOptions): Promise<ParsedEvent[]> {
  const batch = parseLines(lines, options.namespace);
  options.telemetry.received(lines.length, bytes);
  if (batch.failures > 0) options.telemetry.error('parse', 'pipeline_error', batch.failures);
  const enrichFailure = options.enrich ? await enrichSafely(options.enrich, batch.events) : undefined;
  if (enrichFailure !== undefined) options.telemetry.error('enrich', 'enrich_failed', 1, enrichFailure);
  options.telemetry.sent(batch.events.length, bytes);
  return batch.events;
}
