import type { FastifyPluginAsync } from 'fastify';
import type { DeadLetterAccess, DeadLetterSelection, DeadLettersAnswer } from '../dead-letter-types.js';
import { classifySearchError } from './search-errors.js';
import { INSTANT_PATTERN, resolveRange } from './time-range.js';

export interface DeadLetterRoutesOptions {
  /** Injected by the service; undefined: both routes answer 503. */
  deadLetters: DeadLetterAccess | undefined;
  now: () => number;
}

const NOT_CONFIGURED = {
  error: 'dead letters not available',
  message: 'this console was started without access to the dead letters (no opensearch sink in the pipeline configuration)',
} as const;
const NO_REPLAY = { error: 'replay not available', message: 'this console was started without the dead-letter replay' } as const;

const instant = { type: 'string', pattern: INSTANT_PATTERN, maxLength: 40 } as const;
const selectionProperties = {
  from: { ...instant, default: 'now-7d' },
  to: { ...instant, default: 'now' },
  reason: { type: 'string', minLength: 1, maxLength: 256 },
  dataset: { type: 'string', minLength: 1, maxLength: 256 },
} as const;

interface SelectionQuery {
  from: string;
  to: string;
  reason?: string;
  dataset?: string;
}

/**
 * GET /api/dead-letters (counts by reason and dataset, the newest letters) and POST /api/dead-letters/replay (the
 * service's replay over the same selection). The console has one account, its administrator (`console.admin_user`),
 * so a session is the administrator's; the session guard and the same-origin check run before both, as for every
 * console route. One replay at a time: a second one while it runs gets 409.
 */
export const deadLetterRoutes: FastifyPluginAsync<DeadLetterRoutesOptions> = async (app, { deadLetters, now }) => {
  const selectionOf = (query: SelectionQuery): DeadLetterSelection | { problem: string } => {
    const range = resolveRange(query.from, query.to, now());
    if ('problem' in range) return range;
    return { ...range, reason: query.reason, dataset: query.dataset };
  };
  let replaying = false;

  app.get<{ Querystring: SelectionQuery & { size: number } }>(
    '/api/dead-letters',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ...selectionProperties, size: { type: 'integer', minimum: 1, maximum: 100, default: 25 } },
        },
      },
    },
    async (request, reply) => {
      if (!deadLetters) return reply.code(503).send(NOT_CONFIGURED);
      const selection = selectionOf(request.query);
      if ('problem' in selection) return reply.code(400).send({ error: 'bad request', message: selection.problem });
      let counts: Awaited<ReturnType<DeadLetterAccess['counts']>>;
      try {
        counts = await deadLetters.counts(selection, request.query.size);
      } catch (error) {
        const failure = classifySearchError(error);
        return reply.code(502).send(failure.answer);
      }
      const answer: DeadLettersAnswer = { ...counts, index: deadLetters.index, canReplay: deadLetters.replay !== undefined };
      return answer;
    },
  );

  app.post<{ Body: SelectionQuery }>(
    '/api/dead-letters/replay',
    { schema: { body: { type: 'object', additionalProperties: false, properties: selectionProperties } } },
    async (request, reply) => {
      if (!deadLetters) return reply.code(503).send(NOT_CONFIGURED);
      const replay = deadLetters.replay;
      if (!replay) return reply.code(503).send(NO_REPLAY);
      const selection = selectionOf(request.body);
      if ('problem' in selection) return reply.code(400).send({ error: 'bad request', message: selection.problem });
      if (replaying)
        return reply.code(409).send({ error: 'replay running', message: 'a replay is running already: wait for it to finish' });
      replaying = true;
      try {
        request.log.info({ user: request.consoleSession?.user, selection }, 'dead-letter replay from the console');
        return await replay(selection);
      } catch (error) {
        reply.log.warn({ err: error }, 'console dead-letter replay failed');
        return reply.code(502).send(classifySearchError(error).answer);
      } finally {
        replaying = false;
      }
    },
  );
};
