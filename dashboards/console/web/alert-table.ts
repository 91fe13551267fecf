import type { AlertRow } from '../api-types.js';
import { alertField, levelOf, statusOf, subjectOf } from './alert-fields.js';
import { h } from './dom.js';
import { formatNumber, formatTime } from './format.js';

const COLUMNS = [
  ['time', 'Time'],
  ['level', 'Level'],
  ['status', 'Status'],
  ['rule', 'Rule'],
  ['group', 'Group'],
  ['host', 'Host'],
  ['user', 'User'],
  ['source-ip', 'Source IP'],
  ['count', 'Count'],
  ['assignee', 'Assignee'],
  ['message', 'Message'],
] as const;

export function levelBadge(level: string): HTMLElement {
  return h('span', { class: `badge level-${level}`, attrs: { 'data-level': level } }, level);
}

export function statusBadge(status: string): HTMLElement {
  return h('span', { class: `badge status-${status}`, attrs: { 'data-status': status } }, status);
}

function cells(alert: AlertRow): Record<(typeof COLUMNS)[number][0], Node | string> {
  const subject = subjectOf(alert);
  const count = Number(alertField(alert, 'fortiems.alert.count'));
  return {
    time: formatTime(alertField(alert, '@timestamp')),
    level: levelBadge(levelOf(alert)),
    status: statusBadge(statusOf(alert)),
    rule: alertField(alert, 'rule.name'),
    group: subject.group,
    host: subject.host,
    user: subject.user,
    'source-ip': subject.sourceIp,
    count: Number.isFinite(count) ? formatNumber(count) : '',
    assignee: alertField(alert, 'fortiems.alert.assignee'),
    message: alertField(alert, 'message'),
  };
}

/** Alerts as a table; a click (or Enter) on a row opens that alert's details. */
export function alertTable(alerts: readonly AlertRow[], open: (id: string) => void): HTMLTableElement {
  const head = h('tr', {}, ...COLUMNS.map(([, heading]) => h('th', {}, heading)));
  const rows = alerts.map((alert) => {
    const values = cells(alert);
    return h(
      'tr',
      {
        class: 'alert-row',
        attrs: { tabindex: 0, 'data-alert-id': alert.id, 'data-level': levelOf(alert), 'data-status': statusOf(alert) },
        on: {
          click: () => open(alert.id),
          keydown: (event) => {
            if (event.key === 'Enter') open(alert.id);
          },
        },
      },
      ...COLUMNS.map(([column]) => h('td', { class: column === 'count' ? 'num' : '', attrs: { 'data-column': column } }, values[column])),
    );
  });
  return h('table', { class: 'data-table events alerts' }, h('thead', {}, head), h('tbody', {}, ...rows));
}
