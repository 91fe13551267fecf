import { EVENT_COLUMNS } from './columns.js';
import type { Board } from './model.js';

/** The raw material: every event with every field and its original syslog line, for drilling into what a board shows. */
export const eventDetailsBoard: Board = {
  id: 'fortiems-events',
  title: 'FortiClient EMS — Event details',
  description:
    'Every event, newest first, with all its fields and the raw line (event.original). Narrow it with the variables and the query box.',
  filter: '',
  panels: [
    { id: 'events-total', title: 'Matching events', kind: 'stat', query: { type: 'count' }, width: 6, height: 4 },
    {
      id: 'volume',
      title: 'Matching events over time',
      kind: 'timeseries',
      query: { type: 'date_histogram', splitBy: { field: 'log.level', size: 9 } },
      width: 18,
      height: 4,
    },
    {
      id: 'events',
      title: 'Events',
      kind: 'events',
      query: { type: 'events', columns: EVENT_COLUMNS.all, size: 500 },
      width: 24,
      height: 20,
      description: 'Each row holds the whole document (_source): every parsed field and event.original, the line as received.',
    },
  ],
};
