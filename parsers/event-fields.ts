/**
 * Read-only accessors shared by the formatters: they look into the ECS document of a ParsedEvent without assuming any
 * field is present (a pipeline_error carries almost nothing, a FortiGate line has no `ems.*`).
 */
import { ALERT_LEVELS, ALERT_SEVERITY, type AlertLevel, type Level, normalizeLevel } from '../mappings/index.js';
import type { ParsedEvent } from './parse-line.js';

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
 * True for a detection alert (an AlertDocument wrapped by `alertEvent`): the formatters then use their alert tables.
 * The dataset is checked too: it is ours to set, so no parsed log line can pass itself off as an alert.
 */
export function isAlert(event: ParsedEvent): boolean {
  return event.dataset === 'fortiems.alert' && textAt(event.document, 'event.kind') === 'alert';
}

/** An alert's Sigma level (`fortiems.alert.level`), or undefined when it is not one of ALERT_LEVELS. */
export function alertLevelOf(event: ParsedEvent): AlertLevel | undefined {
  const text = textAt(event.document, 'fortiems.alert.level');
  return (ALERT_LEVELS as readonly string[]).includes(text ?? '') ? (text as AlertLevel) : undefined;
}

/**
 * The event's level: `log.level`, else the raw `ems.level`, else the syslog severity it arrived with. A pipeline error
 * without any of these is `error` (it is one, for the pipeline), anything else unknown is `information`. An alert's
 * Sigma level maps through ALERT_SEVERITY (high → error, …), else its `event.severity`, so PRI and the CEF/LEEF scales
 * rank alerts with the events.
 */
export function levelOf(event: ParsedEvent): Level {
  const document = event.document;
  if (isAlert(event)) {
    const alert = alertLevelOf(event);
    const severity = alert === undefined ? fieldAt(document, 'event.severity') : ALERT_SEVERITY[alert];
    const level = typeof severity === 'number' ? normalizeLevel(severity) : undefined;
    if (level) return level;
  }
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
