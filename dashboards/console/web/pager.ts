import { h } from './dom.js';
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
