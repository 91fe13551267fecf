import type { FastifyPluginAsync } from 'fastify';
import { ALERT_LEVELS, type AlertLevel } from '../../../mappings/opensearch/alerts.js';
import type { AlertAnswer, AlertsAnswer, EventRows } from '../api-types.js';
import { alertRow, alertsSearchBody, eventIndexWithin, shapeAlerts } from './alert-search.js';
import { EVENT_TABLE_COLUMNS } from './event-routes.js';
import { dataQueryProperties, documentIdSchema, MAX_RESULT_WINDOW, pagingProperties } from './request-schemas.js';
import { type Search, searchOrReply } from './search-runner.js';
import { eventRows, totalHits } from './shape-results.js';
import { resolveRange } from './time-range.js';

export interface AlertRoutesOptions {
  /** `_search` over the alerts index pattern. */
  alerts: Search;
  /** `_search` over the given indices (an alert's events). */
  searchIn: (index: string) => Search;
  /** The console's event index pattern: the alerts' events are looked up inside it only. */
  indexPattern: string;
  now: () => number;
}

interface AlertsQuery {
  from: string;
  to: string;
  q: string;
  level?: AlertLevel;
  rule?: string;
  page: number;
  size: number;
}

// OpenSearch's index.max_result_window, as for the events.
// The scheduler keeps at most 100 ids per alert; more in a document is not its doing and is not fetched.
const MAX_EVENT_IDS = 100;

// The range and query box as every data route takes them; `level` here is an alert level, not the events' variable.
const listSchema = {
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      from: dataQueryProperties.from,
      to: dataQueryProperties.to,
      q: dataQueryProperties.q,
      level: { type: 'string', enum: ALERT_LEVELS },
      rule: { type: 'string', minLength: 1, maxLength: 256 },
      ...pagingProperties,
    },
  },
} as const;

const idsOf = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string' && id !== '').slice(0, MAX_EVENT_IDS) : [];

/** GET /api/alerts (a page of alerts, newest first, with level counts and rule choices) and GET /api/alerts/:id. */
export const alertRoutes: FastifyPluginAsync<AlertRoutesOptions> = async (app, { alerts, searchIn, indexPattern, now }) => {
  app.get<{ Querystring: AlertsQuery }>('/api/alerts', { schema: listSchema }, async (request, reply) => {
    const { page, size } = request.query;
    const range = resolveRange(request.query.from, request.query.to, now());
    const problems = 'problem' in range ? [range.problem] : [];
    if (page * size > MAX_RESULT_WINDOW)
      problems.push(`querystring/page goes past the first ${MAX_RESULT_WINDOW} alerts: narrow the query`);
    if ('problem' in range || problems.length > 0) return reply.code(400).send({ error: 'invalid request', problems });

    const from = new Date(range.from).toISOString();
    const to = new Date(range.to).toISOString();
    const body = alertsSearchBody({ from, to, q: request.query.q, level: request.query.level, rule: request.query.rule }, page, size);
    const result = await searchOrReply(alerts, body, reply);
    if (!result) return reply;
    const answer: AlertsAnswer = {
      from,
      to,
      page,
      size,
      total: totalHits(result.answer),
      ...shapeAlerts(result.answer),
      warnings: result.warnings,
    };
    return answer;
  });

  app.get<{ Params: { id: string } }>('/api/alerts/:id', { schema: documentIdSchema }, async (request, reply) => {
    const found = await searchOrReply(alerts, { size: 1, query: { ids: { values: [request.params.id] } } }, reply);
    if (!found) return reply;
    const hit = found.answer.hits?.hits?.[0];
    if (!hit) return reply.code(404).send({ error: 'not found', message: 'no alert has that id' });
    const alert = alertRow(hit);

    const ids = idsOf(alert.fortiems?.alert?.event_ids);
    let events: EventRows = { columns: EVENT_TABLE_COLUMNS, total: 0, rows: [] };
    const warnings = [...found.warnings];
    if (ids.length > 0) {
      const index = eventIndexWithin(alert.fortiems?.alert?.event_index, indexPattern);
      const body = {
        size: ids.length,
        track_total_hits: true,
        query: { ids: { values: ids } },
        sort: [{ '@timestamp': 'desc' }],
        _source: [...EVENT_TABLE_COLUMNS],
      };
      const result = await searchOrReply(searchIn(index), body, reply);
      if (!result) return reply;
      events = eventRows(result.answer, EVENT_TABLE_COLUMNS);
      warnings.push(...result.warnings);
    }
    const answer: AlertAnswer = { alert, events, warnings };
    return answer;
  });
};
