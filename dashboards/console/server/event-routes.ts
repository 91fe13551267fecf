import type { FastifyPluginAsync } from 'fastify';
import type { Board, Panel } from '../../boards/model.js';
import { panelFilters } from '../../query/search-body.js';
import type { EventAnswer, EventsAnswer } from '../api-types.js';
import {
  type DataQuery,
  dataQueryProperties,
  documentIdSchema,
  MAX_RESULT_WINDOW,
  pagingProperties,
  selectedVariables,
} from './request-schemas.js';
import { type Search, searchOrReply } from './search-runner.js';
import { eventRows } from './shape-results.js';
import { resolveRange } from './time-range.js';

export interface EventRoutesOptions {
  search: Search;
  now: () => number;
}

/** What the event table shows at a glance; a row opens onto the whole document. */
export const EVENT_TABLE_COLUMNS = [
  '@timestamp',
  'observer.hostname',
  'data_stream.dataset',
  'log.level',
  'event.action',
  'host.hostname',
  'user.name',
  'source.ip',
  'message',
] as const;

// OpenSearch's index.max_result_window: from + size beyond it is refused, so the schema stops there first.

const listSchema = {
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...dataQueryProperties,
      ...pagingProperties,
    },
  },
} as const;

// The events view is a board of one table: the same filters (time, query box, variables) as every panel.
const EVENTS_BOARD: Board = { id: 'console-events', title: 'Events', description: '', filter: '', panels: [] };
const EVENTS_PANEL: Panel = {
  id: 'events',
  title: 'Events',
  kind: 'events',
  query: { type: 'events', columns: EVENT_TABLE_COLUMNS, size: 50 },
  width: 24,
  height: 20,
};

/** GET /api/events (a page of the matching events, newest first) and GET /api/events/:id (one whole document). */
export const eventRoutes: FastifyPluginAsync<EventRoutesOptions> = async (app, { search, now }) => {
  app.get<{ Querystring: DataQuery & { page: number; size: number } }>('/api/events', { schema: listSchema }, async (request, reply) => {
    const { page, size } = request.query;
    const range = resolveRange(request.query.from, request.query.to, now());
    const problems = 'problem' in range ? [range.problem] : [];
    if (page * size > MAX_RESULT_WINDOW)
      problems.push(`querystring/page goes past the first ${MAX_RESULT_WINDOW} events: narrow the query`);
    if ('problem' in range || problems.length > 0) return reply.code(400).send({ error: 'invalid request', problems });

    const from = new Date(range.from).toISOString();
    const to = new Date(range.to).toISOString();
    const filters = panelFilters(EVENTS_BOARD, EVENTS_PANEL, {
      from,
      to,
      query: request.query.q,
      variables: selectedVariables(request.query),
    });
    const body = {
      from: (page - 1) * size,
      size,
      track_total_hits: true,
      query: { bool: { filter: filters } },
      sort: [{ '@timestamp': 'desc' }],
      _source: [...EVENT_TABLE_COLUMNS],
    };
    const result = await searchOrReply(search, body, reply);
    if (!result) return reply;
    const answer: EventsAnswer = { from, to, page, size, ...eventRows(result.answer, EVENT_TABLE_COLUMNS), warnings: result.warnings };
    return answer;
  });

  app.get<{ Params: { id: string } }>('/api/events/:id', { schema: documentIdSchema }, async (request, reply) => {
    const result = await searchOrReply(search, { size: 1, query: { ids: { values: [request.params.id] } } }, reply);
    if (!result) return reply;
    const hit = result.answer.hits?.hits?.[0];
    if (!hit) return reply.code(404).send({ error: 'not found', message: 'no event has that id' });
    const answer: EventAnswer = { id: hit._id, index: hit._index, source: hit._source ?? {} };
    return answer;
  });
};
