/**
 * What CEF and LEEF share: the severity scale, the version in the header and the header escaping. The per-format key
 * tables stay in cef.ts and leef.ts (and in README.md).
 */
import type { Level } from '../../../mappings/index.js';
import { isAlert, textAt } from '../../../parsers/event-fields.js';
import type { ParsedEvent } from '../../../parsers/parse-line.js';

/** Syslog levels on the 0-10 scale of CEF (ArcSight bands: 0-3 low, 4-6 medium, 7-8 high, 9-10 very high). */
export const SEVERITY_0_10: Record<Level, number> = {
  emergency: 10,
  alert: 9,
  critical: 8,
  error: 7,
  warning: 5,
  notice: 4,
  information: 3,
  debug: 1,
};

/** EMS does not put its version in a log line: `observer.version` when an enrichment sets it, else `7.x`. */
export function productVersionOf(event: ParsedEvent): string {
  return textAt(event.document, 'observer.version') ?? '7.x';
}

/**
 * Signature / event id: the catalogue's event id (ECS event.action), else the category, else the dataset. An alert's is
 * its rule id, the one key a SIEM maps every alert of a rule on (ArcSight's Device Event Class ID, QRadar's QID map).
 */
export function eventIdOf(event: ParsedEvent): string {
  if (isAlert(event)) return textAt(event.document, 'rule.id') ?? event.dataset;
  return textAt(event.document, 'event.action') ?? event.category ?? event.dataset;
}

/**
 * A CEF/LEEF header field: `\` and `|` backslash-escaped; control characters (a header must stay on one line) become a
 * space, since neither format defines an escape for them in the header.
 */
export function escapeHeader(value: string): string {
  return value.replace(/[\\|]/g, '\\$&').replace(/[\p{Cc}\u2028\u2029]/gu, ' ');
}

/** `00-B4-35-39-BA-58` → `00:B4:35:39:BA:58`; anything that is not a 6-byte MAC is passed on unchanged. */
export function colonMac(mac: string | undefined): string | undefined {
  return mac !== undefined && /^[0-9A-Fa-f]{2}(-[0-9A-Fa-f]{2}){5}$/.test(mac) ? mac.replace(/-/g, ':') : mac;
}

/** Reads a field of the event as text. */
export type Read = (event: ParsedEvent) => string | undefined;

/** The first of these document paths that has a value, as text: CEF and LEEF fall back from one ECS field to another. */
export const at =
  (...paths: string[]): Read =>
  (event) => {
    for (const path of paths) {
      const value = textAt(event.document, path);
      if (value !== undefined) return value;
    }
    return undefined;
  };
