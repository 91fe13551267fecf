/**
 * IBM QRadar LEEF 2.0: `LEEF:2.0|Fortinet|FortiClient EMS|<version>|<event id>|x09|` then tab-separated key=value.
 * The sixth header field names the delimiter (`x09` = tab, the LEEF default), so parsers need not guess it. The key
 * table is documented in README.md; predefined LEEF keys are used where one exists, the rest are custom keys.
 */

import { alertLevelOf, epochOf, isAlert, levelOf } from '../../../parsers/event-fields.js';
import type { ParsedEvent } from '../../../parsers/parse-line.js';
import type { Formatter } from '../forward-format.js';
import { alertGroupKey, alertHost, alertSeverity0to10, alertSourceIp, alertUser } from './alert-fields.js';
import { at, colonMac, escapeHeader, eventIdOf, productVersionOf, type Read, SEVERITY_0_10 } from './siem-fields.js';

export const LEEF_DELIMITER = '\t';

/** LEEF key → value source, in output order. */
export const LEEF_ATTRIBUTES: readonly (readonly [string, Read])[] = [
  // Epoch milliseconds: QRadar reads a numeric devTime as epoch ms when no devTimeFormat is given.
  ['devTime', (event) => String(epochOf(event))],
  ['cat', (event) => event.category ?? event.dataset],
  // LEEF sev is 1-10; debug (1) is already the floor of the shared scale.
  ['sev', (event) => String(Math.max(1, SEVERITY_0_10[levelOf(event)]))],
  ['src', at('source.ip', 'host.ip')],
  ['srcPort', at('source.port')],
  ['dst', at('destination.ip')],
  ['dstPort', at('destination.port')],
  // ECS writes MACs with dashes; CEF/LEEF consumers expect the colon form.
  ['srcMAC', (event) => colonMac(at('host.mac', 'source.mac')(event))],
  ['usrName', at('user.name')],
  ['identHostName', at('host.hostname')],
  ['proto', at('network.protocol')],
  ['action', at('event.action')],
  ['outcome', at('event.outcome')],
  ['msg', at('message')],
  ['dataset', (event) => event.dataset],
  ['emsHost', at('observer.hostname')],
  ['emsSerial', at('ems.emsserial', 'observer.serial_number')],
  ['devId', at('device.serial_number')],
  ['endpointUid', at('host.id')],
  ['targetUser', at('user.target.name')],
  ['server', at('destination.domain', 'server.address')],
  ['fctVersion', at('agent.version')],
  ['reason', at('error.message')],
];

/** An alert's attributes: predefined keys for its time, severity and subject, custom ones for the rule and group. */
export const LEEF_ALERT_ATTRIBUTES: readonly (readonly [string, Read])[] = [
  ['devTime', (event) => String(epochOf(event))],
  ['cat', (event) => event.dataset],
  ['sev', (event) => String(alertSeverity0to10(event))],
  ['src', alertSourceIp],
  ['usrName', alertUser],
  ['identHostName', alertHost],
  ['msg', at('message')],
  ['alertId', at('event.id')],
  ['ruleId', at('rule.id')],
  ['ruleName', at('rule.name')],
  ['ruleType', at('rule.category')],
  ['ruleLevel', (event) => alertLevelOf(event)],
  ['count', at('fortiems.alert.count')],
  ['distinct', at('fortiems.alert.distinct')],
  ['group', alertGroupKey],
  ['firstSeen', at('fortiems.alert.first_seen')],
  ['lastSeen', at('fortiems.alert.last_seen')],
  ['windowStart', at('fortiems.alert.window.start')],
  ['windowEnd', at('fortiems.alert.window.end')],
  ['tactics', at('threat.tactic.name')],
  ['techniques', at('threat.technique.id')],
];

/**
 * Attribute value: `\`, `=` and the delimiter backslash-escaped (tab as `\t`), CR/LF as `\r`/`\n`; other control
 * characters become a space. The result contains neither a tab nor a line break.
 */
export function escapeLeefValue(value: string): string {
  return value
    .replace(/[\\=]/g, '\\$&')
    .replace(/\t/g, '\\t')
    .replace(/\r/g, '\\r')
    .replace(/\n/g, '\\n')
    .replace(/[\p{Cc}\u2028\u2029]/gu, ' ');
}

export function leefAttributes(event: ParsedEvent): string {
  const parts: string[] = [];
  for (const [key, read] of isAlert(event) ? LEEF_ALERT_ATTRIBUTES : LEEF_ATTRIBUTES) {
    const value = read(event);
    if (value !== undefined) parts.push(`${key}=${escapeLeefValue(value)}`);
  }
  return parts.join(LEEF_DELIMITER);
}

export const formatLeef: Formatter = (event) =>
  `LEEF:2.0|Fortinet|FortiClient EMS|${escapeHeader(productVersionOf(event))}|${escapeHeader(eventIdOf(event))}|x09|${leefAttributes(event)}`;
