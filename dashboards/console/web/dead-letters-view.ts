/**
 * The Dead letters view (`#/dead-letters`): what the sinks could not store, counted by reason and by dataset, the
 * newest letters, and a Replay button that sends the selected letters through the pipeline again (the service's
 * replay: parse again, store with the event's id, delete once stored). The reasons, messages and lines are the
 * target's and the sender's text: all of it goes in through `dom.ts` as text.
 */
import type { DeadLetterReplayAnswer, DeadLetterRow, DeadLettersAnswer } from '../dead-letter-types.js';
import { api } from './api.js';
import { h, replaceChildren } from './dom.js';
import { formatNumber, formatTime } from './format.js';

const RANGES: readonly { from: string; label: string }[] = [
  { from: 'now-1h', label: 'Last hour' },
  { from: 'now-24h', label: 'Last 24 hours' },
  { from: 'now-7d', label: 'Last 7 days' },
  { from: 'now-30d', label: 'Last 30 days' },
  { from: 'now-365d', label: 'Last year' },
];

const ORIGINAL_SHOWN = 300;

function countTable(title: string, role: string, buckets: DeadLettersAnswer['byReason']): HTMLElement {
  return h(
    'table',
    { class: 'data-table', attrs: { 'data-role': role } },
    h('thead', {}, h('tr', {}, h('th', {}, title), h('th', { class: 'num' }, 'Letters'))),
    h(
      'tbody',
      {},
      ...buckets.map((bucket) =>
        h('tr', { attrs: { 'data-key': bucket.key } }, h('td', {}, bucket.key), h('td', { class: 'num' }, formatNumber(bucket.count))),
      ),
    ),
  );
}

function letterRow(letter: DeadLetterRow): HTMLElement {
  const original = letter.original ?? '';
  return h(
    'tr',
    { attrs: { 'data-letter': letter.id } },
    h('td', {}, formatTime(letter.timestamp)),
    h('td', { attrs: { 'data-field': 'reason' } }, letter.reason),
    h('td', { attrs: { 'data-field': 'dataset' } }, letter.dataset ?? ''),
    h('td', { class: 'wrap', attrs: { 'data-field': 'message' } }, letter.message),
    h(
      'td',
      { class: 'wrap mono', attrs: { 'data-field': 'original', title: original.slice(0, 2000) } },
      original.length > ORIGINAL_SHOWN ? `${original.slice(0, ORIGINAL_SHOWN)}…` : original,
    ),
    h('td', { class: 'num' }, formatNumber(letter.replays)),
  );
}

function select(role: string, choices: readonly { value: string; label: string }[], selected: string, onChange: (value: string) => void) {
  return h(
    'select',
    { attrs: { 'data-control': role }, on: { change: (event) => onChange((event.target as HTMLSelectElement).value) } },
    ...choices.map((choice) => h('option', { attrs: { value: choice.value, selected: choice.value === selected } }, choice.label)),
  );
}

export function deadLettersView(signal: AbortSignal): HTMLElement {
  const filter = { from: 'now-7d', reason: '', dataset: '' };
  const status = h('p', { class: 'muted', attrs: { 'data-role': 'dead-letters-status', 'aria-live': 'polite' } });
  const result = h('p', { attrs: { 'data-role': 'replay-result', 'aria-live': 'polite' } });
  const controls = h('div', { class: 'filters' });
  const counts = h('div', { class: 'counts' });
  const table = h('div', { class: 'table-scroll' });
  const element = h(
    'section',
    { class: 'dead-letters', attrs: { 'data-view': 'dead-letters', 'data-state': 'loading' } },
    h('h2', {}, 'Dead letters'),
    h(
      'p',
      { class: 'muted' },
      'Events a sink could not store, with the reason. Fix the cause (a mapping, a template), then replay: each letter is parsed again and stored with its own id, and deleted once stored.',
    ),
    controls,
    status,
    result,
    counts,
    table,
  );
  const query = () => ({
    from: filter.from,
    to: 'now',
    ...(filter.reason ? { reason: filter.reason } : {}),
    ...(filter.dataset ? { dataset: filter.dataset } : {}),
  });

  async function replay(button: HTMLButtonElement) {
    button.disabled = true;
    result.className = '';
    result.removeAttribute('data-outcome');
    replaceChildren(result, 'Replaying…');
    try {
      const answer = await api<DeadLetterReplayAnswer>('/dead-letters/replay', { method: 'POST', body: query(), signal });
      replaceChildren(
        result,
        `Replay: ${formatNumber(answer.matched)} matched, ${formatNumber(answer.stored)} stored, ${formatNumber(answer.deleted)} deleted, ` +
          `${formatNumber(answer.stillFailing)} still failing, ${formatNumber(answer.unparsable)} not parsable.`,
        ...answer.failures.slice(0, 5).map((failure) => h('span', { class: 'failure' }, ` ${failure.reason}: ${failure.message}`)),
      );
      result.className = answer.stillFailing + answer.unparsable > 0 ? 'error' : '';
      result.setAttribute('data-outcome', answer.stillFailing + answer.unparsable > 0 ? 'some-failed' : 'done');
    } catch (error) {
      if (signal.aborted) return;
      result.className = 'error';
      result.setAttribute('data-outcome', 'failed');
      replaceChildren(result, `Replay failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    await load();
  }

  async function load() {
    element.setAttribute('data-state', 'loading');
    replaceChildren(status, 'Loading…');
    let answer: DeadLettersAnswer;
    try {
      answer = await api<DeadLettersAnswer>('/dead-letters', { query: { ...query(), size: 50 }, signal });
    } catch (error) {
      if (signal.aborted) return;
      status.className = 'error';
      element.setAttribute('data-state', 'error');
      replaceChildren(status, `Dead letters could not be read: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    status.className = 'muted';
    replaceChildren(status, `${formatNumber(answer.total)} dead letters in ${answer.index}`);
    const reasons = [{ value: '', label: 'All reasons' }, ...answer.byReason.map((bucket) => ({ value: bucket.key, label: bucket.key }))];
    const datasets = [
      { value: '', label: 'All datasets' },
      ...answer.byDataset.map((bucket) => ({ value: bucket.key, label: bucket.key })),
    ];
    // A selected value stays selectable while the answer holds none of it.
    if (filter.reason && !reasons.some((choice) => choice.value === filter.reason))
      reasons.push({ value: filter.reason, label: filter.reason });
    if (filter.dataset && !datasets.some((choice) => choice.value === filter.dataset))
      datasets.push({ value: filter.dataset, label: filter.dataset });
    const set = (key: keyof typeof filter) => (value: string) => {
      filter[key] = value;
      void load();
    };
    const button = h(
      'button',
      { class: 'primary', attrs: { type: 'button', 'data-control': 'replay', disabled: answer.total === 0 } },
      `Replay ${formatNumber(answer.total)}`,
    );
    button.addEventListener('click', () => void replay(button));
    replaceChildren(
      controls,
      select(
        'dl-range',
        RANGES.map((range) => ({ value: range.from, label: range.label })),
        filter.from,
        set('from'),
      ),
      select('dl-reason', reasons, filter.reason, set('reason')),
      select('dl-dataset', datasets, filter.dataset, set('dataset')),
      answer.canReplay ? button : h('span', { class: 'muted' }, 'Replay is not available in this console'),
    );
    replaceChildren(counts, countTable('Reason', 'by-reason', answer.byReason), countTable('Dataset', 'by-dataset', answer.byDataset));
    replaceChildren(
      table,
      h(
        'table',
        { class: 'data-table', attrs: { 'data-role': 'letters' } },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, 'Dead-lettered'),
            h('th', {}, 'Reason'),
            h('th', {}, 'Dataset'),
            h('th', {}, 'Message'),
            h('th', {}, 'Line'),
            h('th', { class: 'num' }, 'Replays'),
          ),
        ),
        h('tbody', {}, ...answer.sample.map(letterRow)),
      ),
    );
    element.setAttribute('data-total', String(answer.total));
    element.setAttribute('data-state', 'ready');
  }

  void load();
  return element;
}
