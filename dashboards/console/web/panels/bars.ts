import type { PanelData } from '../../api-types.js';
import { h, replaceChildren, s } from '../dom.js';
import { formatNumber } from '../format.js';
import { colorFor } from '../palette.js';

type Buckets = Extract<PanelData, { type: 'buckets' }>['buckets'];

const ROW = 22;
const LABEL_WIDTH = 150;
const COUNT_WIDTH = 60;
const MAX_LABEL = 22;

const shorten = (text: string) => (text.length > MAX_LABEL ? `${text.slice(0, MAX_LABEL - 1)}…` : text);

/** The split values in order of their total, so the legend and the stacks agree. */
function splitKeys(buckets: Buckets): string[] {
  const totals = new Map<string, number>();
  for (const bucket of buckets) for (const part of bucket.split ?? []) totals.set(part.key, (totals.get(part.key) ?? 0) + part.count);
  return [...totals].sort((a, b) => b[1] - a[1]).map(([key]) => key);
}

function draw(holder: HTMLElement, buckets: Buckets, width: number): SVGSVGElement {
  const keys = splitKeys(buckets);
  const max = Math.max(1, ...buckets.map((bucket) => bucket.count));
  const barSpace = Math.max(40, width - LABEL_WIDTH - COUNT_WIDTH);
  const svg = s('svg', { width, height: buckets.length * ROW + 4, viewBox: `0 0 ${width} ${buckets.length * ROW + 4}`, role: 'img' });
  buckets.forEach((bucket, row) => {
    const y = row * ROW + 2;
    const label = s(
      'text',
      { x: LABEL_WIDTH - 6, y: y + ROW / 2, 'text-anchor': 'end', 'dominant-baseline': 'middle', class: 'bar-label' },
      shorten(bucket.key),
    );
    label.appendChild(s('title', {}, bucket.key));
    svg.appendChild(label);
    let x = LABEL_WIDTH;
    // Split buckets stack their parts; OpenSearch returns at most `size` parts, the rest of the bucket is grey.
    const parts = bucket.split ? [...bucket.split] : [{ key: bucket.key, count: bucket.count }];
    const rest = bucket.count - parts.reduce((sum, part) => sum + part.count, 0);
    if (rest > 0) parts.push({ key: 'other', count: rest });
    for (const part of parts) {
      const length = (part.count / max) * barSpace;
      const color = bucket.split ? (part.key === 'other' ? '#c9ced6' : colorFor(part.key, keys.indexOf(part.key))) : colorFor('', 0);
      const rect = s('rect', { x, y: y + 3, width: Math.max(0.5, length), height: ROW - 6, fill: color });
      rect.appendChild(s('title', {}, `${bucket.key} · ${part.key}: ${formatNumber(part.count)}`));
      svg.appendChild(rect);
      x += length;
    }
    svg.appendChild(s('text', { x: x + 4, y: y + ROW / 2, 'dominant-baseline': 'middle', class: 'bar-count' }, formatNumber(bucket.count)));
  });
  holder.dataset.width = String(width);
  return svg;
}

/** Horizontal bars, stacked by the split field when the query has one, as SVG redrawn to the panel's width. */
export function renderBars(body: HTMLElement, buckets: Buckets): () => void {
  const chart = h('div', { class: 'bars' });
  const keys = splitKeys(buckets);
  const legend =
    keys.length > 0
      ? h(
          'ul',
          { class: 'legend' },
          ...keys.map((key, index) => h('li', {}, h('span', { class: 'swatch', attrs: { 'data-color': colorFor(key, index) } }), key)),
        )
      : null;
  body.append(chart, ...(legend ? [legend] : []));
  paintSwatches(body);
  const redraw = () => replaceChildren(chart, draw(chart, buckets, Math.max(200, chart.clientWidth)));
  redraw();
  const observer = new ResizeObserver(() => {
    if (Number(chart.dataset.width) !== Math.max(200, chart.clientWidth)) redraw();
  });
  observer.observe(chart);
  return () => observer.disconnect();
}

/** Legend swatches get their colour through the CSSOM (allowed by the CSP's style-src, unlike a style attribute). */
export function paintSwatches(root: HTMLElement): void {
  for (const swatch of Array.from(root.querySelectorAll<HTMLElement>('.swatch[data-color]')))
    swatch.style.background = swatch.dataset.color ?? '';
}
