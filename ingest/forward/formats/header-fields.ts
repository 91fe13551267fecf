/**
 * Header fields for the syslog-based formats. Values come from the event (attacker-controlled: an endpoint names
 * itself), so every header token is sanitized to what its RFC allows instead of rejected: a formatter must never throw.
 * The rules themselves (PRINTUSASCII tokens, the RFC 3164 TAG, PRI, the field limits) are the syslog library's
 * (syslog/syslog-format.ts), shared with the EMS core's emitters.
 */
import { hostname as osHostname } from 'node:os';
import { emsHostOf, levelOf } from '../../../parsers/event-fields.js';
import type { ParsedEvent } from '../../../parsers/parse-line.js';
import { DEFAULT_FACILITY, isFacility, priorityValue } from '../../../syslog/syslog-format.js';
import type { FormatOptions } from '../forward-format.js';

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
  return priorityValue(isFacility(options.facility) ? options.facility : DEFAULT_FACILITY, levelOf(event));
}
