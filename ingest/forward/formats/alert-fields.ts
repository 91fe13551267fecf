/**
 * The alert reader: what the formatters take from a detection alert (an AlertDocument, mappings/opensearch/alerts.ts,
 * wrapped by detections/runtime/outputs/alert-event.ts). The formatters keep their shape and only switch to these
 * readers when `isAlert(event)`, so the header, framing and escaping code stays one per format. Group values, host and
 * user names come from log lines an attacker can write: nothing here escapes, every formatter escapes what it writes.
 */
import type { AlertLevel } from '../../../mappings/index.js';
import { alertLevelOf, fieldAt, scalarText, textAt } from '../../../parsers/event-fields.js';
import type { ParsedEvent } from '../../../parsers/parse-line.js';
import { at, type Read } from './siem-fields.js';

/**
 * Sigma levels on the 0-10 scale of CEF and LEEF, by the ArcSight bands (0-3 low, 4-6 medium, 7-8 high, 9-10 very
 * high): an analyst's triage queue sorts a `critical` alert above any single `critical` log line (8).
 */
export const ALERT_SEVERITY_0_10: Readonly<Record<AlertLevel, number>> = {
  critical: 10,
  high: 8,
  medium: 5,
  low: 3,
  informational: 1,
};

/** CEF/LEEF severity of an alert; an alert without a known level ranks as `medium`, the scheduler's own default. */
export function alertSeverity0to10(event: ParsedEvent): number {
  return ALERT_SEVERITY_0_10[alertLevelOf(event) ?? 'medium'];
}

/** The group-by fields a correlation rule may use for each subject, ECS first, then the raw EMS names. */
const GROUP_FIELDS = {
  sourceIp: ['source.ip', 'srcip', 'ems.srcip', 'client.ip'],
  user: ['user.name', 'user', 'ems.user'],
  host: ['host.hostname', 'hostname', 'ems.hostname'],
} as const;

function groupValue(event: ParsedEvent, names: readonly string[]): string | undefined {
  const group = fieldAt(event.document, 'fortiems.alert.group');
  if (group === null || typeof group !== 'object' || Array.isArray(group)) return undefined;
  for (const name of names) {
    const value = scalarText((group as Record<string, unknown>)[name]);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** A plain rule's matching event names the subject; a correlation's firing group may (e.g. grouped by `user.name`). */
const subject =
  (sourceEventField: string, names: readonly string[]): Read =>
  (event) =>
    textAt(event.document, `fortiems.alert.source_event.${sourceEventField}`) ?? groupValue(event, names);

export const alertSourceIp: Read = subject('source_ip', GROUP_FIELDS.sourceIp);
export const alertUser: Read = subject('user', GROUP_FIELDS.user);
export const alertHost: Read = subject('host', GROUP_FIELDS.host);

/** `fortiems.alert.group_key` (`field=value, …`); absent for a rule without group-by (the document holds `''`). */
export const alertGroupKey: Read = at('fortiems.alert.group_key');

/** An ISO time of the alert as epoch ms text (CEF `rt`-style timestamps); undefined when absent or unparsable. */
export const epochAt =
  (path: string): Read =>
  (event) => {
    const text = textAt(event.document, path);
    const epoch = text === undefined ? Number.NaN : Date.parse(text);
    return Number.isNaN(epoch) ? undefined : String(epoch);
  };

/**
 * The alert as ordered key=value pairs: the MSG of the syslog formats (RFC 3164 has no structured data, so the fields
 * a SIEM filters on travel here) and the reference for the other tables.
 */
export const ALERT_PAIRS: readonly (readonly [string, Read])[] = [
  ['msg', at('message')],
  ['rule_id', at('rule.id')],
  ['rule_name', at('rule.name')],
  ['rule_type', at('rule.category')],
  ['level', (event) => alertLevelOf(event)],
  ['count', at('fortiems.alert.count')],
  ['distinct', at('fortiems.alert.distinct')],
  ['group', alertGroupKey],
  ['src_ip', alertSourceIp],
  ['user', alertUser],
  ['host', alertHost],
  ['first_seen', at('fortiems.alert.first_seen')],
  ['last_seen', at('fortiems.alert.last_seen')],
  ['window_start', at('fortiems.alert.window.start')],
  ['window_end', at('fortiems.alert.window.end')],
  ['tactics', at('threat.tactic.name')],
  ['techniques', at('threat.technique.id')],
  ['alert_id', at('event.id')],
];

/** The present pairs of ALERT_PAIRS, in order, as text. */
export function alertPairs(event: ParsedEvent): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const [key, read] of ALERT_PAIRS) {
    const value = read(event);
    if (value !== undefined) pairs[key] = value;
  }
  return pairs;
}
