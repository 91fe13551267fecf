import type { FastifyPluginAsync } from 'fastify';
import { BOARDS, boardById } from '../../boards/index.js';
import { boardSource, TEMPLATE_VARIABLES } from '../../boards/model.js';
import { type PanelRequest, panelSearchBody } from '../../query/search-body.js';
import type { BoardsAnswer, PanelAnswer, VariableValuesAnswer } from '../api-types.js';
import { CONSOLE_DATASETS } from './datasets.js';
import { type DataQuery, dataQueryProperties, idParam, selectedVariables } from './request-schemas.js';
import { type Search, searchOrReply } from './search-runner.js';
import { shapePanelData } from './shape-results.js';
import { histogramInterval, resolveRange } from './time-range.js';

export interface BoardRoutesOptions {
  search: Search;
  /** `_search` over the alerts index pattern, for the boards whose source is `alerts`. */
  alertsSearch: Search;
  now: () => number;
}

const panelSchema = {
  params: { type: 'object', required: ['board', 'panel'], properties: { board: idParam, panel: idParam } },
  querystring: { type: 'object', additionalProperties: false, properties: dataQueryProperties },
} as const;

const VARIABLE_NAMES = TEMPLATE_VARIABLES.map((variable) => variable.name);
const VALUES_SHOWN = 50;

const variableSchema = {
  params: { type: 'object', required: ['name'], properties: { name: { type: 'string', enum: VARIABLE_NAMES } } },
  querystring: { type: 'object', additionalProperties: false, properties: dataQueryProperties },
} as const;

/** The boards (from BOARDS), each panel's data (its panelSearchBody, shaped for a chart), and the variables' values. */
export const boardRoutes: FastifyPluginAsync<BoardRoutesOptions> = async (app, { search, alertsSearch, now }) => {
  const boards: BoardsAnswer = {
    boards: BOARDS,
    variables: TEMPLATE_VARIABLES.map(({ name, label, field }) => ({ name, label, field })),
    datasets: CONSOLE_DATASETS,
  };
  app.get('/api/boards', async () => boards);

  app.get<{ Params: { board: string; panel: string }; Querystring: DataQuery }>(
    '/api/boards/:board/panels/:panel',
    { schema: panelSchema },
    async (request, reply) => {
      const board = boardById(request.params.board);
      const panel = board?.panels.find((candidate) => candidate.id === request.params.panel);
      if (!board || !panel) return reply.code(404).send({ error: 'not found', message: 'no such board or panel' });
      const range = resolveRange(request.query.from, request.query.to, now());
      if ('problem' in range) return reply.code(400).send({ error: 'invalid request', problems: [range.problem] });

      const interval = histogramInterval(range.to - range.from);
      const panelRequest: PanelRequest = {
        from: new Date(range.from).toISOString(),
        to: new Date(range.to).toISOString(),
        query: request.query.q,
        variables: selectedVariables(request.query),
        interval,
      };
      const body = panelSearchBody(board, panel, panelRequest);
      // A table shows its columns; the whole document is fetched by id when a row is opened, not 500 of them per refresh.
      if (panel.query.type === 'events') body._source = [...panel.query.columns];
      const result = await searchOrReply(boardSource(board) === 'alerts' ? alertsSearch : search, body, reply);
      if (!result) return reply;
      const answer: PanelAnswer = {
        board: board.id,
        panel: panel.id,
        from: panelRequest.from,
        to: panelRequest.to,
        interval,
        data: shapePanelData(panel.query, result.answer),
        warnings: result.warnings,
      };
      return answer;
    },
  );

  app.get<{ Params: { name: string }; Querystring: DataQuery }>(
    '/api/variables/:name',
    { schema: variableSchema },
    async (request, reply) => {
      const variable = TEMPLATE_VARIABLES.find((candidate) => candidate.name === request.params.name);
      if (!variable) return reply.code(404).send({ error: 'not found', message: 'no such variable' });
      const range = resolveRange(request.query.from, request.query.to, now());
      if ('problem' in range) return reply.code(400).send({ error: 'invalid request', problems: [range.problem] });
      // The values present in the range, whatever the other selections: a select must not hide its own alternatives.
      const body = {
        size: 0,
        query: { range: { '@timestamp': { gte: new Date(range.from).toISOString(), lte: new Date(range.to).toISOString() } } },
        aggs: { values: { terms: { field: variable.field, size: VALUES_SHOWN } } },
      };
      const result = await searchOrReply(search, body, reply);
      if (!result) return reply;
      const buckets =
        (result.answer.aggregations?.values as { buckets?: { key: string | number; key_as_string?: string; doc_count: number }[] })
          ?.buckets ?? [];
      const answer: VariableValuesAnswer = {
        name: variable.name,
        values: buckets.map((bucket) => ({ key: bucket.key_as_string ?? String(bucket.key), count: bucket.doc_count })),
      };
      return answer;
    },
  );
};
