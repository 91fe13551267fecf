import type { EventAnswer } from '../api-types.js';
import { api } from './api.js';
import { h, replaceChildren } from './dom.js';
import { formatCell } from './format.js';
import { flattenFields, valueAt } from './source-fields.js';

export interface Drawer {
  element: HTMLElement;
  open(id: string): Promise<void>;
  close(): void;
}

/** The details of one event, beside the view: the raw line as received, then every field of the document. */
export function createDrawer(): Drawer {
  const content = h('div', { class: 'drawer-content' });
  const title = h('h2', { attrs: { id: 'drawer-title' } }, 'Event');
  const element = h(
    'aside',
    { class: 'drawer', attrs: { hidden: true, role: 'dialog', 'aria-labelledby': 'drawer-title', 'data-drawer': 'event' } },
    h(
      'header',
      {},
      title,
      h(
        'button',
        { class: 'close', attrs: { type: 'button', 'aria-label': 'Close', 'data-control': 'drawer-close' }, on: { click: () => close() } },
        '×',
      ),
    ),
    content,
  );
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !element.hidden) {
      // Handled: a drawer beneath this one (an alert's) stays open.
      event.preventDefault();
      close();
    }
  });

  function close() {
    element.hidden = true;
  }

  async function open(id: string) {
    element.hidden = false;
    element.dataset.eventId = id;
    replaceChildren(title, 'Event');
    replaceChildren(content, h('p', { class: 'muted' }, 'Loading…'));
    let event: EventAnswer;
    try {
      event = await api<EventAnswer>(`/events/${encodeURIComponent(id)}`);
    } catch (error) {
      replaceChildren(content, h('p', { class: 'error' }, error instanceof Error ? error.message : String(error)));
      return;
    }
    const action = valueAt(event.source, 'event.action');
    const message = valueAt(event.source, 'message');
    replaceChildren(title, String(message ?? action ?? 'Event'));
    const raw = valueAt(event.source, 'event.original');
    const fields = flattenFields(event.source).filter(([path]) => path !== 'event.original');
    replaceChildren(
      content,
      h('p', { class: 'muted' }, `${event.index} · ${event.id}`),
      h('h3', {}, 'Raw line'),
      h('pre', { class: 'raw-line', attrs: { 'data-field': 'event.original' } }, raw === undefined ? '(not kept)' : String(raw)),
      h('h3', {}, `Fields (${fields.length})`),
      h(
        'table',
        { class: 'data-table fields' },
        h(
          'tbody',
          {},
          ...fields.map(([path, value]) =>
            h('tr', { attrs: { 'data-field': path } }, h('th', {}, path), h('td', {}, formatCell(path, value))),
          ),
        ),
      ),
    );
  }

  return { element, open, close };
}
