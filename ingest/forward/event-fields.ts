/**
 * Read-only accessors shared by the formatters: they look into the ECS document of a ParsedEvent without assuming any
 * field is present (a pipeline_error carries almost nothing, a FortiGate line has no `ems.*`).
 */
import { type Level, normalizeLevel } from '../../mappings/index.js';
import type { ParsedEvent } from '../../parsers/parse-line.js';

/** The value at an ECS dotted path (`source.ip`), or undefined. */
export function fieldAt(document: Record<string, unknown>, path: string): unknown {
  // Fast path: the common, flat case; then walk the nested objects.
  if (path in document) return document[path];
  let current: unknown = document;
  let start = 0;
  while (start <= path.length) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    const dot = path.indexOf('.', start);
    const end = dot === -1 ? path.length : dot;
    const object = current as Record<string, unknown>;
    // Keys may themselves contain dots (flattened `fortiems.extra` keys): try the longest remaining key first.
    const rest = path.slice(start);
    if (rest in object) return object[rest];
    current = object[path.slice(start, end)];
    if (dot === -1) return current;
    start = dot + 1;
  }
  return undefined;
}

/** A scalar as text (arrays are joined with commas, the way CEF/LEEF consumers expect list values); undefined when empty. */
export function textAt(document: Record<string, unknown>, path: string): string | undefined {
  const value = fieldAt(document, path);
  return scalarText(value);
}

export function scalarText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) {
    const parts = value.map(scalarText).filter((part): part is string => part !== undefined);
    return parts.length === 0 ? undefined : parts.join(',');
  }
  if (typeof value === 'object') return JSON.stringify(value);
  const text = String(value);
  return text === '' ? undefined : text;
}

/**
 * The event's level: `log.level`, else the raw `ems.level`, else the syslog severity it arrived with. A pipeline error
 * without any of these is `error` (it is one, for the pipeline), anything else unknown is `information`.
 */
export function levelOf(event: ParsedEvent): Level {
  const document = event.document;
  for (const path of ['log.level', 'ems.level']) {
    const text = textAt(document, path);
    const level = text === undefined ? undefined : normalizeLevel(text);
    if (level) return level;
  }
  const severity = fieldAt(document, 'log.syslog.severity.code');
  if (typeof severity === 'number') {
    const level = normalizeLevel(severity);
    if (level) return level;
  }
  return event.kind === 'pipeline_error' ? 'error' : 'information';
}

/** `@timestamp` as epoch ms; NaN-safe (falls back to event.ingested, then now) so that a formatter never throws. */
export function epochOf(event: ParsedEvent): number {
  for (const path of ['@timestamp', 'event.ingested']) {
    const text = textAt(event.document, path);
    if (text !== undefined) {
      const epoch = Date.parse(text);
      if (!Number.isNaN(epoch)) return epoch;
    }
  }
  return Date.now();
}

/** The raw line as received (`event.original`), or the message when a producer did not keep it. */
export function originalOf(event: ParsedEvent): string {
  return textAt(event.document, 'event.original') ?? textAt(event.document, 'message') ?? '';
}

/** The EMS host the event came from: observer.hostname (EMS lines), else the syslog HOSTNAME, else host.hostname. */
export function emsHostOf(event: ParsedEvent): string | undefined {
  const document = event.document;
  return textAt(document, 'observer.hostname') ?? textAt(document, 'log.syslog.hostname') ?? textAt(document, 'host.hostname');
}
