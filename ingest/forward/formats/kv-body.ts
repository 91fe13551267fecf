/**
 * The normalized key=value line that the syslog formats carry as MSG: for an EMS event the EMS body rebuilt from the
 * typed `ems.*` record with the EMS core's own serializer (same order, quoting and escaping as EMS writes it); for a
 * FortiClient line its typed fields and unknown keys, for a FortiGate line the pairs it arrived with; for a pipeline error the original line; for an alert its
 * fields (alert-fields.ts). Always one line.
 */

import { epochOf, fieldAt, isAlert, levelOf, originalOf, scalarText } from '../../../parsers/event-fields.js';
import type { ParsedEvent } from '../../../parsers/parse-line.js';
import { quoteValue, serializeBody } from '../../../syslog/ems-body.js';
import type { FieldValue } from '../../../syslog/log-line.js';
import { alertPairs } from './alert-fields.js';

const CONTROL = /[\p{Cc}\u2028\u2029]/gu;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Control characters written as escapes, so that a raw line that contained a newline cannot split the frame. */
export function singleLine(text: string): string {
  return text.replace(CONTROL, (character) => NAMED[character] ?? `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

// The same token rule as the EMS body: bare when nothing in it could be misread by a key=value tokenizer.
const BARE = /^[\x21\x23-\x3c\x3e-\x5b\x5d-\x7e]+$/;

function genericBody(pairs: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(pairs)) {
    const text = scalarText(value);
    if (text === undefined || !/^[\w.-]+$/.test(key)) continue;
    parts.push(`${key}=${BARE.test(text) ? text : quoteValue(text)}`);
  }
  return parts.join(' ');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function keyValueBody(event: ParsedEvent): string {
  if (event.kind === 'pipeline_error') return singleLine(originalOf(event));
  if (isAlert(event)) return genericBody(alertPairs(event));
  const ems = fieldAt(event.document, 'ems');
  if (event.category !== undefined && isRecord(ems)) {
    try {
      const record: Record<string, FieldValue> = {};
      for (const [key, value] of Object.entries(ems)) {
        record[key] = typeof value === 'number' || typeof value === 'string' ? value : scalarText(value);
      }
      return serializeBody({ category: event.category, level: levelOf(event), time: new Date(epochOf(event)), record });
    } catch {
      // A record the serializer refuses (a key outside the catalogue) still goes out, in the generic form.
      return genericBody(ems);
    }
  }
  const extra = fieldAt(event.document, 'fortiems.extra');
  // FortiClient lines: their typed fields (ems.*) and the keys their schema does not know (fortiems.extra).
  if (isRecord(ems)) return genericBody(isRecord(extra) ? { ...ems, ...extra } : ems);
  if (isRecord(extra) && Object.keys(extra).length > 0) return genericBody(extra);
  return singleLine(originalOf(event));
}
