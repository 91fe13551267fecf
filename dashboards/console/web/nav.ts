import { h } from './dom.js';

/**
 * Links inside the console. `href` is not on the DOM helper's safe list (a `javascript:` URL runs code), so links are
 * made and pointed here only, and only ever at the console's own `#/…` routes.
 */
export function navLink(label: string, key: string): HTMLAnchorElement {
  return h('a', { attrs: { 'data-nav': key } }, label);
}

export function pointLink(link: HTMLAnchorElement, hash: string): void {
  if (!hash.startsWith('#/')) throw new Error(`not a console route: ${hash}`);
  link.href = hash;
}
