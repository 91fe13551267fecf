// The page.evaluate callbacks run in the browser: they need the DOM types.
/// <reference lib="dom" />
/**
 * The web console end to end in a real browser (Debian's Chromium driven by playwright-core): EMS data from the EMS
 * core through the pipeline into the shared real OpenSearch, the console plugin in front of it and of a live EMS core
 * admin API, and an analyst's session from the login page to the log settings.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Fastify, { type FastifyInstance } from 'fastify';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BOARDS } from '../../dashboards/boards/index.js';
import { consolePlugin } from '../../dashboards/console/server/index.js';
import { buildEmsAdminServer } from '../../ems-core/api/admin-api.js';
import { runSimulation } from '../../ems-core/simulation/runner.js';
import { Simulation } from '../../ems-core/simulation/simulation.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import { formatLine } from '../../syslog/syslog-format.js';
import { CHROMIUM, type ConsoleBrowser, openConsoleBrowser } from '../support/console-browser.js';
import { sendLines, startPipeline, waitForCount } from '../support/ingest-harness.js';

const run = promisify(execFile);
const ARTIFACTS = join(process.cwd(), 'tests/artifacts/console');
const USER = 'admin';
const PASSWORD = 'console-browser-test-password';
const EMS_TOKEN = 'console-browser-test-token-0123456789';
const HOUR = 3_600_000;
const XSS_IMG = '<img src=x onerror=window.__xss=1>';
const XSS_SCRIPT = '<script>window.__xss=1</script>';

/** An EMS core line with its endpoint's hostname swapped for an attacker's (the fields are quoted as EMS quotes them). */
function withHostname(line: string, hostname: string): string {
  const swapped = line.replace(/hostname="[^"]*"/, `hostname="${hostname}"`);
  if (swapped === line) throw new Error('the template line has no quoted hostname');
  return swapped;
}

describe('the web console in Chromium, on a real OpenSearch and a live EMS core', () => {
  const opensearchUrl = inject('opensearchUrl');
  const client = createOpenSearchClient({ url: opensearchUrl });
  const namespace = `console${randomUUID().slice(0, 8)}`;
  const indexPattern = `logs-fortiems.*-${namespace}`;
  const now = Date.now();
  const sim = new Simulation({ seed: 21, start: now - 7 * 24 * HOUR, endpoints: 60, identity: { timeZone: 'UTC' } });
  let pipeline: Awaited<ReturnType<typeof startPipeline>>;
  let ems: FastifyInstance;
  let server: FastifyInstance;
  let baseUrl = '';
  let opened: ConsoleBrowser | undefined;
  let browser: BrowserContext;
  let page: Page;
  let seeded = 0;
  const problems: string[] = [];
  const refusals: string[] = [];

  const screenshot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  const waitForPanels = () =>
    page.waitForFunction(() => {
      const panels = Array.from(document.querySelectorAll<HTMLElement>('[data-panel]'));
      return panels.length > 0 && panels.every((panel) => panel.dataset.state !== 'loading');
    });

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run installs it)`);
    // The console serves the compiled web part from dist/: build it from the sources under test.
    await run('npm', ['run', 'build:console', '--silent']);
    mkdirSync(ARTIFACTS, { recursive: true });

    // A week of EMS activity (an admin brute force among it), ending a few minutes ago, and two hostile hostnames.
    const lines: string[] = [];
    const format = { format: 'rfc5424', hostname: 'ems01', timeZone: 'UTC', facility: 16 } as const;
    await runSimulation(sim, (line) => void lines.push(formatLine(line, format)), { until: now - 10 * 60_000 });
    const template = [...lines].reverse().find((line) => line.includes(' ems-client ') && /hostname="[^"]*"/.test(line));
    if (!template) throw new Error('the simulation logged no ems-client line with a hostname');
    lines.push(withHostname(template, XSS_IMG), withHostname(template, XSS_SCRIPT));
    seeded = lines.length;

    pipeline = await startPipeline({ opensearchUrl, namespace });
    await sendLines(`tcp://127.0.0.1:${pipeline.ports.syslog_tcp}?framing=octet`, lines);
    expect(await waitForCount(client, indexPattern, seeded, 120_000)).toBe(seeded);

    ems = buildEmsAdminServer({ sim, adminToken: EMS_TOKEN });
    const emsUrl = await ems.listen({ host: '127.0.0.1', port: 0 });
    server = Fastify({ logger: false });
    await server.register(consolePlugin, {
      opensearch: { url: opensearchUrl },
      indexPattern,
      adminUser: USER,
      adminPassword: PASSWORD,
      emsApi: { url: emsUrl, token: EMS_TOKEN },
    });
    baseUrl = await server.listen({ host: '127.0.0.1', port: 0 });

    opened = await openConsoleBrowser({ problems, refusals });
    ({ browser, page } = opened);
  }, 240_000);

  afterAll(async () => {
    await opened?.close();
    await server?.close();
    await ems?.close();
    await pipeline?.stop();
    await client.indices.deleteDataStream({ name: indexPattern }, { ignore: [404] });
  });

  it('answers an API call without a session with 401, and sends a page to the login', async () => {
    const api = await fetch(`${baseUrl}/console/api/boards`);
    expect(api.status).toBe(401);
    expect(await api.json()).toEqual({ error: 'unauthorized', message: 'log in first: POST /console/api/login' });
    await page.goto(`${baseUrl}/`);
    expect(new URL(page.url()).pathname).toBe('/console/login');
    const fromPage = await page.evaluate(async () => (await fetch('/console/api/events')).status);
    expect(fromPage).toBe(401);
  });

  it('refuses a wrong password, then logs in', async () => {
    await page.fill('input[name=user]', USER);
    await page.fill('input[name=password]', 'not-the-password');
    await page.click('button[type=submit]');
    await expect.poll(() => page.textContent('#login-message')).toBe('wrong user name or password');
    expect(new URL(page.url()).pathname).toBe('/console/login');
    await screenshot('login-refused');

    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(`${baseUrl}/console/`);
    const cookies = await browser.cookies(`${baseUrl}/console/`);
    expect(cookies.find((cookie) => cookie.name === 'fortiems_console')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
      path: '/console',
    });
  });

  it('shows the overview with non-empty charts drawn from the seeded events', async () => {
    await page.goto(`${baseUrl}/console/#/board/fortiems-overview?from=now-7d`);
    await waitForPanels();
    const states = await page.$$eval('[data-panel]', (panels) =>
      panels.map((panel) => ({
        id: panel.getAttribute('data-panel'),
        state: panel.getAttribute('data-state'),
        count: Number(panel.getAttribute('data-count')),
      })),
    );
    expect(states.filter((panel) => panel.state === 'error')).toEqual([]);
    expect(states.find((panel) => panel.id === 'events-total')?.count).toBe(seeded);
    for (const id of ['by-category', 'by-category-subtype', 'volume-by-category', 'volume-by-level', 'top-endpoints']) {
      expect(
        states.find((panel) => panel.id === id),
        id,
      ).toMatchObject({ state: 'ready' });
      expect(states.find((panel) => panel.id === id)?.count, id).toBeGreaterThan(0);
    }
    // Drawn, not only fetched: uPlot's canvases, the donut's slices, the bars' rectangles.
    expect(await page.locator('[data-panel=volume-by-category] canvas').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-panel=volume-by-category] .u-legend .u-series').count()).toBeGreaterThan(5);
    expect(await page.locator('[data-panel=by-category] svg path').count()).toBeGreaterThan(5);
    expect(await page.locator('[data-panel=by-category-subtype] svg rect').count()).toBeGreaterThan(5);
    expect(await page.textContent('[data-panel=events-total] .stat')).toBe(seeded.toLocaleString('en-US'));
    await screenshot('overview');
    copyFileSync(join(ARTIFACTS, 'overview.png'), join(process.cwd(), 'docs/console.png'));
  });

  it('draws every board of BOARDS from the real data without a panel error', async () => {
    for (const board of BOARDS) {
      await page.goto(`${baseUrl}/console/#/board/${board.id}?from=now-7d`);
      await page.waitForSelector(`[data-board="${board.id}"]`);
      await waitForPanels();
      const failed = await page.$$eval('[data-panel][data-state=error]', (panels) =>
        panels.map((panel) => `${panel.getAttribute('data-panel')}: ${panel.textContent}`),
      );
      expect(failed, board.id).toEqual([]);
      expect(await page.locator('[data-panel]').count(), board.id).toBe(board.panels.length);
      await screenshot(`board-${board.id}`);
    }
    await page.goto(`${baseUrl}/console/#/board/fortiems-overview?from=now-7d`);
    await waitForPanels();
  });

  it('takes a custom time range from the picker', async () => {
    await page.selectOption('[data-control=range]', 'custom');
    // datetime-local takes the browser's local time, which is this process's (same machine, same TZ).
    const local = (ms: number) => {
      const date = new Date(ms);
      const pad = (n: number) => String(n).padStart(2, '0');
      return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
    };
    await page.fill('[data-control=custom-from]', local(now - 2 * 24 * HOUR));
    await page.fill('[data-control=custom-to]', local(now));
    await page.click('[data-control=custom-apply]');
    await expect.poll(() => new URL(page.url()).hash).toMatch(/from=\d{4}-\d{2}-\d{2}T/);
    await waitForPanels();
    const twoDays = Number(await page.getAttribute('[data-panel=events-total]', 'data-count'));
    expect(twoDays).toBeGreaterThan(0);
    expect(twoDays).toBeLessThan(seeded);
    await page.selectOption('[data-control=range]', 'now-7d');
    await waitForPanels();
  });

  it('filters by category with the template variable select', async () => {
    const select = page.locator('select[data-variable=category]');
    await expect.poll(() => select.locator('option[value="fortiems.vpn"]').count()).toBe(1);
    await select.selectOption('fortiems.vpn');
    await expect.poll(() => new URL(page.url()).hash).toContain('category=fortiems.vpn');
    await waitForPanels();
    const keys = await page.$$eval('[data-panel=by-category] .legend-key', (items) => items.map((item) => item.textContent));
    expect(keys).toEqual(['fortiems.vpn']);
    const vpnTotal = Number(await page.getAttribute('[data-panel=events-total]', 'data-count'));
    expect(vpnTotal).toBeGreaterThan(0);
    expect(vpnTotal).toBeLessThan(seeded);
    await screenshot('overview-vpn');

    await page.click('a[data-nav=events]');
    await page.waitForSelector('[data-view=events][data-state=ready]');
    expect(Number(await page.getAttribute('[data-view=events]', 'data-total'))).toBe(vpnTotal);
    const categories = await page.$$eval('td[data-column="data_stream.dataset"]', (cells) => [
      ...new Set(cells.map((cell) => cell.textContent)),
    ]);
    expect(categories).toEqual(['fortiems.vpn']);
    const times = await page.$$eval('td[data-column="@timestamp"]', (cells) => cells.map((cell) => cell.textContent ?? ''));
    expect(times).toEqual([...times].sort().reverse());
  });

  it('pages through the events and opens one event with every field and its raw line', async () => {
    await page.selectOption('select[data-variable=category]', '');
    await page.waitForSelector('[data-view=events][data-state=ready]');
    expect(await page.textContent('[data-role=page]')).toMatch(/^Page 1 of \d+$/);
    const firstPage = await page.getAttribute('tr.event-row >> nth=0', 'data-event-id');
    await page.click('[data-control=page-next]');
    await expect.poll(() => page.textContent('[data-role=page]')).toMatch(/^Page 2 of/);
    await page.waitForSelector('[data-view=events][data-state=ready]');
    expect(await page.getAttribute('tr.event-row >> nth=0', 'data-event-id')).not.toBe(firstPage);

    const row = page.locator('tr.event-row').first();
    const id = await row.getAttribute('data-event-id');
    await row.click();
    const drawer = page.locator('[data-drawer=event]');
    await expect.poll(() => drawer.locator('tr[data-field]').count()).toBeGreaterThan(15);
    expect(await drawer.getAttribute('data-event-id')).toBe(id);
    const raw = await drawer.locator('[data-field="event.original"]').textContent();
    expect(raw).toMatch(/^<\d+>1 \S+ ems01 ems-/);
    expect(await drawer.locator('tr[data-field="event.id"] td').textContent()).toBe(id);
    await screenshot('event-details');
    await page.click('[data-control=drawer-close]');
    expect(await drawer.isHidden()).toBe(true);
  });

  it('shows hostile field values as literal text and never runs them', async () => {
    await page.fill('[data-control=query]', 'host.hostname:*xss*');
    await page.click('[data-control=search]');
    await expect.poll(() => page.getAttribute('[data-view=events]', 'data-total')).toBe('2');
    const hostnames = await page.$$eval('td[data-column="host.hostname"]', (cells) => cells.map((cell) => cell.textContent).sort());
    expect(hostnames).toEqual([XSS_SCRIPT, XSS_IMG].sort());
    await page.locator('tr.event-row').first().click();
    await expect.poll(() => page.locator('[data-drawer=event] tr[data-field="host.hostname"] td').textContent()).toMatch(/^<(img|script)/);
    expect(await page.locator('[data-drawer=event] [data-field="event.original"]').textContent()).toContain('window.__xss=1');
    // The payloads became text nodes: no element was made from them, and neither ran.
    expect(await page.locator('img[src=x], #app script').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
    await screenshot('xss-as-text');
    await page.click('[data-control=drawer-close]');

    // A broken Lucene query is the user's mistake, told in OpenSearch's words.
    await page.fill('[data-control=query]', 'host.hostname:(');
    await page.click('[data-control=search]');
    await page.waitForSelector('[data-view=events][data-state=error]');
    expect(await page.textContent('[data-view=events] [data-role=error]')).toMatch(/Failed to parse query|Cannot parse/);
    await screenshot('lucene-error');
    await page.fill('[data-control=query]', '');
    await page.click('[data-control=search]');
  });

  it('refreshes the view by itself when auto-refresh is on', async () => {
    let searches = 0;
    const count = (request: { url(): string }) => {
      if (new URL(request.url()).pathname === '/console/api/events') searches++;
    };
    page.on('request', count);
    await page.selectOption('[data-control=refresh]', '10s');
    await expect.poll(() => new URL(page.url()).hash).toContain('refresh=10s');
    await page.waitForSelector('[data-view=events][data-state=ready]');
    await page.waitForTimeout(500);
    const before = searches;
    const started = Date.now();
    await expect.poll(() => searches, { timeout: 15_000 }).toBeGreaterThan(before);
    // The timer's request, not the one the selection itself caused.
    expect(Date.now() - started).toBeGreaterThan(8_000);
    await page.selectOption('[data-control=refresh]', 'off');
    page.off('request', count);
  });

  it('changes a log setting through the EMS core API and shows its effect on the volume', async () => {
    await page.click('a[data-nav=settings]');
    await page.waitForSelector('[data-view=settings][data-state=ready]');
    const vpn = page.locator('table.settings tr[data-category=ems-vpn]');
    expect(await vpn.getAttribute('data-enabled')).toBe('true');
    const emittedBefore = Number((await vpn.locator('[data-role=emitted]').textContent())?.replace(/,/g, ''));
    expect(emittedBefore).toBe(Object.values(sim.ems.volume.emitted['ems-vpn'] ?? {}).reduce((a, b) => a + b, 0));
    expect(emittedBefore).toBeGreaterThan(0);
    expect(await vpn.locator('[data-role=suppressed]').textContent()).toBe('0');

    await vpn.locator('[data-control=enabled]').uncheck();
    await expect.poll(() => page.textContent('[data-role=settings-status]')).toBe('Saved: log.ems-vpn.enabled: true → false');
    await expect.poll(() => vpn.getAttribute('data-enabled')).toBe('false');
    expect(sim.ems.getSettings().categories['ems-vpn'].enabled).toBe(false);

    // The EMS goes on for four days: its VPN lines are now counted as suppressed, not emitted. Four, not twelve hours:
    // the office day is in UTC, and twelve hours from a Friday evening are a night and a weekend morning with no VPN
    // line at all; any four days hold at least two working days.
    await runSimulation(sim, () => undefined, { until: now + 4 * 24 * HOUR });
    await page.click('[data-control=settings-reload]');
    await expect
      .poll(async () => Number((await vpn.locator('[data-role=suppressed]').textContent())?.replace(/,/g, '')))
      .toBeGreaterThan(0);
    expect(Number((await vpn.locator('[data-role=emitted]').textContent())?.replace(/,/g, ''))).toBe(emittedBefore);
    await screenshot('log-settings');
  });

  it('ran within its Content-Security-Policy without a script error, and logs out', async () => {
    expect(problems).toEqual([]);
    // The only refusals are the ones this session asked for: unauthenticated calls, the wrong password, the bad query.
    expect(refusals).toEqual(['401 /console/api/events', '401 /console/api/login', '400 /console/api/events']);
    await page.click('[data-control=logout]');
    await page.waitForURL(`${baseUrl}/console/login`);
    const status = await page.evaluate(async () => (await fetch('/console/api/session')).status);
    expect(status).toBe(401);
  });
});
