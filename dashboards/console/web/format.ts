import type { CellValue } from '../api-types.js';

const NUMBER = new Intl.NumberFormat('en-US');

export function formatNumber(value: number): string {
  return NUMBER.format(value);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Local time as `2026-11-30 09:15:02`: sortable, unambiguous, and what the analyst's clock shows. */
export function formatTime(value: string | number): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** A table cell as text; timestamps in local time. */
export function formatCell(column: string, value: CellValue): string {
  if (value === null) return '';
  if (column === '@timestamp' && typeof value === 'string') return formatTime(value);
  return String(value);
}

/** `<input type="datetime-local">` value for an instant, in local time. */
export function toLocalInput(ms: number): string {
  const date = new Date(ms);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
