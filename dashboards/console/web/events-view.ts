import type { EventsAnswer } from '../api-types.js';
import { api } from './api.js';
import { h, replaceChildren } from './dom.js';
import { eventTable } from './event-table.js';
import { pagerControls, showListingError, showListingSummary } from './pager.js';
import { dataQuery, type ViewState } from './state.js';

export interface EventsContext {
  signal: AbortSignal;
  openEvent: (id: string) => void;
  change: (partial: Partial<ViewState>) => void;
}

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
      showListingError(element, summary, error);
      return;
    }
    showListingSummary(element, summary, answer, answer.rows.length, 'events');
    replaceChildren(
      tableHolder,
      answer.rows.length === 0 ? h('p', { class: 'muted no-data' }, 'No events match') : eventTable(answer, context.openEvent),
    );

    replaceChildren(pager, ...pagerControls(answer, context.change));
  })();
  return element;
}
