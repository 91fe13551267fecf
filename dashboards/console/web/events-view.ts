import type { EventsAnswer } from '../api-types.js';
import { api } from './api.js';
import { h, replaceChildren } from './dom.js';
import { eventTable } from './event-table.js';
import { formatNumber } from './format.js';
import { dataQuery, PAGE_SIZES, type ViewState } from './state.js';

export interface EventsContext {
  signal: AbortSignal;
  openEvent: (id: string) => void;
  change: (partial: Partial<ViewState>) => void;
}

// OpenSearch pages no deeper than its max_result_window; the API refuses past it too.
const MAX_WINDOW = 10_000;

/** The matching events, newest first, a page at a time; the toolbar's category select filters by category. */
export function eventsView(state: ViewState, context: EventsContext): HTMLElement {
  const summary = h('p', { class: 'muted', attrs: { 'data-role': 'events-total' } }, 'Loading…');
  const tableHolder = h('div', { class: 'table-scroll' });
  const pager = h('div', { class: 'pager' });
  const element = h(
    'div',
    { class: 'events-view', attrs: { 'data-view': 'events', 'data-state': 'loading' } },
    h('div', { class: 'view-head' }, h('h1', {}, 'Events'), summary),
    tableHolder,
    pager,
  );

  void (async () => {
    let answer: EventsAnswer;
    try {
      answer = await api<EventsAnswer>('/events', {
        query: { ...dataQuery(state), page: state.page, size: state.size },
        signal: context.signal,
      });
    } catch (error) {
      if (context.signal.aborted) return;
      element.dataset.state = 'error';
      replaceChildren(
        summary,
        h('span', { class: 'error', attrs: { 'data-role': 'error' } }, error instanceof Error ? error.message : String(error)),
      );
      return;
    }
    element.dataset.state = 'ready';
    element.dataset.total = String(answer.total);
    const pages = Math.max(1, Math.ceil(Math.min(answer.total, MAX_WINDOW) / answer.size));
    const first = answer.total === 0 ? 0 : (answer.page - 1) * answer.size + 1;
    const last = (answer.page - 1) * answer.size + answer.rows.length;
    replaceChildren(summary, `${formatNumber(answer.total)} matching events · showing ${formatNumber(first)}–${formatNumber(last)}`);
    if (answer.warnings.length > 0) summary.appendChild(h('span', { class: 'warning' }, ` Partial data: ${answer.warnings.join('; ')}`));
    replaceChildren(
      tableHolder,
      answer.rows.length === 0 ? h('p', { class: 'muted no-data' }, 'No events match') : eventTable(answer, context.openEvent),
    );

    const size = h(
      'select',
      { attrs: { 'aria-label': 'Page size', 'data-control': 'page-size' } },
      ...PAGE_SIZES.map((choice) => h('option', { attrs: { value: choice } }, `${choice} per page`)),
    );
    size.value = String(answer.size);
    size.addEventListener('change', () => context.change({ size: Number(size.value), page: 1 }));
    replaceChildren(
      pager,
      h(
        'button',
        {
          attrs: { type: 'button', disabled: answer.page <= 1, 'data-control': 'page-prev' },
          on: { click: () => context.change({ page: answer.page - 1 }) },
        },
        '← Newer',
      ),
      h('span', { attrs: { 'data-role': 'page' } }, `Page ${answer.page} of ${pages}`),
      h(
        'button',
        {
          attrs: { type: 'button', disabled: answer.page >= pages, 'data-control': 'page-next' },
          on: { click: () => context.change({ page: answer.page + 1 }) },
        },
        'Older →',
      ),
      size,
    );
  })();
  return element;
}
