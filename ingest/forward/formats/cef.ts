/**
 * ArcSight CEF 0 (Micro Focus "Implementing ArcSight CEF" rev. 25):
 * `CEF:0|Fortinet|FortiClient EMS|<version>|<signature id>|<name>|<severity>|<extension>`.
 * The key table is documented in README.md; custom strings use cs1..cs6 with their labels.
 */

import { epochOf, isAlert, levelOf, textAt } from '../../../parsers/event-fields.js';
import type { ParsedEvent } from '../../../parsers/parse-line.js';
import type { Formatter } from '../forward-format.js';
import { alertGroupKey, alertHost, alertSeverity0to10, alertSourceIp, alertUser, epochAt } from './alert-fields.js';
import { at, colonMac, escapeHeader, eventIdOf, productVersionOf, type Read, SEVERITY_0_10 } from './siem-fields.js';

/** CEF extension key → value source, in output order. Labels for cs1..cs6 are written right after their value. */
export const CEF_EXTENSION: readonly (readonly [string, Read])[] = [
  ['rt', (event) => String(epochOf(event))],
  ['src', at('source.ip', 'host.ip')],
  ['spt', at('source.port')],
  ['dst', at('destination.ip')],
  ['dpt', at('destination.port')],
  ['suser', at('user.name')],
  ['duser', at('user.target.name')],
  ['shost', at('host.hostname', 'source.domain')],
  ['dhost', at('destination.domain', 'server.address')],
  // ECS writes MACs with dashes; CEF/LEEF consumers expect the colon form.
  ['smac', (event) => colonMac(at('host.mac', 'source.mac')(event))],
  ['dvchost', at('observer.hostname')],
  ['deviceExternalId', at('observer.serial_number')],
  ['cat', at('event.category')],
  ['act', at('event.action')],
  ['outcome', at('event.outcome')],
  ['reason', at('error.message')],
  ['msg', at('message')],
  ['cs1', (event) => event.category],
  ['cs2', (event) => event.dataset],
  ['cs3', at('ems.emsserial', 'observer.serial_number')],
  ['cs4', at('device.serial_number')],
  ['cs5', at('host.id')],
  ['cs6', at('agent.version')],
];

export const CEF_LABELS: Readonly<Record<string, string>> = {
  cs1: 'category',
  cs2: 'dataset',
  cs3: 'emsSerial',
  cs4: 'deviceId',
  cs5: 'endpointUid',
  cs6: 'forticlientVersion',
};

/**
 * Extension value: `\` and `=` backslash-escaped, CR/LF as `\r`/`\n` (the spec's only multi-line form); other control
 * characters become a space, as CEF defines no escape for them and they must not reach the frame.
 */
export function escapeCefValue(value: string): string {
  return value
    .replace(/[\\=]/g, '\\$&')
    .replace(/\r/g, '\\r')
    .replace(/\n/g, '\\n')
    .replace(/[\p{Cc}\u2028\u2029]/gu, ' ');
}

/** An alert's extension: its subject, count and times in the standard keys, the rule and group in labelled custom ones. */
export const CEF_ALERT_EXTENSION: readonly (readonly [string, Read])[] = [
  ['rt', (event) => String(epochOf(event))],
  ['externalId', at('event.id')],
  ['cnt', at('fortiems.alert.count')],
  ['src', alertSourceIp],
  ['suser', alertUser],
  ['shost', alertHost],
  // The matching activity; the searched window goes in the custom dates.
  ['start', epochAt('fortiems.alert.first_seen')],
  ['end', epochAt('fortiems.alert.last_seen')],
  ['cat', at('threat.tactic.name')],
  ['msg', at('message')],
  ['cs1', alertGroupKey],
  ['cs2', (event) => event.dataset],
  ['cs3', at('fortiems.alert.level')],
  ['cs4', at('threat.technique.id')],
  ['cs5', at('rule.reference')],
  ['cs6', at('rule.category')],
  ['cn1', at('fortiems.alert.distinct')],
  ['deviceCustomDate1', epochAt('fortiems.alert.window.start')],
  ['deviceCustomDate2', epochAt('fortiems.alert.window.end')],
];

export const CEF_ALERT_LABELS: Readonly<Record<string, string>> = {
  cs1: 'group',
  cs2: 'dataset',
  cs3: 'ruleLevel',
  cs4: 'techniques',
  cs5: 'ruleFile',
  cs6: 'ruleType',
  cn1: 'distinctCount',
  deviceCustomDate1: 'windowStart',
  deviceCustomDate2: 'windowEnd',
};

export function cefExtension(event: ParsedEvent): string {
  const [table, labels] = isAlert(event) ? [CEF_ALERT_EXTENSION, CEF_ALERT_LABELS] : [CEF_EXTENSION, CEF_LABELS];
  const parts: string[] = [];
  for (const [key, read] of table) {
    const value = read(event);
    if (value === undefined) continue;
    parts.push(`${key}=${escapeCefValue(value)}`);
    const label = labels[key];
    if (label) parts.push(`${key}Label=${label}`);
  }
  return parts.join(' ');
}

/** Name (header): an alert's is its rule's title, an event's its message, else the event id. */
function nameOf(event: ParsedEvent): string {
  return (isAlert(event) ? textAt(event.document, 'rule.name') : textAt(event.document, 'message')) ?? eventIdOf(event);
}

export const formatCef: Formatter = (event) => {
  const header = [
    'CEF:0',
    'Fortinet',
    'FortiClient EMS',
    escapeHeader(productVersionOf(event)),
    escapeHeader(eventIdOf(event)),
    // Name is required by CEF.
    escapeHeader(nameOf(event)),
    String(isAlert(event) ? alertSeverity0to10(event) : SEVERITY_0_10[levelOf(event)]),
  ].join('|');
  return `${header}|${cefExtension(event)}`;
};
