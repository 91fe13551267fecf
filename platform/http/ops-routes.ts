import type { FastifyPluginAsync } from 'fastify';
import type { MetricsRegistry } from '../telemetry/metrics-registry.js';
import { tokenCheck } from './bearer-token.js';

export interface Readiness {
  ready: boolean;
  /** One entry per dependency, e.g. `{ opensearch: true, spool: true }`. */
  checks: Record<string, boolean>;
}

export interface OpsRoutesOptions {
  metrics: MetricsRegistry;
  ready: () => Promise<Readiness>;
  /** When set (`http.metrics_token`), /metrics answers 401 without `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string | undefined;
  /** A readiness check that hangs longer than this counts as not ready (default 5 s). */
  readyTimeoutMs?: number;
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

// Probes and scrapers must see the state of now, never a cached copy.
const NO_STORE = 'no-store';

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/**
 * Operations endpoints: GET /metrics (Prometheus; behind a bearer token when one is configured), GET /health
 * (liveness: the process answers) and GET /ready (readiness: the injected checks, 503 when any fails, so a load
 * balancer stops sending before the pipeline refuses). Probes never need a token.
 */
export const opsRoutes: FastifyPluginAsync<OpsRoutesOptions> = async (app, options) => {
  const readyTimeoutMs = options.readyTimeoutMs ?? 5000;

  // The metrics name components, sinks and rule ids: worth a token when the server is reachable from elsewhere.
  const authorized = options.metricsToken ? tokenCheck(options.metricsToken) : () => true;
  app.get('/metrics', async (request, reply) => {
    reply.header('cache-control', NO_STORE);
    if (!authorized(request.headers.authorization))
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="fortiems metrics"')
        .send({ error: 'unauthorized', message: 'send Authorization: Bearer <http.metrics_token>' });
    return reply.header('content-type', PROMETHEUS_CONTENT_TYPE).send(await options.metrics.render());
  });

  app.get('/health', async (_request, reply) => reply.header('cache-control', NO_STORE).send({ status: 'ok' }));

  app.get('/ready', async (request, reply) => {
    reply.header('cache-control', NO_STORE);
    let readiness: Readiness;
    try {
      readiness = await withTimeout(options.ready(), readyTimeoutMs);
    } catch (error) {
      request.log.warn({ err: error }, 'readiness check failed');
      return reply.code(503).send({ ready: false, checks: {}, error: 'the readiness check failed; see the pipeline log' });
    }
    const ready = readiness.ready && Object.values(readiness.checks).every(Boolean);
    return reply.code(ready ? 200 : 503).send({ ready, checks: readiness.checks });
  });
};
