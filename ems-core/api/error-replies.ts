import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

interface ValidationProblem {
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

function describeProblem(context: string | undefined, problem: ValidationProblem): string {
  const where = `${context ?? 'request'}${problem.instancePath}`;
  const allowed = problem.params.allowedValues;
  const suffix = Array.isArray(allowed) ? ` (${allowed.join(', ')})` : '';
  return `${where} ${problem.message ?? 'is invalid'}${suffix}`;
}

/**
 * Every error leaves as JSON. Schema failures list each problem; client errors keep fastify's fixed message
 * (except a JSON parse failure, whose message may quote the body); server errors say nothing about internals.
 */
export function sendErrorAsJson(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error.validation) {
    const problems = error.validation.map((problem) => describeProblem(error.validationContext, problem as ValidationProblem));
    return reply.code(400).send({ error: 'invalid request', problems });
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const message = error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ? 'the body is not valid JSON' : error.message;
    return reply.code(status).send({ error: 'bad request', message });
  }
  request.log.error(error);
  return reply.code(500).send({ error: 'internal error', message: 'the EMS core failed to handle the request; see its log' });
}
