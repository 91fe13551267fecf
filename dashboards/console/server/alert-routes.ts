import type { FastifyPluginAsync } from 'fastify';
import { ALERT_LEVELS, ALERT_STATUSES, type AlertLevel, type AlertStatus, type AlertVersion } from '../../../mappings/opensearch/alerts.js';
import type { AlertAnswer, AlertChangeAnswer, AlertChangeRequest, AlertsAnswer, EventRows } from '../api-types.js';
import { alertRow, alertsSearchBody, eventIndexWithin, shapeAlerts } from './alert-search.js';
import { EVENT_TABLE_COLUMNS } from './event-routes.js';
import type { AlertChanger } from './options.js';
import { dataQueryProperties, documentIdSchema, MAX_RESULT_WINDOW, pagingProperties } from './request-schemas.js';
import { classifySearchError } from './search-errors.js';
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
  /** The alerts index pattern, where a change looks the alert up. */
  alertsIndex: string;
  /** The runtime's changeAlert bound to the console's client; undefined: PATCH answers 503. */
  changeAlert: ((request: Parameters<AlertChanger>[1]) => ReturnType<AlertChanger>) | undefined;
  now: () => number;
}

interface AlertsQuery {
  from: string;
  to: string;
  q: string;
  level?: AlertLevel;
  rule?: string;
  status?: AlertStatus;
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
      status: { type: 'string', enum: ALERT_STATUSES },
      ...pagingProperties,
    },
  },
} as const;

// The shape only; what may follow what, the closing note and the control characters are the runtime's (planChange).
const changeSchema = {
  ...documentIdSchema,
  body: {
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    properties: {
      status: { type: 'string', enum: ALERT_STATUSES },
      assignee: { type: ['string', 'null'], maxLength: 128 },
      note: { type: ['string', 'null'], maxLength: 4000 },
      if_seq_no: { type: 'integer', minimum: 0 },
      if_primary_term: { type: 'integer', minimum: 1 },
    },
    dependencies: { if_seq_no: ['if_primary_term'], if_primary_term: ['if_seq_no'] },
  },
} as const;

const NOT_CONFIGURED = {
  error: 'alert changes not configured',
  message: 'this console was started without the detection runtime, so alerts can be read here but not changed',
} as const;

function versionOf(hit: { _seq_no?: unknown; _primary_term?: unknown }): AlertVersion | undefined {
  return typeof hit._seq_no === 'number' && typeof hit._primary_term === 'number'
    ? { seq_no: hit._seq_no, primary_term: hit._primary_term }
    : undefined;
}

const idsOf = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string' && id !== '').slice(0, MAX_EVENT_IDS) : [];

/**
 * GET /api/alerts (a page of alerts, newest first, with level and status counts and rule choices), GET /api/alerts/:id
 * (with its version) and PATCH /api/alerts/:id (status, assignee, note, through the runtime's changeAlert).
 */
export const alertRoutes: FastifyPluginAsync<AlertRoutesOptions> = async (
  app,
  { alerts, searchIn, indexPattern, alertsIndex, changeAlert, now },
) => {
  app.get<{ Querystring: AlertsQuery }>('/api/alerts', { schema: listSchema }, async (request, reply) => {
    const { page, size } = request.query;
    const range = resolveRange(request.query.from, request.query.to, now());
    const problems = 'problem' in range ? [range.problem] : [];
    if (page * size > MAX_RESULT_WINDOW)
      problems.push(`querystring/page goes past the first ${MAX_RESULT_WINDOW} alerts: narrow the query`);
    if ('problem' in range || problems.length > 0) return reply.code(400).send({ error: 'invalid request', problems });

    const from = new Date(range.from).toISOString();
    const to = new Date(range.to).toISOString();
    const { q, level, rule, status } = request.query;
    const body = alertsSearchBody({ from, to, q, level, rule, status }, page, size);
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
    const found = await searchOrReply(
      alerts,
      { size: 1, seq_no_primary_term: true, query: { ids: { values: [request.params.id] } } },
      reply,
    );
    if (!found) return reply;
    const hit = found.answer.hits?.hits?.[0];
    if (!hit) return reply.code(404).send({ error: 'not found', message: 'no alert has that id' });
    const alert = alertRow(hit);
    const version = versionOf(hit as { _seq_no?: unknown; _primary_term?: unknown });

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
    const answer: AlertAnswer = { alert, ...(version ? { version } : {}), events, warnings };
    return answer;
  });

  // Who changes is the session's user: the console has one account, its administrator, who may work alerts.
  app.patch<{ Params: { id: string }; Body: AlertChangeRequest }>('/api/alerts/:id', { schema: changeSchema }, async (request, reply) => {
    if (!changeAlert) return reply.code(503).send(NOT_CONFIGURED);
    const { if_seq_no, if_primary_term, ...change } = request.body;
    // fastify's schema drops unknown properties rather than refusing them: a body of only those changes nothing.
    if (change.status === undefined && change.assignee === undefined && change.note === undefined)
      return reply.code(400).send({ error: 'invalid change', message: 'nothing to change: give a status, an assignee or a note' });
    const who = request.consoleSession?.user;
    if (!who) throw new Error('the session guard let a request through without a session');
    const expected =
      if_seq_no !== undefined && if_primary_term !== undefined ? { seq_no: if_seq_no, primary_term: if_primary_term } : undefined;
    let outcome: Awaited<ReturnType<typeof changeAlert>>;
    try {
      outcome = await changeAlert({ index: alertsIndex, id: request.params.id, change, who, expected });
    } catch (error) {
      const failure = classifySearchError(error);
      reply.log.warn({ err: error }, 'console alert change failed');
      return reply.code(502).send(failure.status === 502 ? failure.answer : { error: 'opensearch error', message: failure.answer.message });
    }
    if (!outcome.ok) {
      const error = outcome.status === 404 ? 'not found' : outcome.status === 409 ? 'conflict' : 'invalid change';
      return reply.code(outcome.status).send({ error, message: outcome.message });
    }
    request.log.info({ alert: request.params.id, who, changes: outcome.entries.map((entry) => entry.field) }, 'alert changed');
    const answer: AlertChangeAnswer = {
      alert: { ...outcome.alert, id: request.params.id, index: outcome.index },
      version: outcome.version,
      entries: outcome.entries,
    };
    return answer;
  });
};
