/**
 * The console's alerts API without OpenSearch: the session it needs, the request schemas, and what it would ask
 * (the searches recorded by a fake cluster). The answers over real alerts are checked in console-alerts.browser.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { alertsSearchBody, eventIndexWithin, levelsFrom } from '../../dashboards/console/server/alert-search.js';
import { consolePlugin } from '../../dashboards/console/server/index.js';
import type { AlertChanger, ConsolePluginOptions } from '../../dashboards/console/server/options.js';
import type { AlertChangeOutcome, AlertDocument } from '../../mappings/index.js';
import { type FakeJsonServer, startFakeJsonServer } from '../support/fake-json-server.js';

const USER = 'admin';
const PASSWORD = 'alerts unit test password';
const NOW = Date.parse('2026-11-30T12:00:00Z');

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(options: Partial<ConsolePluginOptions> = {}) {
  const opensearch: FakeJsonServer = await startFakeJsonServer(() => ({ body: { hits: { total: { value: 0 }, hits: [] } } }));
  cleanups.push(() => opensearch.close());
  const webRoot = mkdtempSync(join(tmpdir(), 'fortiems-console-alerts-'));
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>console</title>');
  cleanups.push(() => rmSync(webRoot, { recursive: true, force: true }));
  const app = Fastify({ logger: false });
  await app.register(consolePlugin, {
    opensearch: { url: opensearch.url },
    adminUser: USER,
    adminPassword: PASSWORD,
    webRoot,
    now: () => NOW,
    ...options,
  });
  cleanups.push(() => app.close());
  const login = await app.inject({ method: 'POST', url: '/console/api/login', payload: { user: USER, password: PASSWORD } });
  const session = String(login.headers['set-cookie']).split(';')[0] as string;
  const get = (url: string, cookie: string | undefined = session) => app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} });
  const patch = (url: string, payload: unknown, headers: Record<string, string> = { cookie: session }) =>
    app.inject({ method: 'PATCH', url, payload: payload as object, headers });
  return { opensearch, get, patch, session };
}

describe('console alerts API: access and validation', () => {
  it('answers 401 without a session and asks OpenSearch nothing', async () => {
    const { get, opensearch } = await setUp();
    for (const url of ['/console/api/alerts', '/console/api/alerts?level=high', '/console/api/alerts/abc']) {
      const response = await get(url, '');
      expect(response.statusCode, url).toBe(401);
      expect(response.json(), url).toEqual({ error: 'unauthorized', message: 'log in first: POST /console/api/login' });
      expect(response.headers['content-security-policy'], url).toContain("require-trusted-types-for 'script'");
    }
    expect((await get('/console/api/alerts', 'fortiems_console=forged')).statusCode).toBe(401);
    expect(opensearch.requests).toEqual([]);
  });

  it('validates the query string and the id, naming every problem, before any search', async () => {
    const { get, opensearch } = await setUp();
    const cases: [string, RegExp][] = [
      [
        '/console/api/alerts?level=severe',
        /querystring\/level must be equal to one of the allowed values \(informational, low, medium, high, critical\)/,
      ],
      ['/console/api/alerts?level=high&level=low', /querystring\/level must be string/],
      ['/console/api/alerts?from=yesterday', /querystring\/from must match pattern/],
      ['/console/api/alerts?from=now&to=now-1h', /from must be before to/],
      ['/console/api/alerts?size=201', /querystring\/size must be <= 200/],
      ['/console/api/alerts?page=0', /querystring\/page must be >= 1/],
      ['/console/api/alerts?page=101&size=100', /past the first 10000 alerts/],
      ['/console/api/alerts?rule=', /querystring\/rule must NOT have fewer than 1 characters/],
      [`/console/api/alerts?rule=${'r'.repeat(257)}`, /querystring\/rule must NOT have more than 256 characters/],
      [`/console/api/alerts?q=${'x'.repeat(2001)}`, /querystring\/q must NOT have more than 2000 characters/],
      ['/console/api/alerts/not%20an%20id', /params\/id must match pattern/],
      ['/console/api/alerts/abc.def', /params\/id must match pattern/],
    ];
    for (const [url, problem] of cases) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(400);
      const body = response.json() as { error: string; problems: string[] };
      expect(body.error, url).toBe('invalid request');
      expect(body.problems.join('; '), url).toMatch(problem);
    }
    expect(opensearch.requests).toEqual([]);
  });

  it('searches the alerts index pattern (fortiems-alerts-* unless configured), where a missing index is no error', async () => {
    const { get, opensearch } = await setUp();
    const answer = await get('/console/api/alerts?level=high&rule=r-1&page=2&size=25&from=now-1h');
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toMatchObject({ total: 0, alerts: [], rules: [], page: 2, size: 25, from: '2026-11-30T11:00:00.000Z' });
    expect(answer.json().levels).toEqual({ informational: 0, low: 0, medium: 0, high: 0, critical: 0 });
    const request = opensearch.requests.at(-1);
    expect(decodeURIComponent(request?.path ?? '')).toBe('/fortiems-alerts-*/_search');
    expect(request?.query.get('ignore_unavailable')).toBe('true');
    expect(request?.query.get('allow_no_indices')).toBe('true');
    expect(request?.body).toMatchObject({ from: 25, size: 25, sort: [{ '@timestamp': 'desc' }, { 'event.id': 'asc' }] });

    const custom = await setUp({ alertsIndex: 'fortiems-alerts-prod' });
    expect((await custom.get('/console/api/alerts')).statusCode).toBe(200);
    expect(custom.opensearch.requests.at(-1)?.path).toBe('/fortiems-alerts-prod/_search');
  });

  it('answers 404 for an alert that is not there', async () => {
    const { get } = await setUp();
    const response = await get('/console/api/alerts/abc_DEF-1');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'not found', message: 'no alert has that id' });
  });
});

describe('console alerts API: the search it builds', () => {
  it('filters the page by minimum level and rule, and each facet by the other filter only', () => {
    expect(levelsFrom('medium')).toEqual(['medium', 'high', 'critical']);
    expect(levelsFrom('informational')).toHaveLength(5);
    const body = alertsSearchBody({ from: 'a', to: 'b', q: 'rule.name:x', level: 'high', rule: 'r-1' }, 1, 50) as {
      query: unknown;
      post_filter: unknown;
      aggs: { levels: { filter: unknown }; rules: { filter: unknown } };
    };
    const byLevel = { terms: { 'fortiems.alert.level': ['high', 'critical'] } };
    const byRule = { term: { 'rule.id': 'r-1' } };
    expect(body.query).toEqual({
      bool: {
        filter: [
          { range: { '@timestamp': { gte: 'a', lte: 'b' } } },
          { query_string: { query: 'rule.name:x', default_operator: 'AND', analyze_wildcard: true } },
        ],
      },
    });
    const all = { match_all: {} };
    expect(body.post_filter).toEqual({ bool: { filter: [byLevel, byRule, all] } });
    expect(body.aggs.levels.filter).toEqual({ bool: { filter: [byRule, all] } });
    expect(body.aggs.rules.filter).toEqual({ bool: { filter: [byLevel, all] } });
  });

  it('filters by status (open also takes alerts written without one), and counts statuses whatever the status filter', () => {
    const closed = alertsSearchBody({ from: 'a', to: 'b', q: '', status: 'closed', rule: 'r-1' }, 1, 50) as {
      post_filter: unknown;
      aggs: Record<string, { filter: unknown; aggs: unknown }>;
    };
    const byStatus = { term: { 'fortiems.alert.status': 'closed' } };
    const byRule = { term: { 'rule.id': 'r-1' } };
    const all = { match_all: {} };
    expect(closed.post_filter).toEqual({ bool: { filter: [all, byRule, byStatus] } });
    expect(closed.aggs.statuses?.filter).toEqual({ bool: { filter: [all, byRule] } });
    expect(closed.aggs.levels?.filter).toEqual({ bool: { filter: [byRule, byStatus] } });
    expect(closed.aggs.statuses?.aggs).toEqual({
      values: { terms: { field: 'fortiems.alert.status', size: 3, missing: 'open' } },
    });
    const open = alertsSearchBody({ from: 'a', to: 'b', q: '', status: 'open' }, 1, 50) as { post_filter: { bool: { filter: unknown[] } } };
    expect(open.post_filter.bool.filter[2]).toEqual({
      bool: {
        should: [{ term: { 'fortiems.alert.status': 'open' } }, { bool: { must_not: [{ exists: { field: 'fortiems.alert.status' } }] } }],
        minimum_should_match: 1,
      },
    });
  });

  it("looks an alert's events up in its event_index only when that lies inside the console's own pattern", () => {
    expect(eventIndexWithin('logs-fortiems.vpn-default', 'logs-fortiems.*')).toBe('logs-fortiems.vpn-default');
    expect(eventIndexWithin('logs-fortiems.vpn-*', 'logs-fortiems.*')).toBe('logs-fortiems.vpn-*');
    expect(eventIndexWithin('logs-fortiems.vpn-a,logs-fortiems.client-a', 'logs-fortiems.*-a')).toBe(
      'logs-fortiems.vpn-a,logs-fortiems.client-a',
    );
    // Outside the scope, or not a plain expression: the console's own pattern instead.
    for (const outside of [
      'logs-fortiems.vpn-*',
      '.opendistro_security',
      '*',
      'logs-fortiems.*-a,-x',
      'other:logs-fortiems.x-a',
      '',
      undefined,
    ])
      expect(eventIndexWithin(outside, 'logs-fortiems.*-a'), String(outside)).toBe('logs-fortiems.*-a');
  });
});

describe('console alerts API: changing an alert', () => {
  const STORED = { message: 'm', fortiems: { alert: { status: 'acknowledged' } } } as unknown as AlertDocument;

  function recordingChanger(outcome: AlertChangeOutcome) {
    const calls: Parameters<AlertChanger>[1][] = [];
    const changer: AlertChanger = async (_client, request) => {
      calls.push(request);
      return outcome;
    };
    return { calls, changer };
  }

  it('passes the change, the session user as the author and the version seen to the runtime, and answers what it stored', async () => {
    const entries = [{ who: USER, when: '2026-11-30T12:00:00.000Z', field: 'status' as const, from: 'open', to: 'acknowledged' }];
    const { calls, changer } = recordingChanger({
      ok: true,
      index: 'fortiems-alerts-default',
      alert: STORED,
      version: { seq_no: 8, primary_term: 1 },
      entries,
    });
    const { patch, get } = await setUp({ changeAlert: changer });
    const response = await patch('/console/api/alerts/abc_DEF-1', {
      status: 'acknowledged',
      assignee: 'ana',
      if_seq_no: 7,
      if_primary_term: 1,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      alert: { ...STORED, id: 'abc_DEF-1', index: 'fortiems-alerts-default' },
      version: { seq_no: 8, primary_term: 1 },
      entries,
    });
    expect(calls).toEqual([
      {
        index: 'fortiems-alerts-*',
        id: 'abc_DEF-1',
        change: { status: 'acknowledged', assignee: 'ana' },
        who: USER,
        expected: { seq_no: 7, primary_term: 1 },
      },
    ]);
    // Without a version, the runtime uses the one it reads.
    await patch('/console/api/alerts/abc_DEF-1', { note: null });
    expect(calls[1]).toMatchObject({ change: { note: null }, expected: undefined });
    expect((await get('/console/api/session')).json()).toMatchObject({ alertChanges: true });
  });

  it("answers the runtime's refusals with their status: 400, 404, 409", async () => {
    for (const [status, error] of [
      [400, 'invalid change'],
      [404, 'not found'],
      [409, 'conflict'],
    ] as const) {
      const { changer } = recordingChanger({ ok: false, status, message: `refused with ${status}` });
      const { patch } = await setUp({ changeAlert: changer });
      const response = await patch('/console/api/alerts/abc', { status: 'closed', note: 'done' });
      expect(response.statusCode).toBe(status);
      expect(response.json()).toEqual({ error, message: `refused with ${status}` });
    }
  });

  it('checks the body, the id and the session before the runtime is asked', async () => {
    const { calls, changer } = recordingChanger({ ok: false, status: 400, message: 'never' });
    const { patch } = await setUp({ changeAlert: changer });
    const cases: [unknown, RegExp][] = [
      [{}, /body must NOT have fewer than 1 properties/],
      [{ status: 'resolved' }, /body\/status must be equal to one of the allowed values \(open, acknowledged, closed\)/],
      // fastify's Ajv drops unknown properties (removeAdditional): what is left changes nothing.
      [{ level: 'low' }, /nothing to change: give a status, an assignee or a note/],
      [{ assignee: 'x'.repeat(129) }, /body\/assignee must NOT have more than 128 characters/],
      [{ note: 'x'.repeat(4001) }, /body\/note must NOT have more than 4000 characters/],
      [{ assignee: { name: 'ana' } }, /body\/assignee must be string,null/],
      [{ status: 'open', if_seq_no: 3 }, /must have property if_primary_term when property if_seq_no is present/],
      [{ status: 'open', if_seq_no: -1, if_primary_term: 1 }, /body\/if_seq_no must be >= 0/],
    ];
    for (const [payload, problem] of cases) {
      const response = await patch('/console/api/alerts/abc', payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      const body = response.json() as { message?: string; problems?: string[] };
      expect(body.problems?.join('; ') ?? body.message, JSON.stringify(payload)).toMatch(problem);
    }
    expect((await patch('/console/api/alerts/a.b', { status: 'open' })).statusCode).toBe(400);
    expect((await patch('/console/api/alerts/abc', { status: 'open' }, {})).statusCode).toBe(401);
    // A cross-site page cannot change an alert, even with the cookie.
    const { session } = await setUp({ changeAlert: changer });
    const crossSite = await patch('/console/api/alerts/abc', { status: 'open' }, { cookie: session, origin: 'https://evil.example' });
    expect(crossSite.statusCode).toBe(403);
    expect(calls).toEqual([]);
  });

  it('answers 503 when the service did not wire the runtime in, and says so in the session', async () => {
    const { patch, get } = await setUp();
    const response = await patch('/console/api/alerts/abc', { status: 'acknowledged' });
    expect(response.statusCode).toBe(503);
    expect(response.json().error).toBe('alert changes not configured');
    expect((await get('/console/api/session')).json()).toMatchObject({ alertChanges: false });
  });

  it('answers 502 when OpenSearch fails under the change', async () => {
    const { patch } = await setUp({
      changeAlert: async () => {
        throw new Error('connect ECONNREFUSED');
      },
    });
    const response = await patch('/console/api/alerts/abc', { status: 'acknowledged' });
    expect(response.statusCode).toBe(502);
    expect(response.json()).toMatchObject({ error: 'opensearch unavailable' });
  });
});
