/**
 * The console's single page: header and navigation, the shared toolbar, the current view (a board, the events, the
 * log settings) and the event drawer. The URL's hash is the state; every change goes through it.
 */
import type { BoardsAnswer, SessionAnswer } from '../api-types.js';
import { createAlertDrawer } from './alert-drawer.js';
import { alertsView } from './alerts-view.js';
import { api, LOGIN_PAGE } from './api.js';
import { boardView } from './board-view.js';
import { deadLettersView } from './dead-letters-view.js';
import { h, replaceChildren } from './dom.js';
import { createDrawer } from './event-drawer.js';
import { eventsView } from './events-view.js';
import { navLink, pointLink } from './nav.js';
import { settingsView } from './settings-view.js';
import { dataQuery, parseHash, REFRESH_CHOICES, toHash, type View, type ViewState } from './state.js';
import { systemView } from './system-view.js';
import { createToolbar } from './toolbar.js';

const viewKey = (view: View) => (view.kind === 'board' ? `board:${view.id}` : view.kind);

async function start(root: HTMLElement) {
  const [session, boards] = await Promise.all([api<SessionAnswer>('/session'), api<BoardsAnswer>('/boards')]);
  const defaultBoard = boards.boards[0]?.id ?? 'overview';
  const current = () => parseHash(window.location.hash, defaultBoard);
  const change = (partial: Partial<ViewState>) => {
    const next = { ...current(), ...partial };
    const hash = toHash(next);
    if (hash === window.location.hash) render();
    else window.location.hash = hash;
  };

  const drawer = createDrawer();
  const alertDrawer = createAlertDrawer({
    openEvent: (id) => void drawer.open(id),
    canChange: session.alertChanges === true,
    // The list behind the drawer shows the new status, when it is the view on screen.
    onChanged: () => {
      if (current().view.kind === 'alerts') render();
    },
  });
  const alertBoards = new Set(boards.boards.filter((board) => board.source === 'alerts').map((board) => board.id));
  const toolbar = createToolbar(boards.variables, change, () => render(), alertBoards);
  // Each view's link keeps the range, query and variables, so switching views keeps what the analyst narrowed down.
  const destinations: { view: View; label: string }[] = [
    ...boards.boards.map((board) => ({
      view: { kind: 'board', id: board.id } as View,
      label: board.title.replace(/^FortiClient EMS — /, ''),
    })),
    { view: { kind: 'events' }, label: 'Events' },
    { view: { kind: 'alerts' }, label: 'Alerts' },
    { view: { kind: 'settings' }, label: 'Log settings' },
    { view: { kind: 'system' }, label: 'System' },
    { view: { kind: 'dead-letters' }, label: 'Dead letters' },
  ];
  const links = destinations.map((destination) => ({ ...destination, link: navLink(destination.label, viewKey(destination.view)) }));
  const nav = h('nav', { class: 'nav' }, ...links.map((entry) => entry.link));
  const logout = h(
    'button',
    {
      class: 'logout',
      attrs: { type: 'button', 'data-control': 'logout' },
      on: {
        click: async () => {
          await api('/logout', { method: 'POST' }).catch(() => undefined);
          window.location.assign(LOGIN_PAGE);
        },
      },
    },
    'Log out',
  );
  const main = h('main', { class: 'view' });
  replaceChildren(
    root,
    h('header', { class: 'top' }, h('span', { class: 'brand' }, 'fortiems'), nav, h('span', { class: 'user' }, session.user), logout),
    toolbar.element,
    main,
    alertDrawer.element,
    drawer.element,
  );

  let controller: AbortController | undefined;
  let disposers: (() => void)[] = [];
  let timer: ReturnType<typeof setInterval> | undefined;
  let timerChoice = '';

  function render() {
    const state = current();
    controller?.abort();
    for (const dispose of disposers.splice(0)) dispose();
    controller = new AbortController();
    const signal = controller.signal;
    disposers = [];
    toolbar.sync(state);
    for (const entry of links) {
      pointLink(entry.link, toHash({ ...state, view: entry.view, page: 1 }));
      entry.link.classList.toggle('active', viewKey(entry.view) === viewKey(state.view));
    }
    toolbar.element.hidden = state.view.kind === 'settings' || state.view.kind === 'system' || state.view.kind === 'dead-letters';

    const context = {
      query: dataQuery(state),
      signal,
      openEvent: (id: string) => void drawer.open(id),
      onDispose: (fn: () => void) => disposers.push(fn),
    };
    if (state.view.kind === 'events') replaceChildren(main, eventsView(state, { signal, openEvent: context.openEvent, change }));
    else if (state.view.kind === 'alerts')
      replaceChildren(main, alertsView(state, { signal, openAlert: (id) => void alertDrawer.open(id), change }));
    else if (state.view.kind === 'settings') replaceChildren(main, settingsView(session.emsApi, signal));
    else if (state.view.kind === 'system') replaceChildren(main, systemView(signal));
    else if (state.view.kind === 'dead-letters') replaceChildren(main, deadLettersView(signal));
    else {
      const view = state.view;
      const board = boards.boards.find((candidate) => candidate.id === view.id);
      replaceChildren(main, board ? boardView(board, context) : h('p', { class: 'error' }, 'No such board'));
    }

    // Auto-refresh re-renders the view with the same (relative) range, so `now-15m` moves with the clock.
    if (timerChoice !== state.refresh) {
      timerChoice = state.refresh;
      if (timer !== undefined) clearInterval(timer);
      timer = REFRESH_CHOICES[state.refresh] > 0 ? setInterval(() => render(), REFRESH_CHOICES[state.refresh]) : undefined;
    }
  }

  window.addEventListener('hashchange', () => render());
  render();
}

const root = document.getElementById('app');
if (root) {
  start(root).catch((error: unknown) => {
    replaceChildren(
      root,
      h('p', { class: 'error' }, `The console could not start: ${error instanceof Error ? error.message : String(error)}`),
    );
  });
}
