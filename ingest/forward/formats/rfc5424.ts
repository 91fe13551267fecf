/**
 * RFC 5424: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME - MSGID [fortiems@32473 …] MSG`. The timestamp is @timestamp in UTC
 * (the EMS core's RFC 3339 writer); the structured data carries the routing fields a SIEM filters on, so that it does
 * not have to parse MSG.
 */

import { alertLevelOf, epochOf, isAlert, levelOf, textAt } from '../../../parsers/event-fields.js';
import type { ParsedEvent } from '../../../parsers/parse-line.js';
import { quoteValue } from '../../../syslog/ems-body.js';
import { HEADER_LIMITS, printableToken, rfc5424Header, rfc5424Timestamp, wallClock } from '../../../syslog/syslog-format.js';
import type { Formatter } from '../forward-format.js';
import { alertGroupKey, alertHost, alertSourceIp, alertUser } from './alert-fields.js';
import { appNameOf, hostnameOf, priorityOf } from './header-fields.js';
import { keyValueBody } from './kv-body.js';

/** Fortinet's IANA private enterprise number: the SD-ID `fortiems@32473` is ours to define under it. */
export const SD_ID = 'fortiems@32473';

/** SD-PARAM names (fixed, valid SD-NAMEs) → where the value comes from. Absent values are left out. */
type SdParams = readonly (readonly [string, (event: ParsedEvent) => string | undefined])[];

const SD_PARAMS: SdParams = [
  ['category', (event) => event.category],
  ['dataset', (event) => event.dataset],
  ['level', (event) => levelOf(event)],
  ['kind', (event) => (event.kind === 'pipeline_error' ? event.kind : undefined)],
  ['outcome', (event) => textAt(event.document, 'event.outcome')],
  ['emsserial', (event) => textAt(event.document, 'observer.serial_number')],
  ['devid', (event) => textAt(event.document, 'device.serial_number')],
  ['uid', (event) => textAt(event.document, 'host.id')],
  ['endpoint', (event) => textAt(event.document, 'host.hostname')],
  ['user', (event) => textAt(event.document, 'user.name')],
  ['srcip', (event) => textAt(event.document, 'source.ip')],
];

/** An alert's: what a SIEM routes and dedups alerts on. `level` is the Sigma level here (PRI carries the syslog one). */
const ALERT_SD_PARAMS: SdParams = [
  ['dataset', (event) => event.dataset],
  ['kind', () => 'alert'],
  ['id', (event) => textAt(event.document, 'event.id')],
  ['ruleid', (event) => textAt(event.document, 'rule.id')],
  ['ruletype', (event) => textAt(event.document, 'rule.category')],
  ['level', (event) => alertLevelOf(event)],
  ['count', (event) => textAt(event.document, 'fortiems.alert.count')],
  ['distinct', (event) => textAt(event.document, 'fortiems.alert.distinct')],
  ['group', alertGroupKey],
  ['srcip', alertSourceIp],
  ['user', alertUser],
  ['endpoint', alertHost],
  ['start', (event) => textAt(event.document, 'fortiems.alert.window.start')],
  ['end', (event) => textAt(event.document, 'fortiems.alert.window.end')],
  ['technique', (event) => textAt(event.document, 'threat.technique.id')],
];

/**
 * PARAM-VALUE (RFC 5424 §6.3.3): `"`, `\` and `]` must be backslash-escaped. quoteValue already escapes `"` and `\` and
 * writes control characters as `\n`/`\xNN` (a raw newline would split a newline-framed stream); `]` is added here.
 */
export function sdParamValue(value: string): string {
  return quoteValue(value).replace(/]/g, '\\]');
}

export function structuredData(event: ParsedEvent): string {
  let sd = `[${SD_ID}`;
  for (const [name, read] of isAlert(event) ? ALERT_SD_PARAMS : SD_PARAMS) {
    const value = read(event);
    if (value !== undefined) sd += ` ${name}=${sdParamValue(value)}`;
  }
  return `${sd}]`;
}

export const formatRfc5424: Formatter = (event, options) =>
  rfc5424Header({
    priority: priorityOf(event, options),
    timestamp: rfc5424Timestamp(wallClock(new Date(epochOf(event)), 'UTC')),
    // Field limits of RFC 5424 §6; NILVALUE `-` when empty.
    hostname: printableToken(hostnameOf(event, options), HEADER_LIMITS.hostname, '-'),
    appName: printableToken(appNameOf(event, options), HEADER_LIMITS.appName, '-'),
    msgId: isAlert(event) ? 'alert' : printableToken(textAt(event.document, 'event.action'), HEADER_LIMITS.msgId, '-'),
    structuredData: structuredData(event),
  }) + keyValueBody(event);
