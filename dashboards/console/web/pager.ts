import { h, replaceChildren } from './dom.js';
import { formatNumber } from './format.js';
import { PAGE_SIZES, type ViewState } from './state.js';

// OpenSearch pages no deeper than its max_result_window; the API refuses past it too.
const MAX_WINDOW = 10_000;

/** Newer / older buttons, "Page n of m" and the page size, for an answer of `total` items shown `size` at a time. */
export function pagerControls(
  answer: { page: number; size: number; total: number },
  change: (partial: Partial<ViewState>) => void,
): HTMLElement[] {
  const pages = Math.max(1, Math.ceil(Math.min(answer.total, MAX_WINDOW) / answer.size));
  const size = h(
    'select',
    { attrs: { 'aria-label': 'Page size', 'data-control': 'page-size' } },
    ...PAGE_SIZES.map((choice) => h('option', { attrs: { value: choice } }, `${choice} per page`)),
  );
  size.value = String(answer.size);
  size.addEventListener('change', () => change({ size: Number(size.value), page: 1 }));
  return [
    h(
      'button',
      {
        attrs: { type: 'button', disabled: answer.page <= 1, 'data-control': 'page-prev' },
        on: { click: () => change({ page: answer.page - 1 }) },
      },
      '← Newer',
    ),
    h('span', { attrs: { 'data-role': 'page' } }, `Page ${answer.page} of ${pages}`),
    h(
      'button',
      {
        attrs: { type: 'button', disabled: answer.page >= pages, 'data-control': 'page-next' },
        on: { click: () => change({ page: answer.page + 1 }) },
      },
      'Older →',
    ),
    size,
  ];
}

/** "1–50" of a page, or "0–0" when nothing matched. */
export function shownRange(answer: { page: number; size: number; total: number }, shown: number): [number, number] {
  const first = answer.total === 0 ? 0 : (answer.page - 1) * answer.size + 1;
  return [first, (answer.page - 1) * answer.size + shown];
}

/** A listing's load error, in place of its summary line. */
export function showListingError(element: HTMLElement, summary: HTMLElement, error: unknown): void {
  element.dataset.state = 'error';
  replaceChildren(
    summary,
    h('span', { class: 'error', attrs: { 'data-role': 'error' } }, error instanceof Error ? error.message : String(error)),
  );
}

/** `N matching <noun> · showing a–b`, and the partial-data warnings, for a page of a listing. */
export function showListingSummary(
  element: HTMLElement,
  summary: HTMLElement,
  answer: { page: number; size: number; total: number; warnings: readonly string[] },
  shown: number,
  noun: string,
): void {
  element.dataset.state = 'ready';
  element.dataset.total = String(answer.total);
  const [first, last] = shownRange(answer, shown);
  replaceChildren(summary, `${formatNumber(answer.total)} matching ${noun} · showing ${formatNumber(first)}–${formatNumber(last)}`);
  if (answer.warnings.length > 0) summary.appendChild(h('span', { class: 'warning' }, ` Partial data: ${answer.warnings.join('; ')}`));
}
