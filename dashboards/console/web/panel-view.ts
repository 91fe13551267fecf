import type { Panel } from '../../boards/model.js';
import type { PanelAnswer, PanelData } from '../api-types.js';
import { api } from './api.js';
import { h, replaceChildren } from './dom.js';
import { eventTable } from './event-table.js';
import { renderBars } from './panels/bars.js';
import { renderPie } from './panels/pie.js';
import { renderStat } from './panels/stat.js';
import { renderTermsTable } from './panels/terms-table.js';
import { renderTimeseries } from './panels/timeseries.js';

// Grafana's grid: a height unit is 30 px; the stylesheet's grid rows match.
export const GRID_ROW_PX = 30;

/** How much a panel shows, for the `data-count` attribute the browser tests read (and a "No data" state). */
function amount(data: PanelData): number {
  switch (data.type) {
    case 'value':
      return data.value;
    case 'buckets':
      return data.buckets.reduce((sum, bucket) => sum + bucket.count, 0);
    case 'series':
      return data.series.reduce((sum, series) => sum + series.values.reduce((a, b) => a + b, 0), 0);
    case 'events':
      return data.rows.length;
  }
}

/** Draws data in the panel's body by its kind; returns what tears the drawing down (uPlot, observers). */
function draw(body: HTMLElement, panel: Panel, data: PanelData, openEvent: (id: string) => void): (() => void) | undefined {
  if (data.type === 'value') renderStat(body, data.value);
  else if (data.type === 'series') return renderTimeseries(body, data);
  else if (data.type === 'events') body.appendChild(eventTable(data, openEvent));
  else if (panel.kind === 'pie') renderPie(body, data.buckets);
  else if (panel.kind === 'bar') return renderBars(body, data.buckets);
  else renderTermsTable(body, data.buckets, panel.query.type === 'terms' ? panel.query.distinct : undefined);
  return undefined;
}

export interface PanelContext {
  boardId: string;
  query: Record<string, string | readonly string[]>;
  signal: AbortSignal;
  openEvent: (id: string) => void;
  /** Registers a teardown to run when the view is replaced. */
  onDispose: (dispose: () => void) => void;
}

/** One panel on the 24-column grid: frame at once, data when its search answers. */
export function panelView(panel: Panel, context: PanelContext): HTMLElement {
  const body = h('div', { class: 'panel-body' }, h('p', { class: 'muted' }, 'Loading…'));
  const element = h(
    'section',
    { class: `panel panel-${panel.kind}`, attrs: { 'data-panel': panel.id, 'data-kind': panel.kind, 'data-state': 'loading' } },
    h('header', {}, h('h3', { attrs: { title: panel.description ?? panel.title } }, panel.title)),
    body,
  );
  // Custom properties, not grid-column itself, so the stylesheet can still stack panels on a narrow screen.
  element.style.setProperty('--width', String(Math.min(24, Math.max(1, Math.round(panel.width)))));
  element.style.setProperty('--height', String(Math.max(2, Math.round(panel.height))));

  void (async () => {
    let answer: PanelAnswer;
    try {
      answer = await api<PanelAnswer>(`/boards/${context.boardId}/panels/${panel.id}`, { query: context.query, signal: context.signal });
    } catch (error) {
      if (context.signal.aborted) return;
      element.dataset.state = 'error';
      replaceChildren(body, h('p', { class: 'error' }, error instanceof Error ? error.message : String(error)));
      return;
    }
    const count = amount(answer.data);
    element.dataset.count = String(count);
    element.dataset.state = count === 0 && answer.data.type !== 'value' ? 'empty' : 'ready';
    replaceChildren(body);
    if (count === 0 && answer.data.type !== 'value') {
      body.appendChild(h('p', { class: 'muted no-data' }, 'No data in this range'));
      return;
    }
    const dispose = draw(body, panel, answer.data, context.openEvent);
    if (dispose) context.onDispose(dispose);
    if (answer.warnings.length > 0) body.appendChild(h('p', { class: 'warning' }, `Partial data: ${answer.warnings.join('; ')}`));
  })();
  return element;
}
