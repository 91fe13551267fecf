import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { RateTracker, SystemSnapshotter } from '../../app/service/system-snapshot.js';
import { consolePlugin } from '../../dashboards/console/server/index.js';
import type { ConsolePluginOptions } from '../../dashboards/console/server/options.js';
import type { SystemAnswer } from '../../dashboards/console/system-types.js';
import { DetectionMetrics } from '../../detections/runtime/detection-metrics.js';
import { buildEmsAdminServer } from '../../ems-core/api/admin-api.js';
import { Simulation } from '../../ems-core/simulation/simulation.js';
import { ComponentTelemetry } from '../../platform/telemetry/component-telemetry.js';
import { LastErrors, MAX_ERROR_MESSAGE } from '../../platform/telemetry/last-errors.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import { startFakeJsonServer } from '../support/fake-json-server.js';
import { metricSum, parseMetrics } from '../support/ingest-harness.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const totals = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe('the rate between two reads', () => {
  it('has none on the first read, then the counter difference over the time between the reads', () => {
    const rates = new RateTracker(1000);
    const first = rates.read(10_000, totals({ a: 100 }));
    expect(first.windowSeconds).toBeNull();
    expect(first.perSecond('a')).toBeNull();
    const second = rates.read(15_000, totals({ a: 600, b: 5 }));
    expect(second.windowSeconds).toBe(5);
    expect(second.perSecond('a')).toBe(100);
    // A component that was not there at the earlier read has no rate yet.
    expect(second.perSecond('b')).toBeNull();
    expect(rates.read(20_000, totals({ a: 600, b: 55 })).perSecond('b')).toBe(10);
  });

  it('compares with a read at least the minimum interval old, so readers polling together get rates over seconds', () => {
    const rates = new RateTracker(1000);
    rates.read(0, totals({ a: 0 }));
    rates.read(5_000, totals({ a: 500 }));
    // A second reader 50 ms after the first: still against the read at 0, not over 50 ms.
    const close = rates.read(5_050, totals({ a: 510 }));
    expect(close.windowSeconds).toBeCloseTo(5.05);
    expect(close.perSecond('a')).toBeCloseTo(510 / 5.05);
    // A read within a tenth of the interval of the previous one is not kept: the next compares with the read at 5 s.
    const next = rates.read(10_000, totals({ a: 1000 }));
    expect(next.windowSeconds).toBe(5);
    expect(next.perSecond('a')).toBe(100);
  });

  it('gives no rate for a counter that went back', () => {
    const rates = new RateTracker(1000);
    rates.read(0, totals({ a: 10 }));
    expect(rates.read(2000, totals({ a: 5 })).perSecond('a')).toBeNull();
  });
});

describe('the last error of a component', () => {
  it('keeps one record per component, the message cut, the oldest component forgotten beyond the bound', () => {
    let now = 1000;
    const errors = new LastErrors(2, () => now);
    errors.note('sink:a', 'send', 'unavailable', new Error('connect ECONNREFUSED'));
    expect(errors.get('sink:a')).toEqual({ message: 'connect ECONNREFUSED', stage: 'send', errorType: 'unavailable', at: 1000 });
    now = 2000;
    errors.note('sink:a', 'send', 'rejected', 'x'.repeat(10_000));
    expect(errors.get('sink:a')?.message).toHaveLength(MAX_ERROR_MESSAGE);
    expect(errors.get('sink:a')?.at).toBe(2000);
    errors.note('source:b', 'receive', 'socket_error');
    expect(errors.get('source:b')?.message).toBe('receive: socket_error');
    errors.note('transform:parse', 'parse', 'pipeline_error');
    expect(errors.get('sink:a')).toBeUndefined();
    expect(errors.get('source:b')).toBeDefined();
  });

  it('is set by ComponentTelemetry.error, where the error is counted', () => {
    const registry = new MetricsRegistry();
    const sink = new ComponentTelemetry(registry, { id: 'opensearch', kind: 'sink', type: 'opensearch' });
    sink.error('send', 'rejected', 3, 'mapper_parsing_exception: failed to parse field [x]');
    expect(registry.lastErrors.get('sink:opensearch')).toMatchObject({
      message: 'mapper_parsing_exception: failed to parse field [x]',
      stage: 'send',
      errorType: 'rejected',
    });
  });
});

/** A registry with known values, as the pipeline's components would have left them. */
function knownRegistry() {
  const registry = new MetricsRegistry();
  const tcp = new ComponentTelemetry(registry, { id: 'syslog_tcp', kind: 'source', type: 'syslog' });
  const udp = new ComponentTelemetry(registry, { id: 'syslog_udp', kind: 'source', type: 'syslog' });
  const parse = new ComponentTelemetry(registry, { id: 'parse', kind: 'transform', type: 'parse' });
  const opensearch = new ComponentTelemetry(registry, { id: 'opensearch', kind: 'sink', type: 'opensearch' });
  tcp.received(1000, 150_000);
  tcp.sent(1000, 150_000);
  tcp.connections(3);
  udp.received(50, 5000);
  udp.discarded('queue_full', 7);
  udp.sent(43, 4300);
  parse.received(1043, 154_300);
  parse.sent(1043, 154_300);
  parse.error('parse', 'pipeline_error', 2);
  opensearch.received(1043, 400_000);
  opensearch.sent(1000, 380_000);
  opensearch.deadLettered(30);
  opensearch.deduplicated(3);
  opensearch.discarded('filtered', 4);
  opensearch.discarded('encode_error', 1);
  opensearch.error('send', 'rejected', 30, 'mapper_parsing_exception');
  opensearch.error('send', 'unavailable', 2, 'connect ECONNREFUSED');
  opensearch.buffer(5, 2048);
  registry.gauge('fortiems_pipeline_queue_events', 'queue', [], function collect() {
    this.set(11);
  });
  registry.gauge('fortiems_pipeline_queue_bytes', 'queue', [], function collect() {
    this.set(1100);
  });
  return { registry, tcp, opensearch };
}

describe('the system snapshot', () => {
  it('reads every component from the registry /metrics serves: the same totals, by kind, with the last error', async () => {
    const { registry } = knownRegistry();
    let now = Date.parse('2026-12-01T10:00:00Z');
    const snapshotter = new SystemSnapshotter({ registry, now: () => now, bufferTypes: () => new Map([['opensearch', 'disk']]) });
    const snapshot = await snapshotter.read();
    expect(snapshot.at).toBe('2026-12-01T10:00:00.000Z');
    expect(snapshot.rateWindowSeconds).toBeNull();
    expect(snapshot.detections).toBeNull();
    expect(snapshot.components.map((c) => `${c.kind}:${c.id}`)).toEqual([
      'source:syslog_tcp',
      'source:syslog_udp',
      'transform:parse',
      'sink:opensearch',
    ]);
    const [tcp, udp, parse, sink] = snapshot.components;
    expect(tcp).toMatchObject({
      type: 'syslog',
      receivedEvents: 1000,
      receivedBytes: 150_000,
      sentEvents: 1000,
      openConnections: 3,
      errors: 0,
      lastError: null,
    });
    expect(udp).toMatchObject({ receivedEvents: 50, sentEvents: 43, discarded: 7, discardedBy: [{ key: 'queue_full', count: 7 }] });
    expect(parse).toMatchObject({
      receivedEvents: 1043,
      errors: 2,
      queueEvents: 11,
      queueBytes: 1100,
      errorsBy: [{ key: 'parse/pipeline_error', count: 2 }],
    });
    expect(parse?.lastError).toMatchObject({ message: 'parse: pipeline_error', stage: 'parse', errorType: 'pipeline_error' });
    expect(sink).toMatchObject({
      receivedEvents: 1043,
      sentEvents: 1000,
      sentBytes: 380_000,
      deadLettered: 30,
      deduplicated: 3,
      discarded: 5,
      errors: 32,
      bufferEvents: 5,
      bufferBytes: 2048,
      bufferType: 'disk',
      lastError: { message: 'connect ECONNREFUSED', stage: 'send', errorType: 'unavailable' },
    });
    expect(sink?.discardedBy).toEqual(
      expect.arrayContaining([
        { key: 'filtered', count: 4 },
        { key: 'encode_error', count: 1 },
      ]),
    );

    // The same numbers as a scrape.
    const scraped = parseMetrics(await registry.render());
    for (const component of snapshot.components) {
      const labels = { component_id: component.id, component_kind: component.kind };
      expect(component.receivedEvents).toBe(metricSum(scraped, 'fortiems_component_received_events_total', labels));
      expect(component.sentEvents).toBe(metricSum(scraped, 'fortiems_component_sent_events_total', labels));
      expect(component.errors).toBe(metricSum(scraped, 'fortiems_component_errors_total', labels));
      expect(component.discarded).toBe(metricSum(scraped, 'fortiems_component_discarded_events_total', labels));
      expect(component.deadLettered).toBe(metricSum(scraped, 'fortiems_component_dead_lettered_events_total', labels));
      expect(component.bufferEvents).toBe(metricSum(scraped, 'fortiems_buffer_events', labels));
      expect(component.bufferBytes).toBe(metricSum(scraped, 'fortiems_buffer_bytes', labels));
    }
    now += 4000;
    expect((await snapshotter.read()).rateWindowSeconds).toBe(4);
  });

  it('computes events/s in and out from the counters between two reads', async () => {
    const { registry, tcp, opensearch } = knownRegistry();
    let now = 0;
    const snapshotter = new SystemSnapshotter({ registry, now: () => now });
    await snapshotter.read();
    tcp.received(500, 50_000);
    tcp.sent(500, 50_000);
    opensearch.sent(200, 1);
    now = 2000;
    const snapshot = await snapshotter.read();
    expect(snapshot.rateWindowSeconds).toBe(2);
    const byId = new Map(snapshot.components.map((c) => [c.id, c]));
    expect(byId.get('syslog_tcp')).toMatchObject({ inPerSecond: 250, outPerSecond: 250 });
    expect(byId.get('opensearch')).toMatchObject({ inPerSecond: 0, outPerSecond: 100 });
    expect(byId.get('syslog_udp')).toMatchObject({ inPerSecond: 0, outPerSecond: 0 });
  });

  it('adds the detections when they run in the process, with their last error', async () => {
    const registry = new MetricsRegistry();
    const metrics = new DetectionMetrics(registry);
    metrics.ruleStates(40, 2, 1);
    metrics.run('ok', 0.25, Date.parse('2026-12-01T09:59:00Z'));
    metrics.run('error', 0.5, Date.parse('2026-12-01T10:00:00Z'), new Error('search_phase_execution_exception'));
    metrics.alert('r1', 'high');
    metrics.ruleError('r2', 'too many clauses');
    const snapshot = await new SystemSnapshotter({ registry }).read();
    expect(snapshot.detections).toMatchObject({
      runsOk: 1,
      runsFailed: 1,
      alerts: 1,
      ruleErrors: 1,
      rulesActive: 40,
      rulesSkipped: 2,
      rulesRefused: 1,
      lastRun: '2026-12-01T09:59:00.000Z',
      lastRunSeconds: 0.5,
      lastError: { message: 'too many clauses', stage: 'rule r2', errorType: 'rule_error' },
    });
  });
});

describe('GET /console/api/system', () => {
  const USER = 'admin';
  const PASSWORD = 'system-route-test-password';
  const TOKEN = 'system-route-test-token-0123456789';

  async function console(options: Partial<ConsolePluginOptions>, health: () => { status?: number; body?: unknown }) {
    const opensearch = await startFakeJsonServer((request) =>
      request.path === '/_cluster/health' ? health() : { status: 404, body: { error: 'no' } },
    );
    cleanups.push(() => opensearch.close());
    const root = mkdtempSync(join(tmpdir(), 'fortiems-system-web-'));
    for (const name of ['index.html', 'login.html', 'login.js', 'main.js', 'console.css']) writeFileSync(join(root, name), '');
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const app = Fastify({ logger: false });
    await app.register(consolePlugin, {
      opensearch: { url: opensearch.url },
      adminUser: USER,
      adminPassword: PASSWORD,
      webRoot: root,
      ...options,
    });
    cleanups.push(() => app.close());
    const login = await app.inject({ method: 'POST', url: '/console/api/login', payload: { user: USER, password: PASSWORD } });
    const cookie = String(login.headers['set-cookie']).split(';')[0] as string;
    return (url = '/console/api/system') => app.inject({ method: 'GET', url, headers: { cookie } });
  }

  it('answers 503 when the service gave the console no snapshot', async () => {
    const get = await console({}, () => ({ body: {} }));
    const response = await get();
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ error: 'system snapshot not available' });
  });

  it("joins the service's snapshot, the cluster's health and the EMS core's services", async () => {
    const sim = new Simulation({ seed: 3, start: Date.parse('2026-12-01T00:00:00Z'), endpoints: 5 });
    sim.monitor.crash('fcems_probe', { crashLoopMs: 3_600_000 });
    const ems = buildEmsAdminServer({ sim, adminToken: TOKEN });
    const emsUrl = await ems.listen({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => ems.close());
    const { registry } = knownRegistry();
    const snapshotter = new SystemSnapshotter({ registry });
    const get = await console({ systemSnapshot: () => snapshotter.read(), emsApi: { url: emsUrl, token: TOKEN } }, () => ({
      body: { cluster_name: 'c1', status: 'yellow', number_of_nodes: 1, number_of_data_nodes: 1, active_shards: 12, unassigned_shards: 4 },
    }));
    const answer = (await get()).json() as SystemAnswer;
    expect(answer.components).toHaveLength(4);
    expect(answer.opensearch).toEqual({
      status: 'yellow',
      clusterName: 'c1',
      nodes: 1,
      dataNodes: 1,
      activeShards: 12,
      unassignedShards: 4,
    });
    if (!('services' in answer.ems)) throw new Error(`no services: ${JSON.stringify(answer.ems)}`);
    expect(answer.ems.services).toHaveLength(sim.ems.services.all().length);
    expect(answer.ems.services.find((service) => service.name === 'fcems_probe')).toMatchObject({ up: false, severity: 'critical' });

    await ems.close();
    const down = (await get()).json() as SystemAnswer;
    expect(down.ems).toMatchObject({ error: expect.stringContaining('did not answer') });
  });

  it('says what failed when the cluster does not answer, and that no EMS API is configured', async () => {
    const { registry } = knownRegistry();
    const snapshotter = new SystemSnapshotter({ registry });
    const get = await console({ systemSnapshot: () => snapshotter.read() }, () => ({ status: 500, body: { error: 'boom' } }));
    const answer = (await get()).json() as SystemAnswer;
    expect(answer.opensearch).toMatchObject({ error: expect.stringContaining('cluster health failed') });
    expect(answer.ems).toEqual({ notConfigured: true });
  });
});
