/**
 * Header fields for the syslog-based formats. Values come from the event (attacker-controlled: an endpoint names
 * itself), so every header token is sanitized to what its RFC allows instead of rejected: a formatter must never throw.
 */
import { hostname as osHostname } from 'node:os';
import { severityOf } from '../../../mappings/index.js';
import { emsHostOf, levelOf } from '../../../parsers/event-fields.js';
import type { ParsedEvent } from '../../../parsers/parse-line.js';
import { DEFAULT_FACILITY } from '../../../syslog/syslog-format.js';
import type { FormatOptions } from '../forward-format.js';

/**
 * Printable US-ASCII without space (RFC 5424 §6: PRINTUSASCII = %d33-126), cut to `max`; everything else becomes `_`
 * so that `LAPTOP 01` stays recognisable as `LAPTOP_01`. Empty input gives `fallback`.
 */
export function printableToken(value: string | undefined, max: number, fallback: string): string {
  if (value === undefined) return fallback;
  const token = value.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return token.length === 0 ? fallback : token;
}

/** RFC 3164 §4.1.3 TAG: alphanumeric, max 32; `-`, `.` and `_` are kept because every relay accepts them (`ems-client`). */
export function rfc3164Tag(value: string): string {
  const tag = value.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 32);
  return tag.length === 0 ? 'fortiems' : tag;
}

// os.hostname() is looked up once: it is the fallback for events that carry no host at all (pipeline errors).
let localHost: string | undefined;
function localHostname(): string {
  localHost ??= osHostname();
  return localHost;
}

/** HOSTNAME before sanitizing: the option, else the EMS host of the event, else this host. */
export function hostnameOf(event: ParsedEvent, options: FormatOptions): string {
  return options.hostname ?? emsHostOf(event) ?? localHostname();
}

/** APP-NAME / TAG before sanitizing: the option, else the category (`ems-client`), else `fortiems`. */
export function appNameOf(event: ParsedEvent, options: FormatOptions): string {
  return options.appName ?? event.category ?? 'fortiems';
}

/**
 * `<PRI>` = facility × 8 + the event's syslog severity. A facility outside 0-23 is a config error the validator
 * reports; here it falls back to local0 rather than throwing per event.
 */
export function priorityOf(event: ParsedEvent, options: FormatOptions): string {
  const facility =
    Number.isInteger(options.facility) && options.facility >= 0 && options.facility <= 23 ? options.facility : DEFAULT_FACILITY;
  return `<${facility * 8 + severityOf(levelOf(event))}>`;
}
