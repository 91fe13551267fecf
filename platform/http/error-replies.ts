import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/** The JSON body of every error reply: what went wrong, and, for a request that failed its schema, each problem. */
export interface JsonErrorBody {
  error: string;
  message?: string;
  problems?: string[];
}

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

/**
 * A fastify error handler under which every error leaves as JSON: schema failures list each problem, client errors
 * keep fastify's fixed message (a JSON parse error's message may quote the body, so it gets a fixed one), server
 * errors are logged and answered with `internalErrorMessage` alone, saying nothing about internals.
 */
export function jsonErrorHandler(internalErrorMessage: string) {
  return function sendErrorAsJson(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
    if (error.validation) {
      const problems = error.validation.map((problem) => describeProblem(error.validationContext, problem as ValidationProblem));
      return reply.code(400).send({ error: 'invalid request', problems } satisfies JsonErrorBody);
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const message = error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ? 'the body is not valid JSON' : error.message;
      return reply.code(status).send({ error: 'bad request', message } satisfies JsonErrorBody);
    }
    request.log.error(error);
    return reply.code(500).send({ error: 'internal error', message: internalErrorMessage } satisfies JsonErrorBody);
  };
}
