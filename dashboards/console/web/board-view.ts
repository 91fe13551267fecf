import type { Board } from '../../boards/model.js';
import { h } from './dom.js';
import { type PanelContext, panelView } from './panel-view.js';

/** A board: its title and description, then its panels on the 24-column grid in model order. */
export function boardView(board: Board, context: Omit<PanelContext, 'boardId'>): HTMLElement {
  return h(
    'div',
    { class: 'board', attrs: { 'data-board': board.id } },
    h('div', { class: 'view-head' }, h('h1', {}, board.title), h('p', { class: 'muted' }, board.description)),
    h('div', { class: 'board-grid' }, ...board.panels.map((panel) => panelView(panel, { ...context, boardId: board.id }))),
  );
}
