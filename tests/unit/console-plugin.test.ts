import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { BOARDS, type Board, type Panel } from '../../dashboards/boards/index.js';
import type { EventsAnswer, PanelAnswer } from '../../dashboards/console/api-types.js';
import { consolePlugin } from '../../dashboards/console/server/index.js';
import type { ConsolePluginOptions } from '../../dashboards/console/server/options.js';
import { readableSearchError } from '../../dashboards/console/server/search-errors.js';
import { CONTENT_SECURITY_POLICY } from '../../dashboards/console/server/security-headers.js';
import { histogramInterval, resolveInstant, resolveRange } from '../../dashboards/console/server/time-range.js';
import { panelSearchBody } from '../../dashboards/query/search-body.js';
import { buildEmsAdminServer } from '../../ems-core/api/admin-api.js';
import { Simulation } from '../../ems-core/simulation/simulation.js';
import { createHttpServer } from '../../platform/http/http-server.js';
import { type FakeJsonServer, startFakeJsonServer } from '../support/fake-json-server.js';

const USER = 'admin';
const PASSWORD = 'correct horse battery staple';
const EMS_TOKEN = 'console-test-token-0123456789abcdef';
const NOW = Date.parse('2026-11-30T12:00:00Z');

/** The first panel of BOARDS that passes the test, with its board (the tests do not depend on panel ids). */
function panelWhere(test: (panel: Panel) => boolean): { board: Board; panel: Panel } {
  for (const board of BOARDS) for (const panel of board.panels) if (test(panel)) return { board, panel };
  throw new Error('no board has such a panel');
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function webRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'fortiems-console-web-'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(root, 'login.html'), '<!doctype html><title>login</title>');
  writeFileSync(join(root, 'login.js'), 'export {};');
  writeFileSync(join(root, 'main.js'), 'export {};');
  writeFileSync(join(root, 'console.css'), 'body {}');
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

interface Setup {
  app: FastifyInstance;
  opensearch: FakeJsonServer;
  clock: { now: number };
  login(remoteAddress?: string): Promise<string>;
  get(url: string, cookie?: string): Promise<LightMyRequestResponse>;
}

/** `server`: the pipeline's own HTTP server (for its `http.trust_proxy`) instead of a bare fastify. */
async function setUp(options: Partial<ConsolePluginOptions> = {}, server?: { trustProxy?: boolean | string }): Promise<Setup> {
  const opensearch = await startFakeJsonServer(() => ({ body: { hits: { total: { value: 0 }, hits: [] } } }));
  cleanups.push(() => opensearch.close());
  const clock = { now: NOW };
  const app = server ? createHttpServer({ address: '127.0.0.1:0', ...server }).app : Fastify({ logger: false });
  await app.register(consolePlugin, {
    opensearch: { url: opensearch.url },
    adminUser: USER,
    adminPassword: PASSWORD,
    webRoot: webRoot(),
    now: () => clock.now,
    ...options,
  });
  cleanups.push(() => app.close());
  const login = async (remoteAddress = '127.0.0.1') => {
    const response = await app.inject({
      method: 'POST',
      url: '/console/api/login',
      payload: { user: USER, password: PASSWORD },
      remoteAddress,
    });
    expect(response.statusCode).toBe(200);
    return String(response.headers['set-cookie']).split(';')[0] as string;
  };
  const get = (url: string, cookie?: string) => app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} });
  return { app, opensearch, clock, login, get };
}

describe('console: authentication', () => {
  it('answers nothing without a session: pages go to the login page, everything else is a 401 JSON', async () => {
    const { get } = await setUp();
    expect((await get('/')).headers.location).toBe('/console/');
    for (const page of ['/console', '/console/']) {
      const response = await get(page);
      expect(response.statusCode, page).toBe(302);
      expect(response.headers.location).toBe('/console/login');
    }
    for (const url of [
      '/console/api/boards',
      '/console/api/session',
      '/console/api/events?from=now-1h',
      '/console/api/events/abc',
      `/console/api/boards/${BOARDS[0]?.id}/panels/${BOARDS[0]?.panels[0]?.id}`,
      '/console/api/ems/log-settings',
      '/console/api/nowhere',
      '/console/assets/main.js',
      '/console/assets/vendor/uPlot.esm.js',
      '/console/anything',
    ]) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(401);
      expect(response.json(), url).toEqual({ error: 'unauthorized', message: 'log in first: POST /console/api/login' });
    }
    const patch = await (await setUp()).app.inject({
      method: 'PATCH',
      url: '/console/api/ems/log-settings',
      payload: { retentionDays: 1 },
    });
    expect(patch.statusCode).toBe(401);
  });

  it('serves the login page, its script and the stylesheet without a session', async () => {
    const { get } = await setUp();
    const page = await get('/console/login');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect((await get('/console/assets/login.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await get('/console/assets/console.css')).headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('refuses a wrong user or password, then logs in with a random HttpOnly, SameSite=Strict cookie scoped to /console', async () => {
    const { app, get } = await setUp();
    for (const payload of [
      { user: USER, password: 'wrong' },
      { user: 'root', password: PASSWORD },
      { user: USER, password: `${PASSWORD} ` },
    ]) {
      const response = await app.inject({ method: 'POST', url: '/console/api/login', payload });
      expect(response.statusCode).toBe(401);
      expect(response.headers['set-cookie']).toBeUndefined();
      expect(response.json()).toEqual({ error: 'invalid credentials', message: 'wrong user name or password' });
    }
    const response = await app.inject({ method: 'POST', url: '/console/api/login', payload: { user: USER, password: PASSWORD } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ user: USER, expiresAt: NOW + 8 * 3_600_000, emsApi: false, alertChanges: false });
    const [cookie, device] = response.headers['set-cookie'] as string[];
    expect(cookie).toMatch(/^fortiems_console=[A-Za-z0-9_-]{43}; Max-Age=28800; Path=\/console; HttpOnly; SameSite=Strict$/);
    // The known-device cookie (it lets this browser past an account lock) goes to the login call only.
    expect(device).toMatch(
      /^fortiems_console_device=[A-Za-z0-9_-]{32}; Max-Age=2592000; Path=\/console\/api\/login; HttpOnly; SameSite=Strict$/,
    );
    const session = (cookie as string).split(';')[0] as string;

    const other = await app.inject({ method: 'POST', url: '/console/api/login', payload: { user: USER, password: PASSWORD } });
    expect(String(other.headers['set-cookie']).split(';')[0]).not.toBe(session);

    expect((await get('/console/', session)).statusCode).toBe(200);
    expect((await get('/console/assets/main.js', session)).statusCode).toBe(200);
    expect((await get('/console/api/session', session)).json()).toMatchObject({ user: USER });
    expect((await get('/console/login', session)).headers.location).toBe('/console/');
  });

  it('logs out: the session is gone and the cookie cleared', async () => {
    const { app, login, get } = await setUp();
    const session = await login();
    const response = await app.inject({ method: 'POST', url: '/console/api/logout', headers: { cookie: session } });
    expect(response.statusCode).toBe(204);
    expect(String(response.headers['set-cookie'])).toMatch(/^fortiems_console=; Max-Age=0; Path=\/console; HttpOnly; SameSite=Strict$/);
    expect((await get('/console/api/session', session)).statusCode).toBe(401);
    expect((await get('/console/', session)).statusCode).toBe(302);
  });

  it('ends a session at its expiry, and ignores cookies it never issued', async () => {
    const { clock, login, get } = await setUp({ sessionTtlMs: 60_000 });
    const session = await login();
    clock.now += 59_000;
    expect((await get('/console/api/session', session)).statusCode).toBe(200);
    clock.now += 1_000;
    expect((await get('/console/api/session', session)).statusCode).toBe(401);
    expect((await get('/console/api/session', `fortiems_console=${'A'.repeat(43)}`)).statusCode).toBe(401);
    expect((await get('/console/api/session', 'fortiems_console=../../etc')).statusCode).toBe(401);
  });

  it('keeps a bounded number of sessions: the oldest goes first', async () => {
    const { login, get } = await setUp({ maxSessions: 2 });
    const first = await login();
    const second = await login();
    const third = await login();
    expect((await get('/console/api/session', first)).statusCode).toBe(401);
    expect((await get('/console/api/session', second)).statusCode).toBe(200);
    expect((await get('/console/api/session', third)).statusCode).toBe(200);
  });

  it('answers 429 after a few failed logins per minute from one address, even to the right password, then lets it try again', async () => {
    const { app, clock } = await setUp();
    const attempt = (password: string, remoteAddress = '10.0.0.5') =>
      app.inject({ method: 'POST', url: '/console/api/login', payload: { user: USER, password }, remoteAddress });
    for (let i = 0; i < 5; i++) expect((await attempt(`guess-${i}`)).statusCode).toBe(401);
    const limited = await attempt(PASSWORD);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('60');
    expect(limited.headers['set-cookie']).toBeUndefined();
    expect(limited.json()).toMatchObject({ error: 'too many failed logins' });
    // Another address is not held back by this one.
    expect((await attempt(PASSWORD, '10.0.0.6')).statusCode).toBe(200);
    clock.now += 60_000;
    expect((await attempt(PASSWORD)).statusCode).toBe(200);
  });

  it('forgets the failures of an address once it logs in, as before (its own @fastify/rate-limit store)', async () => {
    const { app } = await setUp();
    const attempt = (password: string) =>
      app.inject({ method: 'POST', url: '/console/api/login', payload: { user: USER, password }, remoteAddress: '10.0.0.9' });
    for (let i = 0; i < 4; i++) expect((await attempt(`guess-${i}`)).statusCode).toBe(401);
    expect((await attempt(PASSWORD)).statusCode).toBe(200);
    for (let i = 0; i < 4; i++) expect((await attempt(`again-${i}`)).statusCode).toBe(401);
    expect((await attempt(PASSWORD)).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) expect((await attempt(`more-${i}`)).statusCode).toBe(401);
    const limited = await attempt(PASSWORD);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('60');
    expect(limited.headers['x-ratelimit-limit']).toBeUndefined();
  });

  it('locks an account that fails from several addresses (up to 5 minutes), except for browsers that logged in before', async () => {
    const { app, clock } = await setUp();
    const attempt = (user: string, password: string, remoteAddress: string, cookie?: string) =>
      app.inject({
        method: 'POST',
        url: '/console/api/login',
        payload: { user, password },
        remoteAddress,
        ...(cookie ? { headers: { cookie } } : {}),
      });
    // The owner's browser logged in yesterday and keeps its known-device cookie (sent to the login call only).
    const earlier = await attempt(USER, PASSWORD, '192.0.2.10');
    const device = (earlier.headers['set-cookie'] as string[])[1]?.split(';')[0] as string;
    expect(device).toMatch(/^fortiems_console_device=/);
    clock.now += 3_600_000;

    // A spray: one guess each from five addresses, every one of them under its own per-address limit.
    for (let i = 1; i <= 5; i++) expect((await attempt(USER, `guess-${i}`, `198.51.100.${i}`)).statusCode).toBe(401);
    const locked = await attempt(USER, PASSWORD, '198.51.100.99');
    expect(locked.statusCode).toBe(429);
    expect(locked.json()).toMatchObject({ error: 'too many failed logins', message: expect.stringContaining('for this account') });
    expect(Number(locked.headers['retry-after'])).toBe(300);
    expect(locked.headers['set-cookie']).toBeUndefined();
    // Another account name is not held back, and the owner's known browser still gets in.
    expect((await attempt('operator', 'whatever', '198.51.100.99')).statusCode).toBe(401);
    expect((await attempt(USER, PASSWORD, '192.0.2.77', device)).statusCode).toBe(200);
    // A cookie of another account name does not open this one's lock either.
    clock.now += 1000;
    for (let i = 1; i <= 5; i++) await attempt(USER, `again-${i}`, `203.0.113.${i}`);
    expect((await attempt(USER, PASSWORD, '203.0.113.50', 'fortiems_console_device=forged')).statusCode).toBe(429);
    // The lock ends: the right password works again for anyone after the window.
    clock.now += 5 * 60_000;
    expect((await attempt(USER, PASSWORD, '203.0.113.50')).statusCode).toBe(200);
  });

  it('keeps the admin account lock however many made-up user names fail meanwhile', async () => {
    const { app } = await setUp();
    const attempt = (user: string, password: string, remoteAddress: string) =>
      app.inject({ method: 'POST', url: '/console/api/login', payload: { user, password }, remoteAddress });
    for (let i = 1; i <= 5; i++) expect((await attempt(USER, `guess-${i}`, `198.51.100.${i}`)).statusCode).toBe(401);
    // 10,000 junk names (the account table's size), one failure each from an address of its own.
    for (let i = 0; i < 10_000; i++) await attempt(`junk-${i}`, 'x', `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    expect((await attempt(USER, PASSWORD, '203.0.113.50')).statusCode).toBe(429);
  }, 60_000);

  it('behind a trusted proxy (http.trust_proxy) takes the client from X-Forwarded-For and Secure from X-Forwarded-Proto', async () => {
    const PROXY = '10.1.2.3';
    const { app } = await setUp({}, { trustProxy: PROXY });
    const attempt = (password: string, client: string, remoteAddress = PROXY, extra: Record<string, string> = {}) =>
      app.inject({
        method: 'POST',
        url: '/console/api/login',
        payload: { user: USER, password },
        remoteAddress,
        headers: { 'x-forwarded-for': client, 'x-forwarded-proto': 'https', 'x-forwarded-host': 'console.example.org', ...extra },
      });
    const ok = await attempt(PASSWORD, '203.0.113.7', PROXY, { origin: 'https://console.example.org' });
    expect(ok.statusCode).toBe(200);
    for (const cookie of ok.headers['set-cookie'] as string[]) expect(cookie).toMatch(/; HttpOnly; Secure; SameSite=Strict$/);
    // The throttle sees each client, not the proxy: one client locked, its neighbour behind the same proxy not.
    for (let i = 0; i < 5; i++) expect((await attempt(`guess-${i}`, '203.0.113.7')).statusCode).toBe(401);
    expect((await attempt(PASSWORD, '203.0.113.7')).statusCode).toBe(429);
    expect((await attempt(PASSWORD, '203.0.113.8')).statusCode).toBe(200);
    // A peer that is not the proxy cannot pick its address or claim https.
    const direct = await attempt(PASSWORD, '203.0.113.9', '192.0.2.1');
    expect(direct.statusCode).toBe(200);
    for (const cookie of direct.headers['set-cookie'] as string[]) expect(cookie).not.toMatch(/Secure/);
  });

  it('without trust_proxy ignores forwarded headers: no Secure from X-Forwarded-Proto, one address for every X-Forwarded-For', async () => {
    const { app } = await setUp({}, {});
    const attempt = (password: string, client: string) =>
      app.inject({
        method: 'POST',
        url: '/console/api/login',
        payload: { user: USER, password },
        remoteAddress: '10.1.2.3',
        headers: { 'x-forwarded-for': client, 'x-forwarded-proto': 'https' },
      });
    const ok = await attempt(PASSWORD, '203.0.113.7');
    for (const cookie of ok.headers['set-cookie'] as string[]) expect(cookie).not.toMatch(/Secure/);
    for (let i = 0; i < 5; i++) expect((await attempt(`guess-${i}`, `203.0.113.${10 + i}`)).statusCode).toBe(401);
    expect((await attempt(PASSWORD, '203.0.113.99')).statusCode).toBe(429);
  });

  it('refuses to start without credentials', async () => {
    const app = Fastify();
    cleanups.push(() => app.close());
    await expect(
      app.register(consolePlugin, { opensearch: { url: 'http://127.0.0.1:9' }, adminUser: USER, adminPassword: '' }).ready(),
    ).rejects.toThrow(/no anonymous access/);
  });
});

describe('console: request hardening', () => {
  it('sends the CSP and nosniff on pages, files, API answers and refusals', async () => {
    const { login, get } = await setUp();
    const session = await login();
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    for (const [url, cookie] of [
      ['/console/login', undefined],
      ['/console/', session],
      ['/console/assets/main.js', session],
      ['/console/api/boards', session],
      ['/console/api/boards', undefined],
      ['/console/api/nowhere', session],
    ] as const) {
      const response = await get(url, cookie);
      expect(response.headers['content-security-policy'], url).toBe(CONTENT_SECURITY_POLICY);
      expect(response.headers['x-content-type-options'], url).toBe('nosniff');
      expect(response.headers['x-frame-options'], url).toBe('DENY');
    }
    expect((await get('/console/api/boards', session)).headers['cache-control']).toBe('no-store');
  });

  it('sends the same hardening headers as before helmet, and none of the console plugins leak onto other routes', async () => {
    const { app, login, get } = await setUp();
    app.get('/metrics', async (request, reply) => reply.send({ cookies: (request as { cookies?: unknown }).cookies ?? null }));
    const session = await login();
    const response = await get('/console/api/boards', session);
    expect(CONTENT_SECURITY_POLICY.split(';')).toEqual([
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self'",
      "connect-src 'self'",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
      "require-trusted-types-for 'script'",
    ]);
    expect(response.headers).toMatchObject({
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
    });
    for (const extra of ['strict-transport-security', 'x-xss-protection', 'origin-agent-cluster', 'x-dns-prefetch-control'])
      expect(response.headers[extra], extra).toBeUndefined();
    const outside = await get('/metrics', session);
    expect(outside.json()).toEqual({ cookies: null });
    for (const header of ['content-security-policy', 'x-frame-options', 'referrer-policy', 'x-ratelimit-limit', 'cache-control'])
      expect(outside.headers[header], header).toBeUndefined();
  });

  it('serves only plain file names from the web folder', async () => {
    const { login, get } = await setUp();
    const session = await login();
    for (const url of [
      '/console/assets/..%2f..%2fpackage.json',
      '/console/assets/.hidden.js',
      '/console/assets/index.html',
      '/console/assets/x.js',
    ]) {
      expect((await get(url, session)).statusCode, url).toBe(404);
    }
    const uplot = await get('/console/assets/vendor/uPlot.esm.js', session);
    expect(uplot.statusCode).toBe(200);
    expect(uplot.body).toContain('export');
  });

  it('takes JSON bodies only and refuses cross-origin changes', async () => {
    const { app } = await setUp();
    const text = await app.inject({
      method: 'POST',
      url: '/console/api/login',
      headers: { 'content-type': 'text/plain' },
      payload: JSON.stringify({ user: USER, password: PASSWORD }),
    });
    expect(text.statusCode).toBe(415);
    const crossSite = await app.inject({
      method: 'POST',
      url: '/console/api/login',
      headers: { origin: 'https://evil.example' },
      payload: { user: USER, password: PASSWORD },
    });
    expect(crossSite.statusCode).toBe(403);
    const sameSite = await app.inject({
      method: 'POST',
      url: '/console/api/login',
      headers: { origin: 'http://localhost:80' },
      payload: { user: USER, password: PASSWORD },
    });
    expect(sameSite.statusCode).toBe(200);
  });

  it('validates query parameters and answers 400 with every problem named', async () => {
    const { login, get, opensearch } = await setUp();
    const session = await login();
    const cases: [string, RegExp][] = [
      ['/console/api/events?from=yesterday', /querystring\/from must match pattern/],
      ['/console/api/events?size=1000', /querystring\/size must be <= 200/],
      ['/console/api/events?page=0', /querystring\/page must be >= 1/],
      ['/console/api/events?page=abc', /querystring\/page must be integer/],
      ['/console/api/events?page=101&size=100', /past the first 10000 events/],
      ['/console/api/events?from=now&to=now-1h', /from must be before to/],
      [`/console/api/events?q=${'x'.repeat(2001)}`, /querystring\/q must NOT have more than 2000 characters/],
      ['/console/api/events/not%20an%20id', /params\/id must match pattern/],
      ['/console/api/variables/password', /params\/name must be equal to one of the allowed values/],
      ['/console/api/boards/Bad_Board/panels/x', /params\/board must match pattern/],
      [`/console/api/boards/${BOARDS[0]?.id}/panels/${BOARDS[0]?.panels[0]?.id}?from=2026-13-45`, /querystring\/from must match pattern/],
    ];
    for (const [url, problem] of cases) {
      const response = await get(url, session);
      expect(response.statusCode, url).toBe(400);
      const body = response.json() as { error: string; problems: string[] };
      expect(body.error, url).toBe('invalid request');
      expect(body.problems.join('; '), url).toMatch(problem);
    }
    expect(opensearch.requests).toEqual([]);
    expect((await get(`/console/api/boards/${BOARDS[0]?.id}/panels/nope`, session)).statusCode).toBe(404);
  });
});

describe('console: data API', () => {
  it('lists the boards from BOARDS, with the template variables and the categories', async () => {
    const { login, get } = await setUp();
    const response = await get('/console/api/boards', await login());
    const body = response.json() as { boards: { id: string }[]; variables: { name: string }[]; datasets: string[] };
    expect(body.boards.map((board) => board.id)).toEqual(BOARDS.map((board) => board.id));
    expect(body.variables.map((variable) => variable.name)).toEqual(['ems_server', 'category', 'level', 'site']);
    expect(body.datasets).toContain('fortiems.vpn');
    expect(body.datasets).toEqual(
      expect.arrayContaining(['fortiems.forticlient', 'fortiems.fortigate', 'fortiems.syslog', 'fortiems.unparsed']),
    );
    expect(body.datasets).toHaveLength(14);
  });

  it("runs each panel's panelSearchBody over the index pattern and shapes the answer for a chart", async () => {
    const { login, get, opensearch } = await setUp({ indexPattern: 'logs-fortiems.*-test' });
    const session = await login();
    const count = panelWhere((panel) => panel.query.type === 'count');
    const cardinality = panelWhere((panel) => panel.query.type === 'cardinality');
    const splitTerms = panelWhere((panel) => panel.query.type === 'terms' && panel.query.splitBy !== undefined);
    const distinctTerms = panelWhere((panel) => panel.query.type === 'terms' && panel.query.distinct !== undefined);
    const splitHistogram = panelWhere((panel) => panel.query.type === 'date_histogram' && panel.query.splitBy !== undefined);
    const events = panelWhere((panel) => panel.query.type === 'events');
    const fetchPanel = async ({ board, panel }: { board: Board; panel: Panel }, answer: unknown) => {
      opensearch.answer = () => ({ body: answer });
      const response = await get(
        `/console/api/boards/${board.id}/panels/${panel.id}?from=now-1h&to=now&q=host.hostname:PC*&category=fortiems.client&level=error&level=warning`,
        session,
      );
      expect(response.statusCode, panel.id).toBe(200);
      return response.json() as PanelAnswer;
    };

    const total = await fetchPanel(count, { hits: { total: { value: 1234, relation: 'eq' }, hits: [] } });
    expect(total).toMatchObject({ board: count.board.id, panel: count.panel.id, interval: '30s', warnings: [] });
    expect(total.data).toEqual({ type: 'value', value: 1234 });
    expect(total.from).toBe('2026-11-30T11:00:00.000Z');
    const request = opensearch.requests.at(-1);
    expect(request?.path).toBe('/logs-fortiems.*-test/_search');
    expect(request?.body).toEqual(
      panelSearchBody(count.board, count.panel, {
        from: '2026-11-30T11:00:00.000Z',
        to: '2026-11-30T12:00:00.000Z',
        query: 'host.hostname:PC*',
        variables: { category: ['fortiems.client'], level: ['error', 'warning'] },
        interval: '30s',
      }),
    );

    expect((await fetchPanel(cardinality, { aggregations: { value: { value: 57 } } })).data).toEqual({ type: 'value', value: 57 });
    const split = (key: string, doc_count: number, parts: [string, number][]) => ({
      key,
      doc_count,
      split: { buckets: parts.map(([inner, n]) => ({ key: inner, doc_count: n })) },
    });
    const terms = await fetchPanel(splitTerms, {
      aggregations: {
        terms: {
          buckets: [
            split('fortiems.client', 30, [
              ['admin', 20],
              ['system', 10],
            ]),
            split('fortiems.vpn', 5, [['vpn', 5]]),
          ],
        },
      },
    });
    expect(terms.data).toEqual({
      type: 'buckets',
      buckets: [
        {
          key: 'fortiems.client',
          count: 30,
          split: [
            { key: 'admin', count: 20 },
            { key: 'system', count: 10 },
          ],
        },
        { key: 'fortiems.vpn', count: 5, split: [{ key: 'vpn', count: 5 }] },
      ],
    });
    // Ranked by a distinct count: the count shown is the cardinality, not the documents.
    const distinct = await fetchPanel(distinctTerms, {
      aggregations: {
        terms: {
          buckets: [
            { key: 'CVE-2026-0001', doc_count: 21, distinct: { value: 3 } },
            { key: 'CVE-2026-0002', doc_count: 2, distinct: { value: 2 } },
          ],
        },
      },
    });
    expect(distinct.data).toEqual({
      type: 'buckets',
      buckets: [
        { key: 'CVE-2026-0001', count: 3 },
        { key: 'CVE-2026-0002', count: 2 },
      ],
    });
    const overTime = (key: string, buckets: [number, number][]) => ({
      key,
      doc_count: 0,
      over_time: { buckets: buckets.map(([at, n]) => ({ key: at, doc_count: n })) },
    });
    const series = await fetchPanel(splitHistogram, {
      aggregations: {
        split: {
          buckets: [
            overTime('information', [
              [1000, 3],
              [2000, 4],
            ]),
            overTime('error', [[2000, 1]]),
          ],
        },
      },
    });
    expect(series.data).toEqual({
      type: 'series',
      timestamps: [1000, 2000],
      series: [
        { name: 'information', values: [3, 4] },
        { name: 'error', values: [0, 1] },
      ],
    });

    const columns = events.panel.query.type === 'events' ? events.panel.query.columns : [];
    const table = await fetchPanel(events, {
      hits: {
        total: { value: 1 },
        hits: [{ _id: 'e1', _index: 'i1', _source: { '@timestamp': 't', data_stream: { dataset: 'fortiems.vpn' } } }],
      },
    });
    // A table fetches its columns only; the whole document comes by id when a row is opened.
    expect(opensearch.requests.at(-1)?.body).toMatchObject({ _source: columns });
    expect(table.data).toMatchObject({ type: 'events', total: 1, columns, rows: [{ id: 'e1', index: 'i1' }] });
    if (table.data.type !== 'events') throw new Error('not an events answer');
    expect(table.data.rows[0]?.values[columns.indexOf('data_stream.dataset')]).toBe('fortiems.vpn');
  });

  it('pages events newest first with the shared filters, and returns one whole event by id', async () => {
    const { login, get, opensearch } = await setUp();
    const session = await login();
    opensearch.answer = (request) =>
      request.body && (request.body as { query?: { ids?: unknown } }).query?.ids
        ? {
            body: {
              hits: {
                hits: [{ _id: 'abc_DEF-1', _index: '.ds-logs-fortiems.vpn-default-000001', _source: { event: { original: 'raw' } } }],
              },
            },
          }
        : {
            body: {
              hits: {
                total: { value: 120 },
                hits: [
                  {
                    _id: 'id1',
                    _index: 'i',
                    _source: {
                      '@timestamp': '2026-11-30T11:59:00Z',
                      data_stream: { dataset: 'fortiems.vpn' },
                      host: { hostname: '<b>x</b>' },
                    },
                  },
                ],
              },
            },
          };
    const response = await get('/console/api/events?from=now-24h&page=3&size=25&category=fortiems.vpn&q=user.name:alice', session);
    expect(response.statusCode).toBe(200);
    const body = response.json() as EventsAnswer;
    expect(body).toMatchObject({ page: 3, size: 25, total: 120, warnings: [] });
    expect(body.columns).toContain('host.hostname');
    expect(body.rows[0]?.id).toBe('id1');
    expect(body.rows[0]?.values[body.columns.indexOf('host.hostname')]).toBe('<b>x</b>');
    expect(body.rows[0]?.values[body.columns.indexOf('user.name')]).toBeNull();
    const search = opensearch.requests.at(-1)?.body as Record<string, unknown>;
    expect(search).toMatchObject({ from: 50, size: 25, track_total_hits: true, sort: [{ '@timestamp': 'desc' }] });
    expect(JSON.stringify(search.query)).toContain('"terms":{"data_stream.dataset":["fortiems.vpn"]}');
    expect(JSON.stringify(search.query)).toContain('"query":"user.name:alice"');

    const one = await get('/console/api/events/abc_DEF-1', session);
    expect(one.json()).toEqual({ id: 'abc_DEF-1', index: '.ds-logs-fortiems.vpn-default-000001', source: { event: { original: 'raw' } } });
    expect(opensearch.requests.at(-1)?.body).toEqual({ size: 1, query: { ids: { values: ['abc_DEF-1'] } } });
    opensearch.answer = () => ({ body: { hits: { hits: [] } } });
    expect((await get('/console/api/events/missing', session)).statusCode).toBe(404);
  });

  it("turns OpenSearch's Lucene errors into a readable 400, and a cluster that does not answer into a 502", async () => {
    const { login, get, opensearch } = await setUp();
    const session = await login();
    opensearch.answer = () => ({
      status: 400,
      body: {
        error: {
          root_cause: [{ type: 'query_shard_exception', reason: 'Failed to parse query [host:(]' }],
          type: 'search_phase_execution_exception',
          reason: 'all shards failed',
          failed_shards: [
            {
              reason: {
                type: 'query_shard_exception',
                reason: 'Failed to parse query [host:(]',
                caused_by: {
                  type: 'parse_exception',
                  reason: 'Cannot parse \'host:(\': Encountered "<EOF>" at line 1, column 6.\nWas expecting one of:\n    <NOT> ...',
                },
              },
            },
          ],
        },
        status: 400,
      },
    });
    const bad = await get('/console/api/events?q=host:(', session);
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({
      error: 'invalid query',
      message: 'Failed to parse query [host:(]: Cannot parse \'host:(\': Encountered "<EOF>" at line 1, column 6.',
    });
    opensearch.answer = () => ({ destroy: true });
    const down = await get(`/console/api/boards/${BOARDS[0]?.id}/panels/${BOARDS[0]?.panels[0]?.id}`, session);
    expect(down.statusCode).toBe(502);
    expect(down.json()).toMatchObject({ error: 'opensearch unavailable' });
  });

  it('lists the values of a template variable in the range', async () => {
    const { login, get, opensearch } = await setUp();
    opensearch.answer = () => ({ body: { aggregations: { values: { buckets: [{ key: 'ems01', doc_count: 9 }] } } } });
    const response = await get('/console/api/variables/ems_server?from=now-7d', await login());
    expect(response.json()).toEqual({ name: 'ems_server', values: [{ key: 'ems01', count: 9 }] });
    expect(opensearch.requests.at(-1)?.body).toMatchObject({ aggs: { values: { terms: { field: 'observer.hostname' } } } });
  });
});

describe('console: log settings through the EMS core admin API', () => {
  async function withEms() {
    const sim = new Simulation({ seed: 3, start: NOW, endpoints: 10 });
    const ems = buildEmsAdminServer({ sim, adminToken: EMS_TOKEN });
    const url = await ems.listen({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => ems.close());
    const setup = await setUp({ emsApi: { url, token: EMS_TOKEN } });
    return { sim, ...setup, session: await setup.login() };
  }

  it('reads and changes the settings and reads the volume, as the logged-in admin', async () => {
    const { sim, app, get, session } = await withEms();
    const lines: Record<string, unknown>[] = [];
    sim.ems.onLine((line) => lines.push(line.record));
    expect((await get('/console/api/ems/log-settings', session)).json()).toEqual(sim.ems.getSettings());
    const patch = await app.inject({
      method: 'PATCH',
      url: '/console/api/ems/log-settings',
      headers: { cookie: session },
      payload: { categories: { 'ems-vpn': { enabled: false }, 'ems-client': { level: 'warning' } } },
    });
    expect(patch.statusCode).toBe(200);
    expect(patch.json()).toMatchObject({
      changes: [
        { setting: 'log.ems-vpn.enabled', oldValue: 'true', newValue: 'false' },
        { setting: 'log.ems-client.level', oldValue: 'information', newValue: 'warning' },
      ],
    });
    expect(sim.ems.getSettings().categories['ems-vpn'].enabled).toBe(false);
    expect(lines.map((record) => record.admin)).toEqual([USER, USER]);
    expect((await get('/console/api/ems/volume', session)).json()).toEqual(JSON.parse(JSON.stringify(sim.ems.volume)));
  });

  it('validates a change before sending it', async () => {
    const { sim, app, session } = await withEms();
    for (const payload of [
      { categories: { 'ems-nope': { enabled: false } } },
      { categories: { 'ems-vpn': { level: 'loud' } } },
      { categories: { 'ems-vpn': {} } },
      { retentionDays: 0 },
      {},
    ]) {
      const response = await app.inject({ method: 'PATCH', url: '/console/api/ems/log-settings', headers: { cookie: session }, payload });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json()).toMatchObject({ error: 'invalid request' });
    }
    expect(sim.ems.getSettings().categories['ems-vpn']).toEqual({ enabled: true, level: 'information' });
  });

  it('answers 503 with a clear message when no EMS API is configured', async () => {
    const { login, get } = await setUp();
    const response = await get('/console/api/ems/volume', await login());
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({
      error: 'ems api not configured',
      message: expect.stringMatching(/no EMS core admin API configured/),
    });
  });

  it('answers 502 when the EMS core is down, refuses the token or fails', async () => {
    const fake = await startFakeJsonServer(() => ({ status: 500, body: { error: 'internal error' } }));
    cleanups.push(() => fake.close());
    const failing = await setUp({ emsApi: { url: `${fake.url}/api/v1`, token: EMS_TOKEN } });
    const session = await failing.login();
    const failed = await failing.get('/console/api/ems/log-settings', session);
    expect(failed.statusCode).toBe(502);
    expect(failed.json()).toEqual({ error: 'ems error', message: 'the EMS core admin API answered 500' });
    expect(fake.requests[0]?.path).toBe('/api/v1/log-settings');
    expect(fake.requests[0]?.headers.authorization).toBe(`Bearer ${EMS_TOKEN}`);

    fake.answer = () => ({ status: 401, body: { error: 'unauthorized' } });
    const refused = await failing.get('/console/api/ems/volume', session);
    expect(refused.statusCode).toBe(502);
    expect(refused.json()).toMatchObject({ error: 'ems refused the console' });

    fake.answer = () => ({ destroy: true });
    const dropped = await failing.get('/console/api/ems/volume', session);
    expect(dropped.statusCode).toBe(502);
    expect(dropped.json()).toMatchObject({ error: 'ems unavailable' });

    const gone = await startFakeJsonServer();
    await gone.close();
    const closed = await setUp({ emsApi: { url: gone.url, token: EMS_TOKEN } });
    const down = await closed.get('/console/api/ems/volume', await closed.login());
    expect(down.statusCode).toBe(502);
    expect(down.json()).toMatchObject({ error: 'ems unavailable', message: expect.stringMatching(/did not answer \(ECONNREFUSED\)/) });
  });
});

describe('console: time range and error wording', () => {
  it('resolves relative and ISO instants and picks at most 120 buckets', () => {
    expect(resolveRange('now-15m', 'now', NOW)).toEqual({ from: NOW - 900_000, to: NOW });
    expect(resolveRange('2026-11-30T10:00:00Z', '2026-11-30T11:00:00+01:00', NOW)).toMatchObject({
      problem: 'querystring/from must be before to',
    });
    expect(resolveRange('now-401d', 'now', NOW)).toMatchObject({ problem: expect.stringMatching(/400 days/) });
    expect(
      ['now-15m', 'now-1h', 'now-24h', 'now-7d', 'now-400d'].map((from) => histogramInterval(NOW - (resolveInstant(from, NOW) ?? 0))),
    ).toEqual(['10s', '30s', '15m', '3h', '7d']);
  });

  it('keeps the first line of the innermost cause, and a plain error string as it is', () => {
    expect(readableSearchError({ error: 'index_not_found_exception\nmore' })).toBe('index_not_found_exception');
    expect(readableSearchError({ error: { reason: 'x', caused_by: { reason: 'y', caused_by: { reason: 'z\nlist' } } } })).toBe('x: z');
    expect(readableSearchError(undefined)).toBe('OpenSearch refused the search');
  });
});
