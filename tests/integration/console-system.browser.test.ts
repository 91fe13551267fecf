// The page.evaluate callbacks run in the browser: they need the DOM types.
/// <reference lib="dom" />
/**
 * The console's System page in a real browser (Debian's Chromium through playwright-core) over the real service: an
 * IngestService with a syslog source, the parse stage and an OpenSearch sink on the shared node, EMS lines flowing
 * through it, the EMS core's admin API live (one service crash-looping). Once the input stops and the counters are at
 * rest, every number the page shows equals a scrape of /metrics; a hostile component id and error text are shown as
 * text; a hidden tab does not poll.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { IngestService } from '../../app/service/ingest-service.js';
import { buildEmsAdminServer } from '../../ems-core/api/admin-api.js';
import { runSimulation } from '../../ems-core/simulation/runner.js';
import { Simulation } from '../../ems-core/simulation/simulation.js';
import { parseConfig } from '../../ingest/config/load-config.js';
import { silentLogger } from '../../platform/logging/logger.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import { formatLine } from '../../syslog/syslog-format.js';
import { CHROMIUM, type ConsoleBrowser, openConsoleBrowser } from '../support/console-browser.js';
import { type FakeJsonServer, startFakeJsonServer } from '../support/fake-json-server.js';
import { metricSum, parseMetrics, sendLines, waitForCount } from '../support/ingest-harness.js';

const run = promisify(execFile);
const ARTIFACTS = join(process.cwd(), 'tests/artifacts/console');
const USER = 'admin';
const PASSWORD = 'console-system-browser-test-password';
const EMS_TOKEN = 'console-system-browser-test-token-0123456789';
const HOSTILE = '<img src=x onerror=window.__pwned=1>';
const HOUR = 3_600_000;

/** The numbers of a table cell as the page writes them (`12,345`, `12.5`). */
const number = (text: string) => Number(text.replaceAll(',', ''));

interface Row {
  id: string;
  kind: string;
  cells: Record<string, string>;
}

/** Every component row of the page, its cells by `data-field`. */
function readRows(page: Page): Promise<Row[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLTableRowElement>('tr[data-component]')).map((row) => ({
      id: row.dataset.component ?? '',
      kind: row.dataset.kind ?? '',
      cells: Object.fromEntries(
        Array.from(row.querySelectorAll<HTMLTableCellElement>('td[data-field]')).map((cell) => [
          cell.dataset.field,
          cell.textContent ?? '',
        ]),
      ),
    })),
  );
}

describe('the System page in Chromium, over a running service', () => {
  const opensearchUrl = inject('opensearchUrl');
  const client = createOpenSearchClient({ url: opensearchUrl });
  const namespace = `system${randomUUID().slice(0, 8)}`;
  const indexPattern = `logs-fortiems.*-${namespace}`;
  const now = Date.now();
  const sim = new Simulation({ seed: 5, start: now - 24 * HOUR, endpoints: 60, identity: { timeZone: 'UTC' } });
  const dataDir = mkdtempSync(join(tmpdir(), 'fortiems-it-system-'));
  let service: IngestService;
  let ems: FastifyInstance;
  let webhook: FakeJsonServer;
  let baseUrl = '';
  let opened: ConsoleBrowser | undefined;
  let page: Page;
  let sent = 0;
  const lines: string[] = [];
  const problems: string[] = [];
  const refusals: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run installs it)`);
    await run('npm', ['run', 'build:console', '--silent']);
    mkdirSync(ARTIFACTS, { recursive: true });

    // The EMS core's admin API: the console reads its services, the enrichment its inventory.
    ems = buildEmsAdminServer({ sim, adminToken: EMS_TOKEN });
    const emsUrl = await ems.listen({ host: '127.0.0.1', port: 0 });

    webhook = await startFakeJsonServer();
    // Detections run once at start and then not for an hour: their counters are at rest when the page is compared.
    const config = parseConfig(
      `data_dir: ${JSON.stringify(dataDir)}
sources:
  syslog_tcp: { type: syslog, mode: tcp, address: "127.0.0.1:0" }
pipeline:
  workers: 0
  enrich: { geoip: false, inventory: { url: ${JSON.stringify(emsUrl)}, token: ${JSON.stringify(EMS_TOKEN)} } }
sinks:
  opensearch: { type: opensearch, url: ${JSON.stringify(opensearchUrl)}, namespace: ${namespace} }
http:
  address: "127.0.0.1:0"
console:
  admin_user: ${USER}
  admin_password: ${PASSWORD}
detections:
  interval_seconds: 3600
  outputs:
    hook: { type: webhook, url: ${JSON.stringify(`${webhook.url}/alerts`)} }
`,
      '<test>',
    );
    service = new IngestService({ dataDir, logger: silentLogger(), drainTimeoutMs: 20_000 });
    await service.start(config);
    baseUrl = service.httpUrl as string;

    // A component whose id and last error are an attacker's markup (labels and error texts come from configuration
    // and from peers): counted like any other, so it is on /metrics too. It receives nothing, or the sink's
    // accounting (fortiems_unaccounted_events) would miss an event that never reached it.
    const hostile = service.telemetry(HOSTILE, 'source', 'syslog');
    hostile.error('receive', 'socket_error', 1, `peer said ${HOSTILE}`);

    const format = { format: 'rfc5424', hostname: 'ems01', timeZone: 'UTC', facility: 16 } as const;
    await runSimulation(sim, (line) => void lines.push(formatLine(line, format)), { until: now - 5 * 60_000 });
    sent = lines.length;
    // Down from here on: the simulation's clock no longer moves, so its monitor does not restart it.
    sim.monitor.crash('fcems_probe', { crashLoopMs: 24 * HOUR });
    opened = await openConsoleBrowser({ problems, refusals });
    page = opened.page;
  }, 240_000);

  afterAll(async () => {
    await opened?.close();
    await service?.stop();
    await ems?.close();
    await webhook?.close();
    await client.indices.delete({ index: `fortiems-alerts-${namespace}` }, { ignore: [404] });
    await client.indices.deleteDataStream({ name: indexPattern }, { ignore: [404] });
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** /metrics, once the sink has confirmed every event the source took (the counters are then at rest). */
  async function scrapeAtRest(): Promise<Map<string, number>> {
    let values = new Map<string, number>();
    await expect
      .poll(
        async () => {
          values = parseMetrics(await (await fetch(`${baseUrl}/metrics`)).text());
          return [
            metricSum(values, 'fortiems_component_received_events_total', { component_id: 'syslog_tcp' }),
            metricSum(values, 'fortiems_component_sent_events_total', { component_id: 'opensearch' }),
            metricSum(values, 'fortiems_buffer_events', { component_id: 'opensearch' }),
            metricSum(values, 'fortiems_detection_runs_total') > 0,
          ];
        },
        { timeout: 60_000 },
      )
      .toEqual([sent, sent, 0, true]);
    return values;
  }

  it('is in the nav, shows the events flowing, then every component with the numbers /metrics has', async () => {
    await page.goto(`${baseUrl}/console/login`);
    await page.fill('input[name=user]', USER);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(`${baseUrl}/console/`);
    await page.click('a[data-nav=system]');
    await page.waitForSelector('[data-view=system][data-state=ready]');

    // Events flow while the page is open: a read shows them as a rate into the source and out of the sink.
    const sending = sendLines(`tcp://127.0.0.1:${service.ports().syslog_tcp}?framing=octet`, lines);
    const rateOf = async (id: string, field: string) =>
      number((await page.textContent(`tr[data-component=${id}] td[data-field=${field}]`)) ?? '0');
    await expect.poll(() => rateOf('syslog_tcp', 'inPerSecond'), { timeout: 30_000, interval: 100 }).toBeGreaterThan(0);
    await expect.poll(() => rateOf('opensearch', 'outPerSecond'), { timeout: 30_000, interval: 100 }).toBeGreaterThan(0);
    await sending;
    expect(await waitForCount(client, indexPattern, sent, 120_000)).toBe(sent);

    // Input stopped, every event confirmed: the next read of the page and a scrape see the same resting counters.
    const scraped = await scrapeAtRest();
    const scrapedAt = Date.now();
    await page.waitForFunction(
      (after) => Date.parse((document.querySelector<HTMLElement>('[data-view=system]')?.dataset.at ?? '') || '0') > after,
      scrapedAt,
      { timeout: 15_000 },
    );
    const rows = await readRows(page);
    expect(rows.map((row) => `${row.kind}:${row.id}`).sort()).toEqual(
      [`source:${HOSTILE}`, 'source:syslog_tcp', 'transform:parse', 'sink:opensearch', 'sink:hook'].sort(),
    );

    const fields: [string, string][] = [
      ['receivedEvents', 'fortiems_component_received_events_total'],
      ['sentEvents', 'fortiems_component_sent_events_total'],
      ['errors', 'fortiems_component_errors_total'],
      ['discarded', 'fortiems_component_discarded_events_total'],
    ];
    const sinkFields: [string, string][] = [
      ['sentBytes', 'fortiems_component_sent_bytes_total'],
      ['bufferEvents', 'fortiems_buffer_events'],
      ['bufferBytes', 'fortiems_buffer_bytes'],
      ['deadLettered', 'fortiems_component_dead_lettered_events_total'],
      ['deduplicated', 'fortiems_component_deduplicated_events_total'],
    ];
    let compared = 0;
    for (const row of rows) {
      const labels = { component_id: row.id, component_kind: row.kind };
      const own =
        row.kind === 'sink'
          ? [...fields, ...sinkFields]
          : row.kind === 'source'
            ? [...fields, ['receivedBytes', 'fortiems_component_received_bytes_total'] as [string, string]]
            : fields;
      for (const [field, metric] of own) {
        expect({ row: row.id, field, value: number(row.cells[field] ?? '') }).toEqual({
          row: row.id,
          field,
          value: metricSum(scraped, metric, labels),
        });
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(20);
    const parse = rows.find((row) => row.id === 'parse') as Row;
    expect(number(parse.cells.queueEvents ?? '')).toBe(metricSum(scraped, 'fortiems_pipeline_queue_events'));
    expect(number(parse.cells.queueBytes ?? '')).toBe(metricSum(scraped, 'fortiems_pipeline_queue_bytes'));
    const sink = rows.find((row) => row.id === 'opensearch') as Row;
    expect(number(sink.cells.unaccounted ?? '')).toBe(metricSum(scraped, 'fortiems_unaccounted_events', { component_id: 'opensearch' }));
    expect(number(sink.cells.unaccounted ?? '')).toBe(0);
    expect(sink.cells.bufferType).toBe('disk spool');
    expect(rows.find((row) => row.id === 'hook')?.cells.bufferType).toBe('disk spool');
    expect(number(sink.cells.sentEvents ?? '')).toBe(sent);

    // The detections, from their own metrics.
    const detection = (field: string) => page.textContent(`[data-system=detections] td[data-field=${field}]`);
    expect(number((await detection('runsOk')) ?? '')).toBe(metricSum(scraped, 'fortiems_detection_runs_total', { outcome: 'ok' }));
    expect(number((await detection('runsOk')) ?? '')).toBeGreaterThan(0);
    expect(number((await detection('runsFailed')) ?? '')).toBe(metricSum(scraped, 'fortiems_detection_runs_total', { outcome: 'error' }));
    expect(number((await detection('alerts')) ?? '')).toBe(metricSum(scraped, 'fortiems_detection_alerts_total'));
    expect(number((await detection('ruleErrors')) ?? '')).toBe(metricSum(scraped, 'fortiems_detection_rule_errors_total'));
    expect(await detection('rules')).toBe(
      ['active', 'skipped', 'refused'].map((state) => metricSum(scraped, 'fortiems_detection_rules', { state })).join(' / '),
    );

    // The cluster the sink writes to, and the EMS core's services with the crash-looping one down.
    expect(['green', 'yellow']).toContain(await page.textContent('[data-system=opensearch] td[data-field=status]'));
    expect(number((await page.textContent('[data-system=opensearch] td[data-field=nodes]')) ?? '')).toBeGreaterThanOrEqual(1);
    expect(await page.getAttribute('tr[data-service=fcems_probe]', 'data-up')).toBe('false');
    expect(await page.textContent('tr[data-service=fcems_probe] td:nth-child(3)')).toBe('down');
    expect(await page.textContent('[data-system=ems-summary]')).toMatch(/^\d+ services, [1-9]\d* down$/);
    await page.screenshot({ path: join(ARTIFACTS, 'system.png'), fullPage: true });
    copyFileSync(join(ARTIFACTS, 'system.png'), join(process.cwd(), 'docs/console-system.png'));
  });

  it('shows a hostile component id and error text as text, and nothing runs', async () => {
    const rows = await readRows(page);
    const hostile = rows.find((row) => row.id === HOSTILE);
    expect(hostile?.cells.id).toBe(HOSTILE);
    expect(hostile?.cells.lastError).toContain(`receive/socket_error: peer said ${HOSTILE}`);
    const outcome = await page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: unknown }).__pwned,
      images: document.querySelectorAll('main img').length,
    }));
    expect(outcome).toEqual({ pwned: undefined, images: 0 });
    expect(problems).toEqual([]);
    expect(refusals).toEqual([]);
  });

  it('does not poll while the tab is hidden, and reads at once when it is shown again', async () => {
    const reads: number[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/console/api/system') reads.push(Date.now());
    });
    await page.evaluate(() => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    // Longer than the page's 5 s period: a poll would have come.
    await page.waitForTimeout(6_500);
    expect(reads).toEqual([]);
    const shown = page.waitForResponse((response) => new URL(response.url()).pathname === '/console/api/system');
    await page.evaluate(() => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => false });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    expect((await shown).status()).toBe(200);
  });
});
