import type { Board } from './model.js';

/**
 * The alerts the detection scheduler raised and what analysts did with them (`fortiems-alerts-*`): how many, of which
 * rules and levels, and how many are still open, over time. `@timestamp` is when an alert was raised.
 */
export const alertsBoard: Board = {
  id: 'fortiems-alerts',
  source: 'alerts',
  title: 'FortiClient EMS — Alert activity',
  description: 'Alerts raised by the detection rules: counts by rule, level and status (open, acknowledged, closed) over time.',
  filter: '',
  panels: [
    { id: 'alerts-total', title: 'Alerts', kind: 'stat', query: { type: 'count' }, width: 6, height: 4 },
    {
      id: 'alerts-open',
      title: 'Open',
      kind: 'stat',
      filter: 'fortiems.alert.status:open',
      query: { type: 'count' },
      width: 6,
      height: 4,
    },
    {
      id: 'alerts-acknowledged',
      title: 'Acknowledged',
      kind: 'stat',
      filter: 'fortiems.alert.status:acknowledged',
      query: { type: 'count' },
      width: 6,
      height: 4,
    },
    {
      id: 'alerts-closed',
      title: 'Closed',
      kind: 'stat',
      filter: 'fortiems.alert.status:closed',
      query: { type: 'count' },
      width: 6,
      height: 4,
    },
    {
      id: 'status-over-time',
      title: 'Alerts by status over time',
      kind: 'timeseries',
      query: { type: 'date_histogram', splitBy: { field: 'fortiems.alert.status', size: 3 } },
      width: 12,
      height: 8,
    },
    {
      id: 'level-over-time',
      title: 'Alerts by level over time',
      kind: 'timeseries',
      query: { type: 'date_histogram', splitBy: { field: 'fortiems.alert.level', size: 5 } },
      width: 12,
      height: 8,
    },
    {
      id: 'rule-over-time',
      title: 'Alerts by rule over time',
      kind: 'timeseries',
      query: { type: 'date_histogram', splitBy: { field: 'rule.name', size: 10 } },
      width: 24,
      height: 8,
    },
    {
      id: 'by-rule',
      title: 'Alerts by rule and status',
      kind: 'bar',
      query: { type: 'terms', field: 'rule.name', size: 15, splitBy: { field: 'fortiems.alert.status', size: 3 } },
      width: 12,
      height: 8,
    },
    {
      id: 'by-level',
      title: 'Alerts by level',
      kind: 'pie',
      query: { type: 'terms', field: 'fortiems.alert.level', size: 5 },
      width: 6,
      height: 8,
    },
    {
      id: 'by-assignee',
      title: 'Worked alerts by assignee',
      kind: 'table',
      query: { type: 'terms', field: 'fortiems.alert.assignee', size: 10, splitBy: { field: 'fortiems.alert.status', size: 3 } },
      width: 6,
      height: 8,
    },
  ],
};
