import type { AlertDocument } from '../../../mappings/index.js';
import type { ParsedEvent } from '../../../parsers/parse-line.js';

export const ALERT_DATASET = 'fortiems.alert';

/**
 * An alert as the pipeline's event type, so the forwarding formats and the sink helper take it as they are: the
 * formatters see `event.kind: alert` in the document and use their alert tables (ingest/forward/formats/alert-fields.ts).
 * Kind `event`: it is not a pipeline error, and the forward filter's pipeline-error rule must not apply to it.
 */
export function alertEvent(alert: AlertDocument): ParsedEvent {
  return {
    kind: 'event',
    producer: 'unknown',
    category: undefined,
    dataset: ALERT_DATASET,
    document: alert as unknown as Record<string, unknown>,
    problems: [],
  };
}
