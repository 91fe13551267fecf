import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorAnswer } from '../api-types.js';

interface ValidationProblem {
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

function describeProblem(context: string | undefined, problem: ValidationProblem): string {
  const where = `${context ?? 'request'}${problem.instancePath}`;
  const allowed = problem.params.allowedValues;
  const extra = problem.params.additionalProperty;
  const suffix = Array.isArray(allowed) ? ` (${allowed.join(', ')})` : typeof extra === 'string' ? ` ('${extra}')` : '';
  return `${where} ${problem.message ?? 'is invalid'}${suffix}`;
}

export function sendError(reply: FastifyReply, status: number, answer: ErrorAnswer): FastifyReply {
  return reply.code(status).send(answer);
}

/**
 * Every console error leaves as JSON: schema failures list each problem, client errors keep fastify's fixed message
 * (a JSON parse error's message may quote the body, so it gets a fixed one), server errors say nothing about internals.
 */
export function sendErrorAsJson(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error.validation) {
    const problems = error.validation.map((problem) => describeProblem(error.validationContext, problem as ValidationProblem));
    return sendError(reply, 400, { error: 'invalid request', problems });
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const message = error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ? 'the body is not valid JSON' : error.message;
    return sendError(reply, status, { error: 'bad request', message });
  }
  request.log.error(error);
  return sendError(reply, 500, { error: 'internal error', message: 'the console failed to handle the request; see the pipeline log' });
}
