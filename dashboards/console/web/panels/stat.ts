import { h } from '../dom.js';
import { formatNumber } from '../format.js';

/** One big number. */
export function renderStat(body: HTMLElement, value: number): void {
  body.appendChild(h('div', { class: 'stat', attrs: { 'data-value': value } }, formatNumber(value)));
}
