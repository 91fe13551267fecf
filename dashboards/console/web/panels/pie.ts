import type { PanelData } from '../../api-types.js';
import { h, s } from '../dom.js';
import { formatNumber } from '../format.js';
import { colorFor } from '../palette.js';
import { paintSwatches } from './bars.js';

type Buckets = Extract<PanelData, { type: 'buckets' }>['buckets'];

const R = 90;
const INNER = 52;

function point(angle: number, radius: number): string {
  return `${(100 + radius * Math.sin(angle)).toFixed(2)} ${(100 - radius * Math.cos(angle)).toFixed(2)}`;
}

/** A donut slice from one angle to another (radians, clockwise from 12 o'clock). */
function slice(start: number, end: number): string {
  // A full circle cannot be one arc (start = end): stop a hair short.
  const stop = end - start >= 2 * Math.PI ? start + 2 * Math.PI - 0.0001 : end;
  const large = stop - start > Math.PI ? 1 : 0;
  return [
    `M ${point(start, R)}`,
    `A ${R} ${R} 0 ${large} 1 ${point(stop, R)}`,
    `L ${point(stop, INNER)}`,
    `A ${INNER} ${INNER} 0 ${large} 0 ${point(start, INNER)}`,
    'Z',
  ].join(' ');
}

/** Shares of the whole as an SVG donut, with a legend of keys, counts and percentages. */
export function renderPie(body: HTMLElement, buckets: Buckets): void {
  const total = buckets.reduce((sum, bucket) => sum + bucket.count, 0);
  const svg = s('svg', { viewBox: '0 0 200 200', class: 'pie', role: 'img' });
  let angle = 0;
  buckets.forEach((bucket, index) => {
    const share = total === 0 ? 0 : bucket.count / total;
    if (share === 0) return;
    const path = s('path', {
      d: slice(angle, angle + share * 2 * Math.PI),
      fill: colorFor(bucket.key, index),
      stroke: '#fff',
      'stroke-width': 1,
    });
    path.appendChild(s('title', {}, `${bucket.key}: ${formatNumber(bucket.count)}`));
    svg.appendChild(path);
    angle += share * 2 * Math.PI;
  });
  svg.appendChild(
    s('text', { x: 100, y: 100, 'text-anchor': 'middle', 'dominant-baseline': 'middle', class: 'pie-total' }, formatNumber(total)),
  );
  const legend = h(
    'ul',
    { class: 'legend vertical' },
    ...buckets.map((bucket, index) =>
      h(
        'li',
        {},
        h('span', { class: 'swatch', attrs: { 'data-color': colorFor(bucket.key, index) } }),
        h('span', { class: 'legend-key' }, bucket.key),
        h(
          'span',
          { class: 'legend-count' },
          `${formatNumber(bucket.count)} (${total === 0 ? 0 : Math.round((bucket.count / total) * 100)}%)`,
        ),
      ),
    ),
  );
  body.appendChild(h('div', { class: 'pie-layout' }, svg, legend));
  paintSwatches(body);
}
