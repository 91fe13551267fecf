import { h, replaceChildren } from './dom.js';

/**
 * A button that copies `text()` to the clipboard. Where the Clipboard API is refused (no secure context, no
 * permission), the source element's text is selected instead, so Ctrl+C still takes it.
 */
export function copyButton(label: string, control: string, text: () => string, source: () => Element | undefined): HTMLElement {
  const status = h('span', { class: 'muted copy-status', attrs: { 'data-role': 'copy-status', 'aria-live': 'polite' } });
  const button = h(
    'button',
    {
      attrs: { type: 'button', 'data-control': control },
      on: {
        click: async () => {
          try {
            await navigator.clipboard.writeText(text());
            replaceChildren(status, 'Copied');
          } catch {
            const element = source();
            if (element) window.getSelection()?.selectAllChildren(element);
            replaceChildren(status, 'Selected: press Ctrl+C to copy');
          }
        },
      },
    },
    label,
  );
  return h('span', { class: 'copy' }, button, status);
}
