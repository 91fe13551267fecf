import type { AlertAnswer, AlertChangeAnswer, AlertChangeRequest, AlertRow } from '../api-types.js';
import { alertField, groupEntries, levelOf, statusOf, textList } from './alert-fields.js';
import { levelBadge, statusBadge } from './alert-table.js';
import { ApiError, api } from './api.js';
import { copyButton } from './copy-button.js';
import { h, replaceChildren } from './dom.js';
import { eventTable } from './event-table.js';
import { formatNumber, formatTime } from './format.js';
import { valueAt } from './source-fields.js';

export interface AlertDrawer {
  element: HTMLElement;
  open(id: string, notice?: string): Promise<void>;
  close(): void;
}

export interface AlertDrawerOptions {
  openEvent: (id: string) => void;
  /** The server can change alerts (SessionAnswer.alertChanges): without it the drawer shows no controls. */
  canChange: boolean;
  /** After a change is stored: the list behind shows it. */
  onChanged: () => void;
}

const section = (title: string, role: string, ...children: (Node | string | null)[]) =>
  h('section', { class: 'alert-section', attrs: { 'data-role': role } }, h('h3', {}, title), ...children);

const list = (items: readonly string[], itemClass = '') =>
  h('ul', { class: itemClass === '' ? 'plain-list' : 'chips' }, ...items.map((item) => h('li', { class: itemClass }, item)));

/** The ATT&CK side of the rule: its `attack.*` tags, and the tactics and techniques the scheduler read from them. */
function attack(alert: AlertRow): string[] {
  const tags = textList(alert.tags).filter((tag) => /^attack\./i.test(tag));
  const tactics = textList(valueAt(alert, 'threat.tactic.name')).map((name) => `tactic: ${name}`);
  const techniques = textList(valueAt(alert, 'threat.technique.id')).map((id) => `technique: ${id}`);
  return [...new Set([...tags, ...tactics, ...techniques])];
}

function facts(alert: AlertRow): HTMLElement {
  const count = alertField(alert, 'fortiems.alert.count');
  const distinct = alertField(alert, 'fortiems.alert.distinct');
  const time = (path: string) => {
    const value = alertField(alert, path);
    return value === '' ? '' : formatTime(value);
  };
  const rows: [string, string, string][] = [
    ['window', 'Window', `${time('fortiems.alert.window.start')} → ${time('fortiems.alert.window.end')}`],
    ['seen', 'First / last event', `${time('fortiems.alert.first_seen')} → ${time('fortiems.alert.last_seen')}`],
    ['count', 'Matching events', count === '' ? '' : formatNumber(Number(count))],
    ['distinct', 'Distinct values', distinct === '' ? '' : formatNumber(Number(distinct))],
    ['type', 'Rule type', alertField(alert, 'rule.category')],
    ['reference', 'Rule file', alertField(alert, 'rule.reference')],
    ['author', 'Author', alertField(alert, 'rule.author')],
    ['raised', 'Raised', time('@timestamp')],
  ];
  return h(
    'table',
    { class: 'data-table fields' },
    h(
      'tbody',
      {},
      ...rows
        .filter(([, , value]) => value !== '')
        .map(([key, label, value]) => h('tr', { attrs: { 'data-fact': key } }, h('th', {}, label), h('td', {}, value))),
    ),
  );
}

function groupTable(alert: AlertRow): HTMLElement {
  const entries = groupEntries(alert);
  if (entries.length === 0) return h('p', { class: 'muted' }, 'No group: the rule matches single events.');
  return h(
    'table',
    { class: 'data-table fields' },
    h('tbody', {}, ...entries.map(([field, value]) => h('tr', { attrs: { 'data-field': field } }, h('th', {}, field), h('td', {}, value)))),
  );
}

function matchingEvents(answer: AlertAnswer, openEvent: (id: string) => void): HTMLElement {
  const wanted = textList(valueAt(answer.alert, 'fortiems.alert.event_ids')).length;
  const found = answer.events.rows.length;
  const note = found < wanted ? ` (${formatNumber(wanted - found)} no longer indexed)` : '';
  return section(
    'Matching events',
    'alert-events',
    h(
      'p',
      { class: 'muted', attrs: { 'data-role': 'alert-events-count', 'data-count': found } },
      `${formatNumber(found)} of ${formatNumber(wanted)} events${note}`,
    ),
    found === 0
      ? h('p', { class: 'muted' }, 'None of the events is indexed any more.')
      : h('div', { class: 'table-scroll' }, eventTable(answer.events, openEvent)),
  );
}

const none = (value: unknown) => (typeof value === 'string' && value !== '' ? value : '(none)');

/** Every change of status, assignee and note, oldest first, as text: the values are whatever an analyst typed. */
function auditTrail(alert: AlertRow): HTMLElement {
  const entries = valueAt(alert, 'fortiems.alert.audit');
  const list = Array.isArray(entries)
    ? entries.filter((entry): entry is Record<string, unknown> => typeof entry === 'object' && entry !== null)
    : [];
  if (list.length === 0) return h('p', { class: 'muted', attrs: { 'data-role': 'audit-empty' } }, 'No change yet.');
  return h(
    'ol',
    { class: 'audit-trail', attrs: { 'data-role': 'audit-trail' } },
    ...list.map((entry) =>
      h(
        'li',
        { attrs: { 'data-role': 'audit-entry', 'data-field': typeof entry.field === 'string' ? entry.field : '' } },
        h('span', { class: 'muted', attrs: { 'data-part': 'when' } }, typeof entry.when === 'string' ? formatTime(entry.when) : ''),
        ' ',
        h('span', { class: 'audit-who', attrs: { 'data-part': 'who' } }, none(entry.who)),
        ' ',
        h('span', { attrs: { 'data-part': 'field' } }, `${none(entry.field)}:`),
        ' ',
        h('span', { class: 'audit-value', attrs: { 'data-part': 'from' } }, none(entry.from)),
        ' → ',
        h('span', { class: 'audit-value', attrs: { 'data-part': 'to' } }, none(entry.to)),
      ),
    ),
  );
}

/** The status, assignee and note, and the controls that change them (Acknowledge, Close with a note, Reopen, Assign). */
function workSection(alert: AlertRow, canChange: boolean, submit: (change: AlertChangeRequest) => void, notice: string): HTMLElement {
  const status = statusOf(alert);
  const assignee = alertField(alert, 'fortiems.alert.assignee');
  const note = alertField(alert, 'fortiems.alert.note');
  const state = h(
    'p',
    { attrs: { 'data-role': 'work-state', 'data-status': status } },
    statusBadge(status),
    ' ',
    h('span', { attrs: { 'data-role': 'assignee' } }, assignee === '' ? 'Unassigned' : assignee),
  );
  const noteText = note === '' ? null : h('p', { class: 'alert-note', attrs: { 'data-role': 'note' } }, note);
  const error = h('p', { class: 'error', attrs: { 'data-role': 'work-error', hidden: notice === '' } }, notice);
  if (!canChange) return section('Status', 'work', state, noteText, error);

  const button = (label: string, control: string, onClick: () => void) =>
    h('button', { attrs: { type: 'button', 'data-control': control }, on: { click: onClick } }, label);
  const closeNote = h('textarea', {
    class: 'note-input',
    attrs: { 'data-control': 'close-note', 'aria-label': 'Why it is closed', placeholder: 'Why it is closed (required)', maxlength: 4000 },
  });
  const assigneeInput = h('input', {
    attrs: { type: 'text', 'data-control': 'assignee', 'aria-label': 'Assignee', placeholder: 'Assignee', value: assignee, maxlength: 128 },
  });
  const actions = h(
    'div',
    { class: 'work-actions' },
    status === 'open' ? button('Acknowledge', 'acknowledge', () => submit({ status: 'acknowledged' })) : null,
    status !== 'open' ? button('Reopen', 'reopen', () => submit({ status: 'open' })) : null,
  );
  const closing =
    status === 'closed'
      ? null
      : h(
          'div',
          { class: 'work-close' },
          closeNote,
          button('Close', 'close-alert', () => {
            if (closeNote.value.trim() === '') {
              error.hidden = false;
              replaceChildren(error, 'Closing an alert needs a note saying why.');
              return;
            }
            submit({ status: 'closed', note: closeNote.value });
          }),
        );
  const assigning = h(
    'div',
    { class: 'work-assign' },
    assigneeInput,
    button('Assign', 'assign', () => submit({ assignee: assigneeInput.value.trim() === '' ? null : assigneeInput.value })),
  );
  return section('Status', 'work', state, noteText, actions, closing, assigning, error);
}

/** An alert's details beside the alerts view; its matching events open in the event drawer on top of it. */
export function createAlertDrawer({ openEvent, canChange, onChanged }: AlertDrawerOptions): AlertDrawer {
  const content = h('div', { class: 'drawer-content' });
  const title = h('h2', { attrs: { id: 'alert-drawer-title' } }, 'Alert');
  const element = h(
    'aside',
    {
      class: 'drawer drawer-wide',
      attrs: { hidden: true, role: 'dialog', 'aria-labelledby': 'alert-drawer-title', 'data-drawer': 'alert' },
    },
    h(
      'header',
      {},
      title,
      h(
        'button',
        {
          class: 'close',
          attrs: { type: 'button', 'aria-label': 'Close', 'data-control': 'alert-drawer-close' },
          on: { click: () => close() },
        },
        '×',
      ),
    ),
    content,
  );
  // The event drawer, on top, takes an Escape first (and marks it handled): one key press closes one drawer.
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !event.defaultPrevented && !element.hidden) close();
  });

  function close() {
    element.hidden = true;
  }

  /** Sends a change made against the version shown; a 409 (changed meanwhile) reloads the alert and says so. */
  async function change(id: string, version: AlertAnswer['version'], request: AlertChangeRequest) {
    element.dataset.state = 'saving';
    const body: AlertChangeRequest = {
      ...request,
      ...(version ? { if_seq_no: version.seq_no, if_primary_term: version.primary_term } : {}),
    };
    try {
      await api<AlertChangeAnswer>(`/alerts/${encodeURIComponent(id)}`, { method: 'PATCH', body });
    } catch (error) {
      if (element.dataset.alertId !== id) return;
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof ApiError && error.status === 409) {
        await open(id, `Not saved: ${message}`);
        onChanged();
        return;
      }
      element.dataset.state = 'ready';
      const slot = content.querySelector<HTMLElement>('[data-role=work-error]');
      if (slot) {
        slot.hidden = false;
        replaceChildren(slot, message);
      }
      return;
    }
    await open(id);
    onChanged();
  }

  async function open(id: string, notice = '') {
    element.hidden = false;
    element.dataset.alertId = id;
    element.dataset.state = 'loading';
    replaceChildren(title, 'Alert');
    replaceChildren(content, h('p', { class: 'muted' }, 'Loading…'));
    let answer: AlertAnswer;
    try {
      answer = await api<AlertAnswer>(`/alerts/${encodeURIComponent(id)}`);
    } catch (error) {
      if (element.dataset.alertId !== id) return;
      element.dataset.state = 'error';
      replaceChildren(content, h('p', { class: 'error' }, error instanceof Error ? error.message : String(error)));
      return;
    }
    // Another alert was opened while this one loaded: its answer wins, whatever the order they arrive in.
    if (element.dataset.alertId !== id) return;
    const { alert } = answer;
    const query = alertField(alert, 'fortiems.alert.query');
    const queryText = h('pre', { class: 'raw-line', attrs: { 'data-role': 'query-text' } }, query);
    const description = alertField(alert, 'rule.description');
    const falsePositives = textList(valueAt(alert, 'fortiems.alert.false_positives'));
    const tags = attack(alert);
    replaceChildren(title, alertField(alert, 'rule.name') || 'Alert');
    replaceChildren(
      content,
      h('p', { class: 'alert-meta' }, levelBadge(levelOf(alert)), ` ${alert.index} · ${alert.id}`),
      h('p', { class: 'alert-message', attrs: { 'data-role': 'alert-message' } }, alertField(alert, 'message')),
      workSection(alert, canChange, (request) => void change(id, answer.version, request), notice),
      section('History', 'audit', auditTrail(alert)),
      section(
        'Description',
        'description',
        description === '' ? h('p', { class: 'muted' }, 'The rule has no description.') : h('p', {}, description),
      ),
      section('ATT&CK', 'attack', tags.length === 0 ? h('p', { class: 'muted' }, 'No ATT&CK tags.') : list(tags, 'chip')),
      section(
        'False positives',
        'false-positives',
        falsePositives.length === 0 ? h('p', { class: 'muted' }, 'None listed.') : list(falsePositives),
      ),
      section('When', 'facts', facts(alert)),
      section('Group', 'group', groupTable(alert)),
      section(
        'Lucene query',
        'query',
        queryText,
        copyButton(
          'Copy query',
          'copy-query',
          () => query,
          () => queryText,
        ),
      ),
      matchingEvents(answer, openEvent),
    );
    if (answer.warnings.length > 0) content.appendChild(h('p', { class: 'warning' }, `Partial data: ${answer.warnings.join('; ')}`));
    element.dataset.state = 'ready';
  }

  return { element, open, close };
}
