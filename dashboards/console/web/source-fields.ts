/**
 * Reading documents by field path. `_source` may hold a field nested (`{host:{hostname}}`) or under a dotted key
 * (`{"host.hostname": …}`), and flat_object fields (`fortiems.extra`) hold arbitrary keys: both forms are read alike.
 * Shared by the server (table cells) and the browser (the details drawer), so it lives under web/ (the browser can
 * only load what is served from there); no DOM, no Node.
 */
import type { CellValue } from '../api-types.js';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The value at a dotted path, or undefined. */
export function valueAt(source: unknown, path: string): unknown {
  if (!isObject(source)) return undefined;
  if (Object.hasOwn(source, path)) return source[path];
  // Try the longest dotted prefix present as a key first, so `{"a.b": {c}}` and `{a: {b: {c}}}` both answer `a.b.c`.
  const parts = path.split('.');
  for (let cut = parts.length - 1; cut >= 1; cut--) {
    const head = parts.slice(0, cut).join('.');
    if (Object.hasOwn(source, head)) {
      const found = valueAt(source[head], parts.slice(cut).join('.'));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** A table cell: scalars as they are, anything else as JSON text, absence as null. */
export function toCell(value: unknown): CellValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

/** Every leaf of a document as `[path, cell]`, sorted by path; arrays of scalars stay one leaf. */
export function flattenFields(source: unknown, prefix = ''): [string, CellValue][] {
  const leaves: [string, CellValue][] = [];
  const walk = (value: unknown, path: string) => {
    if (isObject(value) && Object.keys(value).length > 0) {
      for (const [key, child] of Object.entries(value)) walk(child, path === '' ? key : `${path}.${key}`);
    } else {
      leaves.push([path, toCell(value)]);
    }
  };
  walk(source, prefix);
  return leaves.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
