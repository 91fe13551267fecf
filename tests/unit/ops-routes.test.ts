import { afterEach, describe, expect, it } from 'vitest';
import { createHttpServer, type HttpServer, parseListenAddress } from '../../platform/http/http-server.js';
import { opsRoutes, type Readiness } from '../../platform/http/ops-routes.js';
import { ComponentTelemetry } from '../../platform/telemetry/component-telemetry.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';

const servers: HttpServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

function setUp(ready: () => Promise<Readiness>, readyTimeoutMs?: number) {
  const metrics = new MetricsRegistry();
  const server = createHttpServer({ address: '127.0.0.1:0' });
  servers.push(server);
  server.app.register(opsRoutes, { metrics, ready, ...(readyTimeoutMs ? { readyTimeoutMs } : {}) });
  return { metrics, server, get: (url: string) => server.app.inject({ method: 'GET', url }) };
}

describe('ops routes', () => {
  it('GET /metrics: the registry in the Prometheus text format, as of now', async () => {
    const { metrics, get } = setUp(async () => ({ ready: true, checks: {} }));
    const telemetry = new ComponentTelemetry(metrics, { id: 'http_in', kind: 'source', type: 'http' });
    telemetry.received(3, 120);
    let response = await get('/metrics');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toContain('# TYPE fortiems_component_received_events_total counter');
    expect(response.body).toContain(
      'fortiems_component_received_events_total{component_id="http_in",component_kind="source",component_type="http"} 3',
    );
    telemetry.received(2, 0);
    response = await get('/metrics');
    expect(response.body).toContain(
      'fortiems_component_received_events_total{component_id="http_in",component_kind="source",component_type="http"} 5',
    );
  });

  it('GET /metrics with http.metrics_token: 401 without the bearer token or with a wrong one, 200 with it', async () => {
    const TOKEN = 'metrics-token-0123456789abcdef';
    const server = createHttpServer({ address: '127.0.0.1:0' });
    servers.push(server);
    server.app.register(opsRoutes, {
      metrics: new MetricsRegistry(),
      metricsToken: TOKEN,
      ready: async () => ({ ready: true, checks: {} }),
    });
    const scrape = (authorization?: string) =>
      server.app.inject({ method: 'GET', url: '/metrics', headers: authorization ? { authorization } : {} });
    for (const authorization of [undefined, `Bearer ${TOKEN.slice(0, -1)}x`, `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, TOKEN]) {
      const refused = await scrape(authorization);
      expect(refused.statusCode, String(authorization)).toBe(401);
      expect(refused.headers['www-authenticate']).toMatch(/^Bearer /);
      expect(refused.body).not.toContain('fortiems_');
      expect(refused.json()).toMatchObject({ error: 'unauthorized' });
    }
    const allowed = await scrape(`Bearer ${TOKEN}`);
    expect(allowed.statusCode).toBe(200);
    expect(allowed.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    // Only /metrics: probes keep working without the token.
    expect((await server.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    expect((await server.app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
  });

  it('GET /health: liveness, without asking readiness', async () => {
    let asked = 0;
    const { get } = setUp(async () => {
      asked += 1;
      return { ready: false, checks: { opensearch: false } };
    });
    const response = await get('/health');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
    expect(asked).toBe(0);
  });

  it('GET /ready: 200 with the checks when ready, 503 with them when not', async () => {
    let state: Readiness = { ready: true, checks: { opensearch: true, spool: true } };
    const { get } = setUp(async () => state);
    let response = await get('/ready');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ ready: true, checks: { opensearch: true, spool: true } });
    state = { ready: false, checks: { opensearch: false, spool: true } };
    response = await get('/ready');
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ ready: false, checks: { opensearch: false, spool: true } });
    // A failing check wins over a careless `ready: true`.
    state = { ready: true, checks: { opensearch: false } };
    expect((await get('/ready')).statusCode).toBe(503);
  });

  it('GET /ready: 503 when the check throws or hangs, without its error text', async () => {
    const throwing = setUp(async () => {
      throw new Error('secret internals');
    });
    const response = await throwing.get('/ready');
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ ready: false, checks: {} });
    expect(response.body).not.toContain('secret');
    const hanging = setUp(() => new Promise<Readiness>(() => {}), 50);
    const started = Date.now();
    expect((await hanging.get('/ready')).statusCode).toBe(503);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('createHttpServer', () => {
  it('listens on HOST:PORT (0: a free port), serves what is registered, and closes', async () => {
    const { server } = setUp(async () => ({ ready: true, checks: {} }));
    const url = await server.listen();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
    await server.close();
    servers.length = 0;
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it('reads addresses like the configuration writes them, and rejects others', () => {
    expect(parseListenAddress('127.0.0.1:8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseListenAddress('[::]:8080')).toEqual({ host: '::', port: 8080 });
    expect(parseListenAddress('localhost:0')).toEqual({ host: 'localhost', port: 0 });
    for (const bad of ['8080', 'host:', 'host:99999', 'http://host:80', '::1:80'])
      expect(() => parseListenAddress(bad), bad).toThrow(/HOST:PORT/);
  });
});
