import type { AlertRow } from '../api-types.js';
import { isAlertLevel, isAlertStatus } from './alert-levels.js';
import { valueAt } from './source-fields.js';

/**
 * Reading an alert for display. Documents come from the index, not from the type: an older scheduler, a hand-written
 * document or a partial one must still render, so every field is read defensively and shown as text.
 */
const text = (value: unknown): string =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';

export const alertField = (alert: AlertRow, path: string): string => text(valueAt(alert, path));

export const textList = (value: unknown): string[] => (Array.isArray(value) ? value.map(text).filter((item) => item !== '') : []);

/** A level known to the console (for the badge's class), else `unknown`. */
export function levelOf(alert: AlertRow): string {
  const level = valueAt(alert, 'fortiems.alert.level');
  return isAlertLevel(level) ? level : 'unknown';
}

/** The workflow status; an alert written before there was one is open. An unknown value shows as `unknown`. */
export function statusOf(alert: AlertRow): string {
  const status = valueAt(alert, 'fortiems.alert.status');
  if (status === undefined || status === null) return 'open';
  return isAlertStatus(status) ? status : 'unknown';
}

/** The group's values as `[field, value]`; flat_object keeps them under dotted or nested keys alike. */
export function groupEntries(alert: AlertRow): [string, string][] {
  const group = valueAt(alert, 'fortiems.alert.group');
  if (typeof group !== 'object' || group === null || Array.isArray(group)) return [];
  const entries: [string, string][] = [];
  const walk = (value: unknown, path: string) => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      for (const [key, child] of Object.entries(value)) walk(child, path === '' ? key : `${path}.${key}`);
    else entries.push([path, text(value)]);
  };
  walk(group, '');
  return entries;
}

/** Who or what the alert is about: a plain rule's matching event, else the correlation group's value for the field. */
export function subjectOf(alert: AlertRow): { group: string; host: string; user: string; sourceIp: string } {
  const group = valueAt(alert, 'fortiems.alert.group');
  const either = (eventField: string, groupFields: readonly string[]) =>
    alertField(alert, `fortiems.alert.source_event.${eventField}`) ||
    groupFields.map((field) => text(valueAt(group, field))).find((value) => value !== '') ||
    '';
  return {
    group: alertField(alert, 'fortiems.alert.group_key'),
    host: either('host', ['host.hostname', 'ems.hostname']),
    user: either('user', ['user.name', 'ems.user']),
    sourceIp: either('source_ip', ['source.ip']),
  };
}
