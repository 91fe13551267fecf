// The page.evaluate callbacks run in the browser: they need the DOM types.
/// <reference lib="dom" />
/**
 * The console's alerts view in a real browser (Debian's Chromium through playwright-core): EMS events through the
 * pipeline into the shared real OpenSearch, alerts written beside them into `fortiems-alerts-<ns>` exactly as the
 * detection scheduler writes them (AlertDocument, ALERTS_INDEX_BODY, `_id` = event.id), and an analyst going through
 * them: counts, filters, pages, the details with their matching events, and hostile values shown as text.
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
import { runSimulation } from '../../ems-core/simulation/runner.js';
import { Simulation } from '../../ems-core/simulation/simulation.js';
import {
  ALERT_LEVELS,
  ALERT_SEVERITY,
  ALERTS_INDEX_BODY,
  type AlertDocument,
  type AlertLevel,
  alertsIndex,
} from '../../mappings/opensearch/alerts.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import { formatLine } from '../../syslog/syslog-format.js';
import { CHROMIUM, type ConsoleBrowser, logInToAlerts, openConsoleBrowser } from '../support/console-browser.js';
import { sendLines, startPipeline, waitForCount } from '../support/ingest-harness.js';

const run = promisify(execFile);
const ARTIFACTS = join(process.cwd(), 'tests/artifacts/console');
const USER = 'admin';
const PASSWORD = 'console-alerts-browser-test-password';
const HOUR = 3_600_000;
const XSS = '<img src=x onerror="window.__xss=1">';

interface SeededEvent {
  id: string;
  dataStream: string;
  timestamp: string;
  host?: string;
  user?: string;
  sourceIp?: string;
  message?: string;
  dataset: string;
}

const RULES = {
  plain: { id: '8d1c1f3e-0b5e-4a53-9a55-0c2f3b7a1e01', name: 'EMS endpoint event of interest', category: 'query' },
  bruteForce: { id: '8d1c1f3e-0b5e-4a53-9a55-0c2f3b7a1e02', name: 'Admin login brute force', category: 'event_count' },
  spray: { id: '8d1c1f3e-0b5e-4a53-9a55-0c2f3b7a1e03', name: 'Password spray from one address', category: 'value_count' },
} as const;

const PLAIN_ALERTS = 24;
const CORRELATION_ALERTS = 8;
// Ids the scheduler kept that are no longer indexed (rolled over, deleted): the drawer says how many it found.
const GONE_IDS = ['gone-event-id-0000000000000000000000001', 'gone-event-id-0000000000000000000000002'];

describe('the console alerts view in Chromium, on a real OpenSearch', () => {
  const opensearchUrl = inject('opensearchUrl');
  const client = createOpenSearchClient({ url: opensearchUrl });
  const namespace = `alerts${randomUUID().slice(0, 8)}`;
  const indexPattern = `logs-fortiems.*-${namespace}`;
  const alertIndex = alertsIndex(namespace);
  const now = Date.now();
  const sim = new Simulation({ seed: 33, start: now - 24 * HOUR, endpoints: 20, identity: { timeZone: 'UTC' } });
  let pipeline: Awaited<ReturnType<typeof startPipeline>>;
  let server: FastifyInstance;
  let baseUrl = '';
  let opened: ConsoleBrowser | undefined;
  let page: Page;
  const alerts: AlertDocument[] = [];
  const problems: string[] = [];
  const refusals: string[] = [];

  const screenshot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  // A drawer is fixed to the viewport: a full-page picture would show it cut where the page was scrolled.
  const drawerShot = async (name: string) => {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
  };
  const view = '[data-view=alerts]';
  const ready = () => page.waitForSelector(`${view}[data-state=ready]`);
  const total = async () => Number(await page.getAttribute(view, 'data-total'));
  const rowIds = () => page.$$eval('tr.alert-row', (rows) => rows.map((row) => row.getAttribute('data-alert-id') ?? ''));
  /**
   * Runs an action that changes the hash and waits for the view rendered for it: the current view is marked first, and
   * each render makes a new element, so a ready view without the mark is the new one (`state` for an expected error).
   */
  const navigated = async (action: () => Promise<unknown>, hashPart: RegExp, state = 'ready') => {
    await page.$eval(view, (element) => element.setAttribute('data-stale', ''));
    await action();
    await expect.poll(() => decodeURIComponent(new URL(page.url()).hash)).toMatch(hashPart);
    await page.waitForSelector(`${view}:not([data-stale])[data-state=${state}]`);
  };
  const countOf = (test: (alert: AlertDocument) => boolean) => alerts.filter(test).length;
  const byLevel = (level: AlertLevel) => countOf((alert) => alert.fortiems.alert.level === level);

  function alertDocument(
    index: number,
    rule: (typeof RULES)[keyof typeof RULES],
    alert: Partial<AlertDocument['fortiems']['alert']> & Pick<AlertDocument['fortiems']['alert'], 'event_ids' | 'event_index'>,
    message: string,
  ): AlertDocument {
    const level = ALERT_LEVELS[index % ALERT_LEVELS.length] as AlertLevel;
    const raised = new Date(now - (index + 1) * 7 * 60_000).toISOString();
    const id = `alert-${namespace}-${String(index).padStart(3, '0')}`;
    return {
      '@timestamp': raised,
      message,
      event: { kind: 'alert', id, severity: ALERT_SEVERITY[level], dataset: 'fortiems.alert' },
      rule: {
        id: rule.id,
        name: rule.name,
        description: `${rule.name}: what the rule looks for, in a sentence an analyst reads first.`,
        category: rule.category,
        reference: `ems/${rule.category}.yml`,
        author: 'fortiems tests',
      },
      threat: { tactic: { name: ['credential-access'] }, technique: { id: ['T1110.001'] } },
      tags: ['attack.credential-access', 'attack.t1110.001'],
      fortiems: {
        alert: {
          level,
          status: 'open',
          handed_to_outputs: true,
          window: { start: new Date(Date.parse(raised) - HOUR).toISOString(), end: raised },
          group_key: '',
          count: alert.event_ids.length,
          first_seen: new Date(Date.parse(raised) - 30 * 60_000).toISOString(),
          last_seen: new Date(Date.parse(raised) - 60_000).toISOString(),
          query: `data_stream.dataset:"fortiems.client" AND host.hostname:${rule.category}*`,
          false_positives: ['An administrator mistyping a password after a change', 'A scanner of your own'],
          ...alert,
        },
      },
    };
  }

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run installs it)`);
    await run('npm', ['run', 'build:console', '--silent']);
    mkdirSync(ARTIFACTS, { recursive: true });

    // A day of EMS activity through the pipeline: the events are indexed as in production, `_id` = event.id.
    const lines: string[] = [];
    const format = { format: 'rfc5424', hostname: 'ems01', timeZone: 'UTC', facility: 16 } as const;
    await runSimulation(sim, (line) => void lines.push(formatLine(line, format)), { until: now - 10 * 60_000 });
    pipeline = await startPipeline({ opensearchUrl, namespace });
    await sendLines(`tcp://127.0.0.1:${pipeline.ports.syslog_tcp}?framing=octet`, lines);
    expect(await waitForCount(client, indexPattern, lines.length, 120_000)).toBe(lines.length);

    const found = await client.search({
      index: indexPattern,
      body: {
        size: 200,
        sort: [{ '@timestamp': 'desc' }],
        _source: ['@timestamp', 'event.id', 'data_stream', 'host.hostname', 'user.name', 'source.ip', 'message'],
      },
    });
    interface Hit {
      _id: string;
      _source: {
        '@timestamp': string;
        event: { id: string };
        data_stream: { dataset: string };
        host?: { hostname?: string };
        user?: { name?: string };
        source?: { ip?: string };
        message?: string;
      };
    }
    const hits = found.body.hits.hits as unknown as Hit[];
    expect(hits.every((hit) => hit._id === hit._source.event.id)).toBe(true);
    const events: SeededEvent[] = hits.map(({ _id, _source }) => ({
      id: _id,
      dataStream: `logs-${_source.data_stream.dataset}-${namespace}`,
      dataset: _source.data_stream.dataset,
      timestamp: _source['@timestamp'],
      ...(_source.host?.hostname ? { host: _source.host.hostname } : {}),
      ...(_source.user?.name ? { user: _source.user.name } : {}),
      ...(_source.source?.ip ? { sourceIp: _source.source.ip } : {}),
      ...(_source.message ? { message: _source.message } : {}),
    }));
    expect(events.length).toBe(200);

    // Plain alerts: one event each, its summary in source_event.
    for (let i = 0; i < PLAIN_ALERTS; i++) {
      const event = events[i] as SeededEvent;
      alerts.push(
        alertDocument(
          i,
          RULES.plain,
          {
            event_ids: [event.id],
            event_index: event.dataStream,
            first_seen: event.timestamp,
            last_seen: event.timestamp,
            source_event: {
              dataset: event.dataset,
              timestamp: event.timestamp,
              ...(event.message ? { message: event.message } : {}),
              ...(event.host ? { host: event.host } : {}),
              ...(event.user ? { user: event.user } : {}),
              ...(event.sourceIp ? { source_ip: event.sourceIp } : {}),
            },
          },
          `${RULES.plain.name}: ${event.host ?? ''}`,
        ),
      );
    }
    // Correlation alerts: a group over a window, five indexed events and two that are gone. Half name the index as the
    // rule's logsource pattern (outside this console's namespace, so the console searches its own pattern instead).
    for (let i = 0; i < CORRELATION_ALERTS; i++) {
      const rule = i % 2 === 0 ? RULES.bruteForce : RULES.spray;
      const ids = events.slice(40 + i * 5, 45 + i * 5).map((event) => event.id);
      const host = `PC-GROUP-${i}`;
      alerts.push(
        alertDocument(
          PLAIN_ALERTS + i,
          rule,
          {
            group: { 'host.hostname': host, 'user.name': `user${i}` },
            group_key: `host.hostname=${host}, user.name=user${i}`,
            event_ids: [...ids, ...GONE_IDS],
            event_index: i < CORRELATION_ALERTS / 2 ? indexPattern : 'logs-fortiems.*-*',
            ...(rule === RULES.spray ? { distinct: 6 } : {}),
          },
          `${rule.name}: 7 events for host.hostname=${host}`,
        ),
      );
    }
    // Hostile values where an attacker can put them: a correlation group value, a matched event's host, the message.
    const target = events[100] as SeededEvent;
    alerts.push(
      alertDocument(
        PLAIN_ALERTS + CORRELATION_ALERTS,
        RULES.bruteForce,
        { group: { 'host.hostname': XSS }, group_key: `host.hostname=${XSS}`, event_ids: [target.id], event_index: target.dataStream },
        `${RULES.bruteForce.name}: ${XSS}`,
      ),
      alertDocument(
        PLAIN_ALERTS + CORRELATION_ALERTS + 1,
        RULES.plain,
        {
          event_ids: [target.id],
          event_index: target.dataStream,
          source_event: { host: XSS, user: XSS, source_ip: '10.0.0.66', message: XSS, timestamp: target.timestamp },
        },
        XSS,
      ),
    );

    await client.indices.create({ index: alertIndex, body: ALERTS_INDEX_BODY });
    const bulk = alerts.flatMap((alert) => [{ create: { _index: alertIndex, _id: alert.event.id } }, alert]);
    const written = await client.bulk({ body: bulk, refresh: 'wait_for' });
    expect(written.body.errors).toBe(false);

    server = Fastify({ logger: false });
    await server.register(consolePlugin, {
      opensearch: { url: opensearchUrl },
      indexPattern,
      alertsIndex: alertIndex,
      adminUser: USER,
      adminPassword: PASSWORD,
    });
    baseUrl = await server.listen({ host: '127.0.0.1', port: 0 });

    opened = await openConsoleBrowser({ problems, refusals, clipboardOrigin: baseUrl, recordCspViolations: true });
    ({ page } = opened);
  }, 240_000);

  afterAll(async () => {
    await opened?.close();
    await server?.close();
    await pipeline?.stop();
    await client.indices.delete({ index: alertIndex }, { ignore: [404] });
    await client.indices.deleteDataStream({ name: indexPattern }, { ignore: [404] });
  });

  it('answers an empty list, not an error, when the alerts index does not exist yet', async () => {
    const fresh = Fastify({ logger: false });
    await fresh.register(consolePlugin, {
      opensearch: { url: opensearchUrl },
      indexPattern,
      alertsIndex: alertsIndex(`missing${namespace}`),
      adminUser: USER,
      adminPassword: PASSWORD,
    });
    try {
      const login = await fresh.inject({ method: 'POST', url: '/console/api/login', payload: { user: USER, password: PASSWORD } });
      const cookie = String(login.headers['set-cookie']).split(';')[0] as string;
      const answer = await fresh.inject({ method: 'GET', url: '/console/api/alerts', headers: { cookie } });
      expect(answer.statusCode).toBe(200);
      expect(answer.json()).toMatchObject({ total: 0, alerts: [], rules: [], levels: { critical: 0, informational: 0 } });
      const one = await fresh.inject({ method: 'GET', url: `/console/api/alerts/${alerts[0]?.event.id}`, headers: { cookie } });
      expect(one.statusCode).toBe(404);
    } finally {
      await fresh.close();
    }
  });

  it('logs in and lists every alert, newest first, with the counts per level on top', async () => {
    await logInToAlerts(page, baseUrl, USER, PASSWORD);
    await ready();
    expect(await total()).toBe(alerts.length);
    expect(alerts.length).toBeGreaterThanOrEqual(30);
    const ids = await rowIds();
    const newestFirst = [...alerts].sort((a, b) => b['@timestamp'].localeCompare(a['@timestamp'])).map((alert) => alert.event.id);
    expect(ids).toEqual(newestFirst);
    for (const level of ALERT_LEVELS)
      expect(Number(await page.getAttribute(`[data-role=level-counts] li[data-level=${level}]`, 'data-count')), level).toBe(byLevel(level));
    // Alerts have none of the events' variables: the toolbar keeps only the range and the query box here.
    expect(await page.locator('.toolbar .variables').isHidden()).toBe(true);

    // A plain alert's row shows its matched event; a correlation's its group.
    const plain = alerts[0] as AlertDocument;
    const row = page.locator(`tr[data-alert-id="${plain.event.id}"]`);
    expect(await row.locator('td[data-column=rule]').textContent()).toBe(RULES.plain.name);
    expect(await row.locator('td[data-column=host]').textContent()).toBe(plain.fortiems.alert.source_event?.host ?? '');
    expect(await row.locator('td[data-column=level] .badge').textContent()).toBe(plain.fortiems.alert.level);
    const grouped = alerts[PLAIN_ALERTS] as AlertDocument;
    const groupRow = page.locator(`tr[data-alert-id="${grouped.event.id}"]`);
    expect(await groupRow.locator('td[data-column=group]').textContent()).toBe(grouped.fortiems.alert.group_key);
    expect(await groupRow.locator('td[data-column=host]').textContent()).toBe('PC-GROUP-0');
    expect(await groupRow.locator('td[data-column=count]').textContent()).toBe('7');
    await screenshot('alerts-list');
  });

  it('narrows to a minimum level, and keeps the counts of what it hides', async () => {
    await navigated(() => page.selectOption('[data-control=min-level]', 'high'), /min_level=high/);
    expect(await total()).toBe(byLevel('high') + byLevel('critical'));
    const levels = await page.$$eval('tr.alert-row', (rows) => [...new Set(rows.map((row) => row.getAttribute('data-level')))].sort());
    expect(levels).toEqual(['critical', 'high']);
    expect(Number(await page.getAttribute('[data-role=level-counts] li[data-level=low]', 'data-count'))).toBe(byLevel('low'));
    await screenshot('alerts-level-high');
    await navigated(() => page.selectOption('[data-control=min-level]', 'critical'), /min_level=critical/);
    expect(await total()).toBe(byLevel('critical'));
    await navigated(() => page.selectOption('[data-control=min-level]', ''), /^#\/alerts$/);
    expect(await total()).toBe(alerts.length);
  });

  it('filters by rule, its choices counted from the facets', async () => {
    const options = await page.$$eval('[data-control=rule] option', (items) =>
      (items as HTMLOptionElement[]).map((item) => [item.value, item.textContent]),
    );
    const expected = Object.values(RULES).map((rule) => [rule.id, `${rule.name} (${countOf((alert) => alert.rule.id === rule.id)})`]);
    expect(options.slice(1).sort()).toEqual(expected.sort());
    await navigated(() => page.selectOption('[data-control=rule]', RULES.spray.id), /rule=/);
    expect(await total()).toBe(countOf((alert) => alert.rule.id === RULES.spray.id));
    const names = await page.$$eval('td[data-column=rule]', (cells) => [...new Set(cells.map((cell) => cell.textContent))]);
    expect(names).toEqual([RULES.spray.name]);
    await screenshot('alerts-rule');

    // Both filters at once: the level counts follow the rule, the rule choices follow the level.
    await navigated(() => page.selectOption('[data-control=min-level]', 'medium'), /min_level=medium/);
    const sprayFromMedium = countOf(
      (alert) => alert.rule.id === RULES.spray.id && ALERT_LEVELS.indexOf(alert.fortiems.alert.level) >= ALERT_LEVELS.indexOf('medium'),
    );
    expect(await total()).toBe(sprayFromMedium);
    const sprayInformational = countOf((alert) => alert.rule.id === RULES.spray.id && alert.fortiems.alert.level === 'informational');
    expect(Number(await page.getAttribute('[data-role=level-counts] li[data-level=informational]', 'data-count'))).toBe(sprayInformational);
    await navigated(async () => {
      await page.selectOption('[data-control=rule]', '');
    }, /^#\/alerts\?min_level=medium$/);
    await navigated(() => page.selectOption('[data-control=min-level]', ''), /^#\/alerts$/);
  });

  it('pages through the alerts', async () => {
    await navigated(() => page.selectOption('[data-control=page-size]', '25'), /size=25/);
    expect(await page.textContent('[data-role=page]')).toBe('Page 1 of 2');
    const first = await rowIds();
    expect(first).toHaveLength(25);
    await navigated(() => page.click('[data-control=page-next]'), /page=2/);
    expect(await page.textContent('[data-role=page]')).toBe('Page 2 of 2');
    const second = await rowIds();
    expect(second).toHaveLength(alerts.length - 25);
    expect(new Set([...first, ...second]).size).toBe(alerts.length);
    expect(await page.isDisabled('[data-control=page-next]')).toBe(true);
    await navigated(() => page.selectOption('[data-control=page-size]', '50'), /^#\/alerts$/);
  });

  it("opens an alert's details with its rule, window, group, query and the matching events", async () => {
    const alert = alerts[PLAIN_ALERTS + 1] as AlertDocument;
    await page.click(`tr[data-alert-id="${alert.event.id}"]`);
    const drawer = page.locator('[data-drawer=alert]');
    await page.waitForSelector('[data-drawer=alert][data-state=ready]');
    expect(await drawer.locator('h2').textContent()).toBe(RULES.spray.name);
    expect(await drawer.locator('[data-role=description] p').textContent()).toBe(alert.rule.description);
    expect(await drawer.locator('[data-role=attack] li').allTextContents()).toEqual([
      'attack.credential-access',
      'attack.t1110.001',
      'tactic: credential-access',
      'technique: T1110.001',
    ]);
    expect(await drawer.locator('[data-role=false-positives] li').allTextContents()).toEqual(alert.fortiems.alert.false_positives);
    expect(await drawer.locator('tr[data-fact=distinct] td').textContent()).toBe('6');
    expect(await drawer.locator('tr[data-fact=window] td').textContent()).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} → /);
    expect(await drawer.locator('[data-role=group] tr[data-field="host.hostname"] td').textContent()).toBe('PC-GROUP-1');
    expect(await drawer.locator('[data-role=group] tr[data-field="user.name"] td').textContent()).toBe('user1');
    expect(await drawer.locator('[data-role=query-text]').textContent()).toBe(alert.fortiems.alert.query);

    // Five of its seven ids are indexed; this one names the rule's pattern, so the console searched its own instead.
    const indexed = alert.fortiems.alert.event_ids.filter((id) => !GONE_IDS.includes(id));
    expect(Number(await drawer.locator('[data-role=alert-events-count]').getAttribute('data-count'))).toBe(indexed.length);
    expect(await drawer.locator('[data-role=alert-events-count]').textContent()).toBe('5 of 7 events (2 no longer indexed)');
    const shown = await drawer.locator('tr.event-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-event-id')));
    expect([...shown].sort()).toEqual([...indexed].sort());

    await drawer.locator('[data-control=copy-query]').click();
    await expect.poll(() => drawer.locator('[data-role=copy-status]').textContent()).toBe('Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(alert.fortiems.alert.query);
    await drawerShot('alerts-details');
    copyFileSync(join(ARTIFACTS, 'alerts-details.png'), join(process.cwd(), 'docs/console-alerts.png'));

    // An event opens in the event drawer on top; Escape closes that one only.
    const eventId = shown[0] as string;
    await drawer.locator(`tr.event-row[data-event-id="${eventId}"]`).click();
    const eventDrawer = page.locator('[data-drawer=event]');
    await expect.poll(() => eventDrawer.locator('tr[data-field="event.id"] td').textContent()).toBe(eventId);
    await drawerShot('alerts-event-over-alert');
    await page.keyboard.press('Escape');
    expect(await eventDrawer.isHidden()).toBe(true);
    expect(await drawer.isHidden()).toBe(false);

    await page.click('[data-control=alert-drawer-close]');

    // A plain alert: its one event, found in the data stream it names.
    const plain = alerts[3] as AlertDocument;
    await page.click(`tr[data-alert-id="${plain.event.id}"]`);
    await expect.poll(() => drawer.getAttribute('data-alert-id')).toBe(plain.event.id);
    await page.waitForSelector('[data-drawer=alert][data-state=ready]');
    expect(await drawer.locator('tr.event-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-event-id')))).toEqual(
      plain.fortiems.alert.event_ids,
    );
    expect(await drawer.locator('[data-role=group]').textContent()).toContain('No group');
    await page.click('[data-control=alert-drawer-close]');
    expect(await drawer.isHidden()).toBe(true);
  });

  it('shows hostile values in a group, a matched host and a message as literal text and never runs them', async () => {
    await navigated(async () => {
      const ids = alerts.slice(PLAIN_ALERTS + CORRELATION_ALERTS).map((alert) => `event.id:"${alert.event.id}"`);
      await page.fill('[data-control=query]', ids.join(' OR '));
      await page.click('[data-control=search]');
    }, /q=/);
    expect(await total()).toBe(2);
    const correlation = alerts[PLAIN_ALERTS + CORRELATION_ALERTS] as AlertDocument;
    const plain = alerts[PLAIN_ALERTS + CORRELATION_ALERTS + 1] as AlertDocument;
    const cell = (alert: AlertDocument, column: string) =>
      page.textContent(`tr[data-alert-id="${alert.event.id}"] td[data-column=${column}]`);
    expect(await cell(correlation, 'group')).toBe(`host.hostname=${XSS}`);
    expect(await cell(correlation, 'host')).toBe(XSS);
    expect(await cell(correlation, 'message')).toBe(`${RULES.bruteForce.name}: ${XSS}`);
    expect(await cell(plain, 'host')).toBe(XSS);
    expect(await cell(plain, 'user')).toBe(XSS);
    expect(await cell(plain, 'message')).toBe(XSS);
    await screenshot('alerts-xss-list');

    await page.click(`tr[data-alert-id="${correlation.event.id}"]`);
    await expect.poll(() => page.getAttribute('[data-drawer=alert]', 'data-alert-id')).toBe(correlation.event.id);
    await page.waitForSelector('[data-drawer=alert][data-state=ready]');
    expect(await page.textContent('[data-drawer=alert] [data-role=group] tr[data-field="host.hostname"] td')).toBe(XSS);
    expect(await page.textContent('[data-drawer=alert] [data-role=alert-message]')).toBe(`${RULES.bruteForce.name}: ${XSS}`);
    await page.click('[data-control=alert-drawer-close]');
    await page.click(`tr[data-alert-id="${plain.event.id}"]`);
    await expect.poll(() => page.getAttribute('[data-drawer=alert]', 'data-alert-id')).toBe(plain.event.id);
    await page.waitForSelector('[data-drawer=alert][data-state=ready]');
    expect(await page.textContent('[data-drawer=alert] h2')).toBe(RULES.plain.name);
    expect(await page.textContent('[data-drawer=alert] [data-role=alert-message]')).toBe(XSS);

    expect(await page.locator('img[src=x]').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
    await drawerShot('alerts-xss-as-text');
    await page.click('[data-control=alert-drawer-close]');
  });

  it("tells a broken Lucene query in OpenSearch's words, and takes free text", async () => {
    await navigated(
      async () => {
        await page.fill('[data-control=query]', 'rule.name:(');
        await page.click('[data-control=search]');
      },
      /q=rule\.name:\(/,
      'error',
    );
    expect(await page.textContent(`${view} [data-role=error]`)).toMatch(/Failed to parse query|Cannot parse/);
    await screenshot('alerts-lucene-error');
    // Free text searches the alerts' text fields (message, rule description) and skips what is not indexed.
    await navigated(async () => {
      await page.fill('[data-control=query]', 'spray');
      await page.click('[data-control=search]');
    }, /q=spray/);
    expect(await total()).toBe(countOf((alert) => alert.rule.id === RULES.spray.id));
    await navigated(async () => {
      await page.fill('[data-control=query]', '');
      await page.click('[data-control=search]');
    }, /^#\/alerts$/);
    expect(await total()).toBe(alerts.length);
  });

  it('ran within its Content-Security-Policy without a script error', async () => {
    expect(problems).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations)).toEqual([]);
    expect(refusals).toEqual(['400 /console/api/alerts']);
  });
});
