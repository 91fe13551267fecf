import type { EventRows } from '../api-types.js';
import { h } from './dom.js';
import { formatCell } from './format.js';

// Column headings a person reads; any other column shows its field name.
const HEADINGS: Record<string, string> = {
  '@timestamp': 'Time',
  'observer.hostname': 'EMS server',
  'data_stream.dataset': 'Category',
  'log.level': 'Level',
  'event.action': 'Action',
  'host.hostname': 'Endpoint',
  'user.name': 'User',
  'source.ip': 'Source IP',
  message: 'Message',
  'file.path': 'File',
  'threat.software.name': 'Malware',
  'threat.software.type': 'Malware category',
  'ems.action': 'Endpoint action',
  'ems.detectedby': 'Detected by',
  'event.original': 'Raw line',
};

/** Events as a table; a click (or Enter) on a row opens that event's details. */
export function eventTable(rows: EventRows, open: (id: string) => void): HTMLTableElement {
  const head = h('tr', {}, ...rows.columns.map((column) => h('th', { attrs: { title: column } }, HEADINGS[column] ?? column)));
  const body = rows.rows.map((row) =>
    h(
      'tr',
      {
        class: 'event-row',
        attrs: { tabindex: 0, 'data-event-id': row.id },
        on: {
          click: () => open(row.id),
          keydown: (event) => {
            if (event.key === 'Enter') open(row.id);
          },
        },
      },
      ...rows.columns.map((column, index) => {
        const text = formatCell(column, row.values[index] ?? null);
        return h('td', { class: column === 'log.level' ? `level level-${text}` : '', attrs: { 'data-column': column } }, text);
      }),
    ),
  );
  return h('table', { class: 'data-table events' }, h('thead', {}, head), h('tbody', {}, ...body));
}
