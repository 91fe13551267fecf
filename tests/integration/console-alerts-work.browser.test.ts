// The page.evaluate callbacks run in the browser: they need the DOM types.
/// <reference lib="dom" />
/**
 * Working alerts in the console, in a real browser (Debian's Chromium through playwright-core) over the real
 * OpenSearch: alerts made by the scheduler's own document builder into an alerts index made by the AlertStore, the
 * console wired to the runtime's changeAlert as the service wires it, and an analyst who acknowledges an alert,
 * assigns it, closes it with a note, reads the audit trail (hostile values as text), meets a colleague's change
 * (409, reloaded) and filters the list by status.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { consolePlugin } from '../../dashboards/console/server/index.js';
import { plainAlert } from '../../detections/runtime/alert-document.js';
import { AlertStore } from '../../detections/runtime/alert-store.js';
import { changeAlert } from '../../detections/runtime/alert-workflow.js';
import type { CompiledRule } from '../../detections/sigma/compile.js';
import { type AlertDocument, alertsIndex } from '../../mappings/opensearch/alerts.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import { CHROMIUM, type ConsoleBrowser, logInToAlerts, openConsoleBrowser } from '../support/console-browser.js';

const run = promisify(execFile);
const ARTIFACTS = join(process.cwd(), 'tests/artifacts/console');
const USER = 'admin';
const PASSWORD = 'console-alerts-work-browser-test-password';
const XSS = '<img src=x onerror="window.__xss=1">';
const ALERTS = 6;

const RULE = {
  file: '/rules/ems_admin_login_failed.yml',
  document: 0,
  lucene: 'event.action:admin-login-failed',
  rule: {
    id: 'c9e2d7a4-5b1f-4e83-9c6a-7f0d2e4b8a01',
    title: 'EMS administrator login failed',
    description: 'A failed login to the EMS console.',
    level: 'medium',
    tags: ['attack.credential-access'],
    falsepositives: [],
  },
} as unknown as CompiledRule;

describe('working alerts in the console, in Chromium, on a real OpenSearch', () => {
  const opensearchUrl = inject('opensearchUrl');
  const client = createOpenSearchClient({ url: opensearchUrl });
  const namespace = `work${randomUUID().slice(0, 8)}`;
  const alertIndex = alertsIndex(namespace);
  const indexPattern = `logs-fortiems.*-${namespace}`;
  const now = Date.now();
  const alerts: AlertDocument[] = [];
  let server: FastifyInstance;
  let baseUrl = '';
  let opened: ConsoleBrowser | undefined;
  let page: Page;
  const problems: string[] = [];
  const refusals: string[] = [];

  const view = '[data-view=alerts]';
  const drawer = '[data-drawer=alert]';
  const total = async () => Number(await page.getAttribute(view, 'data-total'));
  const stored = async (id: string) => (await client.get({ index: alertIndex, id })).body._source as unknown as AlertDocument;
  // A drawer is fixed to the viewport: a full-page picture would show it cut where the page was scrolled.
  const drawerShot = async (name: string) => {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
  };
  /** As in console-alerts.browser.test.ts: the current view is marked, so a ready view without the mark is the new one. */
  const navigated = async (action: () => Promise<unknown>, hashPart: RegExp) => {
    await page.$eval(view, (element) => element.setAttribute('data-stale', ''));
    await action();
    await expect.poll(() => decodeURIComponent(new URL(page.url()).hash)).toMatch(hashPart);
    await page.waitForSelector(`${view}:not([data-stale])[data-state=ready]`);
  };
  /** Runs a drawer action and waits for the drawer and the list behind it to show the stored result. */
  const changed = async (action: () => Promise<unknown>) => {
    await page.$eval(view, (element) => element.setAttribute('data-stale', ''));
    await page.$eval(drawer, (element) => element.setAttribute('data-stale', ''));
    await action();
    await page.waitForSelector(`${view}:not([data-stale])[data-state=ready]`);
    await page.waitForSelector(`${drawer}[data-state=ready]`);
  };
  const openAlert = async (id: string) => {
    await page.click(`tr[data-alert-id="${id}"]`);
    await expect.poll(() => page.getAttribute(drawer, 'data-alert-id')).toBe(id);
    await page.waitForSelector(`${drawer}[data-state=ready]`);
  };
  const rowStatus = (id: string) => page.getAttribute(`tr[data-alert-id="${id}"]`, 'data-status');
  const auditTexts = () =>
    page.locator(`${drawer} [data-role=audit-entry]`).evaluateAll((items) => items.map((item) => item.textContent ?? ''));

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run installs it)`);
    await run('npm', ['run', 'build:console', '--silent']);
    mkdirSync(ARTIFACTS, { recursive: true });

    // The scheduler's path: AlertStore makes the index with the alerts mapping and creates the alerts.
    const store = new AlertStore(client, alertIndex);
    for (let i = 0; i < ALERTS; i++) {
      const at = now - (i + 1) * 5 * 60_000;
      alerts.push(
        plainAlert(
          RULE,
          {
            id: `event-${namespace}-${i}`,
            index: `logs-fortiems.authentication-${namespace}`,
            source: { '@timestamp': new Date(at).toISOString(), 'host.hostname': `EMS-${i}`, 'source.ip': `203.0.113.${i + 1}` },
          },
          { rulesRoot: '/rules', window: { from: at - 60_000, to: at }, now: at },
        ),
      );
    }
    const outcome = await store.create(alerts);
    expect(outcome.created).toHaveLength(ALERTS);

    server = Fastify({ logger: false });
    await server.register(consolePlugin, {
      opensearch: { url: opensearchUrl },
      indexPattern,
      alertsIndex: alertIndex,
      adminUser: USER,
      adminPassword: PASSWORD,
      // As app/service wires it.
      changeAlert,
    });
    baseUrl = await server.listen({ host: '127.0.0.1', port: 0 });
    opened = await openConsoleBrowser({ problems, refusals, recordCspViolations: true });
    ({ page } = opened);
  }, 240_000);

  afterAll(async () => {
    await opened?.close();
    await server?.close();
    await client.indices.delete({ index: alertIndex }, { ignore: [404] });
    await client.close();
  });

  it('logs in and lists the alerts, every one open', async () => {
    await logInToAlerts(page, baseUrl, USER, PASSWORD);
    await page.waitForSelector(`${view}[data-state=ready]`);
    expect(await total()).toBe(ALERTS);
    expect(await page.getAttribute('[data-role=status-counts] li[data-status=open]', 'data-count')).toBe(String(ALERTS));
    expect(await page.getAttribute('[data-role=status-counts] li[data-status=closed]', 'data-count')).toBe('0');
    const statuses = await page.$$eval('tr.alert-row', (rows) => rows.map((row) => row.getAttribute('data-status')));
    expect(statuses).toEqual(Array(ALERTS).fill('open'));
  });

  it('acknowledges an alert from its drawer: the drawer, the list and the stored document agree, with the audit entry', async () => {
    const alert = alerts[0] as AlertDocument;
    await openAlert(alert.event.id);
    expect(await page.getAttribute(`${drawer} [data-role=work-state]`, 'data-status')).toBe('open');
    expect(await page.textContent(`${drawer} [data-role=assignee]`)).toBe('Unassigned');
    expect(await page.textContent(`${drawer} [data-role=audit-empty]`)).toBe('No change yet.');
    await changed(() => page.click(`${drawer} [data-control=acknowledge]`));
    expect(await page.getAttribute(`${drawer} [data-role=work-state]`, 'data-status')).toBe('acknowledged');
    expect(await rowStatus(alert.event.id)).toBe('acknowledged');
    expect(await page.isVisible(`${drawer} [data-control=acknowledge]`)).toBe(false);
    const entries = await auditTexts();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} admin status: open → acknowledged$/);

    const document = await stored(alert.event.id);
    expect(document.fortiems.alert.status).toBe('acknowledged');
    expect(document.fortiems.alert.audit).toEqual([
      { who: USER, when: expect.any(String), field: 'status', from: 'open', to: 'acknowledged' },
    ]);
  });

  it('refuses to close without a note, in the page, before asking the server', async () => {
    const requestsBefore = refusals.length;
    await page.click(`${drawer} [data-control=close-alert]`);
    expect(await page.isVisible(`${drawer} [data-role=work-error]`)).toBe(true);
    expect(await page.textContent(`${drawer} [data-role=work-error]`)).toBe('Closing an alert needs a note saying why.');
    expect(refusals.length).toBe(requestsBefore);
    expect((await stored((alerts[0] as AlertDocument).event.id)).fortiems.alert.status).toBe('acknowledged');
  });

  it('assigns and closes with a note; hostile values in both are shown as text in the trail and never run', async () => {
    const alert = alerts[0] as AlertDocument;
    await changed(async () => {
      await page.fill(`${drawer} [data-control=assignee]`, XSS);
      await page.click(`${drawer} [data-control=assign]`);
    });
    expect(await page.textContent(`${drawer} [data-role=assignee]`)).toBe(XSS);
    const note = `False positive: the nightly scanner. ${XSS}`;
    await changed(async () => {
      await page.fill(`${drawer} [data-control=close-note]`, note);
      await page.click(`${drawer} [data-control=close-alert]`);
    });
    expect(await page.getAttribute(`${drawer} [data-role=work-state]`, 'data-status')).toBe('closed');
    expect(await page.textContent(`${drawer} [data-role=note]`)).toBe(note);
    expect(await page.isVisible(`${drawer} [data-role=note]`)).toBe(true);
    expect(await rowStatus(alert.event.id)).toBe('closed');
    expect(await page.textContent(`tr[data-alert-id="${alert.event.id}"] td[data-column=assignee]`)).toBe(XSS);

    const entries = page.locator(`${drawer} [data-role=audit-entry]`);
    expect(await entries.count()).toBe(4);
    const part = (index: number, name: string) => entries.nth(index).locator(`[data-part=${name}]`).textContent();
    expect([await part(1, 'field'), await part(1, 'from'), await part(1, 'to')]).toEqual(['assignee:', '(none)', XSS]);
    expect([await part(2, 'field'), await part(2, 'from'), await part(2, 'to')]).toEqual(['status:', 'acknowledged', 'closed']);
    expect([await part(3, 'field'), await part(3, 'from'), await part(3, 'to')]).toEqual(['note:', '(none)', note]);
    expect(await entries.nth(3).locator('[data-part=to]').isVisible()).toBe(true);
    // The text is there and visible; no element was made from it and nothing ran.
    expect(await page.locator('img[src=x]').count()).toBe(0);
    expect(await page.locator(`${drawer} img`).count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
    await drawerShot('alerts-work-closed');
    copyFileSync(join(ARTIFACTS, 'alerts-work-closed.png'), join(process.cwd(), 'docs/console-alerts-work.png'));

    const document = await stored(alert.event.id);
    expect(document.fortiems.alert).toMatchObject({ status: 'closed', assignee: XSS, note });
    expect(document.fortiems.alert.audit?.map((entry) => [entry.who, entry.field, entry.from, entry.to])).toEqual([
      [USER, 'status', 'open', 'acknowledged'],
      [USER, 'assignee', null, XSS],
      [USER, 'status', 'acknowledged', 'closed'],
      [USER, 'note', null, note],
    ]);
    await page.click('[data-control=alert-drawer-close]');
  });

  it("does not write over a colleague's change made while the drawer was open: 409, reloaded, said", async () => {
    const alert = alerts[1] as AlertDocument;
    await openAlert(alert.event.id);
    // Someone else acknowledges and takes it meanwhile (another console, the API).
    const theirs = await changeAlert(client, {
      index: alertIndex,
      id: alert.event.id,
      change: { status: 'acknowledged', assignee: 'bob' },
      who: 'bob',
    });
    expect(theirs.ok).toBe(true);
    await changed(async () => {
      await page.fill(`${drawer} [data-control=assignee]`, 'ana');
      await page.click(`${drawer} [data-control=assign]`);
    });
    expect(await page.textContent(`${drawer} [data-role=work-error]`)).toMatch(/^Not saved: the alert was changed since it was loaded/);
    expect(await page.textContent(`${drawer} [data-role=assignee]`)).toBe('bob');
    expect(await page.getAttribute(`${drawer} [data-role=work-state]`, 'data-status')).toBe('acknowledged');
    expect(refusals).toEqual([`409 /console/api/alerts/${alert.event.id}`]);
    const document = await stored(alert.event.id);
    expect(document.fortiems.alert.assignee).toBe('bob');
    expect(document.fortiems.alert.audit?.map((entry) => entry.who)).toEqual(['bob', 'bob']);
    await drawerShot('alerts-work-conflict');
    await page.click('[data-control=alert-drawer-close]');
  });

  it('filters the list by status, with the counts of every status kept', async () => {
    const closed = (alerts[0] as AlertDocument).event.id;
    const acknowledged = (alerts[1] as AlertDocument).event.id;
    await navigated(() => page.selectOption('[data-control=status]', 'closed'), /status=closed/);
    expect(await total()).toBe(1);
    expect(await page.$$eval('tr.alert-row', (rows) => rows.map((row) => row.getAttribute('data-alert-id')))).toEqual([closed]);
    expect(await page.getAttribute('[data-role=status-counts] li[data-status=open]', 'data-count')).toBe(String(ALERTS - 2));
    await page.screenshot({ path: join(ARTIFACTS, 'alerts-work-closed-filter.png'), fullPage: true });
    await navigated(() => page.selectOption('[data-control=status]', 'acknowledged'), /status=acknowledged/);
    expect(await page.$$eval('tr.alert-row', (rows) => rows.map((row) => row.getAttribute('data-alert-id')))).toEqual([acknowledged]);
    await navigated(() => page.selectOption('[data-control=status]', 'open'), /status=open/);
    expect(await total()).toBe(ALERTS - 2);
    const open = await page.$$eval('tr.alert-row', (rows) => rows.map((row) => row.getAttribute('data-status')));
    expect(open).toEqual(Array(ALERTS - 2).fill('open'));
    await navigated(() => page.selectOption('[data-control=status]', ''), /^#\/alerts$/);
    expect(await total()).toBe(ALERTS);
  });

  it("counts the worked alerts on the alert activity board, which offers none of the events' variables", async () => {
    await page.goto(`${baseUrl}/console/#/board/fortiems-alerts`);
    await page.waitForSelector('[data-board="fortiems-alerts"]');
    await page.waitForFunction(() => {
      const panels = Array.from(document.querySelectorAll<HTMLElement>('[data-panel]'));
      return panels.length > 0 && panels.every((panel) => panel.dataset.state !== 'loading');
    });
    const failed = await page.$$eval('[data-panel][data-state=error]', (panels) => panels.map((panel) => panel.textContent));
    expect(failed).toEqual([]);
    const count = async (panel: string) => Number(await page.getAttribute(`[data-panel=${panel}]`, 'data-count'));
    expect(await count('alerts-total')).toBe(ALERTS);
    expect(await count('alerts-open')).toBe(ALERTS - 2);
    expect(await count('alerts-acknowledged')).toBe(1);
    expect(await count('alerts-closed')).toBe(1);
    expect(await page.locator('.toolbar .variables').isHidden()).toBe(true);
    // The hostile assignee is a bar label and a table cell here too: text only.
    expect(await page.locator('img[src=x]').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'board-fortiems-alerts-worked.png'), fullPage: true });
  });

  it('ran within its Content-Security-Policy without a script error', async () => {
    expect(problems).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations)).toEqual([]);
  });
});
