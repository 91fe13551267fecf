import type { PanelData } from '../../api-types.js';
import { h } from '../dom.js';
import { formatNumber } from '../format.js';

type Buckets = Extract<PanelData, { type: 'buckets' }>['buckets'];

// What a distinct count counts, for its column heading; any other field reads "Distinct <field>".
const DISTINCT_HEADINGS: Record<string, string> = { 'host.id': 'Endpoints', 'vulnerability.id': 'CVEs', 'user.name': 'Users' };

/**
 * The top values of a field as a table: value, count, share of the listed total. A distinct count (`distinct`: the
 * field counted, e.g. hosts per CVE) is labelled with that field and its bar is relative to the largest row, since
 * distinct counts of different rows overlap and do not add up to a whole.
 */
export function renderTermsTable(body: HTMLElement, buckets: Buckets, distinct?: string): void {
  const total =
    distinct === undefined ? buckets.reduce((sum, bucket) => sum + bucket.count, 0) : Math.max(0, ...buckets.map((bucket) => bucket.count));
  const rows = buckets.map((bucket) => {
    const bar = h('span', { class: 'share-bar' });
    bar.style.width = `${total === 0 ? 0 : (bucket.count / total) * 100}%`;
    return h(
      'tr',
      {},
      h('td', { class: 'key' }, bucket.key),
      h('td', { class: 'num' }, formatNumber(bucket.count)),
      h('td', { class: 'share' }, bar),
    );
  });
  body.appendChild(
    h(
      'table',
      { class: 'data-table terms' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'Value'),
          h('th', { class: 'num' }, distinct === undefined ? 'Count' : (DISTINCT_HEADINGS[distinct] ?? `Distinct ${distinct}`)),
          h('th', {}, distinct === undefined ? 'Share' : ''),
        ),
      ),
      h('tbody', {}, ...rows),
    ),
  );
}
