import type { AlertsAnswer } from '../api-types.js';
import { ALERT_LEVELS, ALERT_STATUSES } from './alert-levels.js';
import { alertTable, levelBadge, statusBadge } from './alert-table.js';
import { api } from './api.js';
import { h, replaceChildren } from './dom.js';
import { formatNumber } from './format.js';
import { pagerControls, showListingError, showListingSummary } from './pager.js';
import type { ViewState } from './state.js';

export interface AlertsContext {
  signal: AbortSignal;
  openAlert: (id: string) => void;
  change: (partial: Partial<ViewState>) => void;
}

/** The counts per level on top: what the range and query hold, whatever the minimum level selected. */
function levelCounts(levels: AlertsAnswer['levels']): HTMLElement {
  return h(
    'ul',
    { class: 'level-counts', attrs: { 'data-role': 'level-counts' } },
    ...[...ALERT_LEVELS]
      .reverse()
      .map((level) =>
        h('li', { attrs: { 'data-level': level, 'data-count': levels[level] ?? 0 } }, levelBadge(level), formatNumber(levels[level] ?? 0)),
      ),
  );
}

/** The counts per status, whatever the status selected: how much is still open. */
function statusCounts(statuses: AlertsAnswer['statuses'] | undefined): HTMLElement {
  return h(
    'ul',
    { class: 'level-counts status-counts', attrs: { 'data-role': 'status-counts' } },
    ...ALERT_STATUSES.map((status) =>
      h(
        'li',
        { attrs: { 'data-status': status, 'data-count': statuses?.[status] ?? 0 } },
        statusBadge(status),
        formatNumber(statuses?.[status] ?? 0),
      ),
    ),
  );
}

function filters(state: ViewState, answer: AlertsAnswer, change: AlertsContext['change']): HTMLElement {
  const status = h(
    'select',
    { attrs: { 'aria-label': 'Status', 'data-control': 'status' } },
    h('option', { attrs: { value: '' } }, 'Every status'),
    ...ALERT_STATUSES.map((choice) => h('option', { attrs: { value: choice } }, choice)),
  );
  status.value = state.status ?? '';
  status.addEventListener('change', () => change({ status: (status.value || undefined) as ViewState['status'], page: 1 }));

  const level = h(
    'select',
    { attrs: { 'aria-label': 'Minimum level', 'data-control': 'min-level' } },
    h('option', { attrs: { value: '' } }, 'Every level'),
    ...ALERT_LEVELS.slice(1).map((choice) => h('option', { attrs: { value: choice } }, `${choice} and above`)),
  );
  level.value = state.minLevel ?? '';
  level.addEventListener('change', () => change({ minLevel: (level.value || undefined) as ViewState['minLevel'], page: 1 }));

  const rule = h(
    'select',
    { attrs: { 'aria-label': 'Rule', 'data-control': 'rule' } },
    h('option', { attrs: { value: '' } }, 'Every rule'),
    ...answer.rules.map((choice) => h('option', { attrs: { value: choice.id } }, `${choice.name} (${formatNumber(choice.count)})`)),
  );
  // A rule from the URL stays selectable even when the range holds none of its alerts.
  if (state.rule && !answer.rules.some((choice) => choice.id === state.rule))
    rule.appendChild(h('option', { attrs: { value: state.rule } }, state.rule));
  rule.value = state.rule ?? '';
  rule.addEventListener('change', () => change({ rule: rule.value || undefined, page: 1 }));

  return h(
    'div',
    { class: 'toolbar-row alert-filters' },
    h('label', {}, h('span', {}, 'Level'), level),
    h('label', {}, h('span', {}, 'Rule'), rule),
    h('label', {}, h('span', {}, 'Status'), status),
  );
}

/** The alerts the detection scheduler raised, newest first, a page at a time, filtered by level, rule and status. */
export function alertsView(state: ViewState, context: AlertsContext): HTMLElement {
  const summary = h('p', { class: 'muted', attrs: { 'data-role': 'alerts-total' } }, 'Loading…');
  const counts = h('div');
  const controls = h('div');
  const tableHolder = h('div', { class: 'table-scroll' });
  const pager = h('div', { class: 'pager' });
  const element = h(
    'div',
    { class: 'alerts-view', attrs: { 'data-view': 'alerts', 'data-state': 'loading' } },
    h('div', { class: 'view-head' }, h('h1', {}, 'Alerts'), summary, counts, controls),
    tableHolder,
    pager,
  );

  void (async () => {
    let answer: AlertsAnswer;
    try {
      answer = await api<AlertsAnswer>('/alerts', {
        query: {
          from: state.from,
          to: state.to,
          q: state.q,
          level: state.minLevel,
          rule: state.rule,
          status: state.status,
          page: state.page,
          size: state.size,
        },
        signal: context.signal,
      });
    } catch (error) {
      if (context.signal.aborted) return;
      showListingError(element, summary, error);
      return;
    }
    showListingSummary(element, summary, answer, answer.alerts.length, 'alerts');
    replaceChildren(counts, levelCounts(answer.levels), statusCounts(answer.statuses));
    replaceChildren(controls, filters(state, answer, context.change));
    replaceChildren(
      tableHolder,
      answer.alerts.length === 0 ? h('p', { class: 'muted no-data' }, 'No alerts match') : alertTable(answer.alerts, context.openAlert),
    );
    replaceChildren(pager, ...pagerControls(answer, context.change));
  })();
  return element;
}
