/**
 * The only way the console builds DOM. Event fields are attacker-controlled, so text goes in as text nodes and
 * attributes through an allowlist of names that cannot run code (no `on*`, no `href`/`src`, no `style`). There is no
 * HTML-string path here at all, and the CSP's Trusted Types would refuse one anyway.
 */

type Child = Node | string | number | null | undefined | false;

const SAFE_ATTRIBUTES = new Set([
  'class',
  'id',
  'type',
  'name',
  'value',
  'placeholder',
  'title',
  'for',
  'role',
  'colspan',
  'disabled',
  'checked',
  'selected',
  'autocomplete',
  'tabindex',
  'hidden',
  'required',
  'datetime',
  'min',
  'max',
  'step',
  'maxlength',
  'rows',
]);

const SAFE_SVG_ATTRIBUTES = new Set([
  'class',
  'viewBox',
  'width',
  'height',
  'x',
  'y',
  'x1',
  'x2',
  'y1',
  'y2',
  'cx',
  'cy',
  'r',
  'd',
  'fill',
  'stroke',
  'stroke-width',
  'text-anchor',
  'dominant-baseline',
  'transform',
  'preserveAspectRatio',
  'role',
]);

function isSafeName(name: string, allowed: Set<string>): boolean {
  return allowed.has(name) || /^(?:data|aria)-[a-z0-9-]+$/.test(name);
}

export function setAttributes(element: Element, attributes: Record<string, string | number | boolean | undefined>, svg = false): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (!isSafeName(name, svg ? SAFE_SVG_ATTRIBUTES : SAFE_ATTRIBUTES))
      throw new Error(`attribute '${name}' is not on the console's safe list`);
    if (value === undefined || value === false) element.removeAttribute(name);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
}

function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

export interface Props {
  class?: string;
  attrs?: Record<string, string | number | boolean | undefined>;
  on?: { [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };
}

/** An HTML element with safe attributes, listeners and text/element children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.class) element.className = props.class;
  if (props.attrs) setAttributes(element, props.attrs);
  for (const [type, listener] of Object.entries(props.on ?? {})) element.addEventListener(type, listener as EventListener);
  append(element, children);
  return element;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element: geometry and colours as attributes, labels as text nodes. */
export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number | undefined> = {},
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  setAttributes(element, attributes, true);
  append(element, children);
  return element;
}

/** Empties an element and fills it anew. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}
