// The page.evaluate callbacks run in the browser: they need the DOM types.
/// <reference lib="dom" />
/**
 * The console's Dead letters view in a real browser (Debian's Chromium through playwright-core) over the real
 * OpenSearch, wired as the service wires it (`consoleDeadLetters` on `ingest/dead-letters/`): the counts by reason and
 * dataset, the letters with hostile messages and lines shown as text, and the Replay button storing what parses and
 * leaving, with its reason, what does not.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { consoleDeadLetters } from '../../app/service/console-dead-letters.js';
import { consolePlugin } from '../../dashboards/console/server/index.js';
import type { FortiemsConfig } from '../../ingest/config/types.js';
import { DEAD_LETTER_INDEX_BODY, deadLetterIndex } from '../../ingest/sinks/search/dead-letter.js';
import { installMappings } from '../../ingest/sinks/search/install-mappings.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import { CHROMIUM, type ConsoleBrowser, openConsoleBrowser } from '../support/console-browser.js';
import { sampleEvents } from '../support/sample-events.js';

const run = promisify(execFile);
const ARTIFACTS = join(process.cwd(), 'tests/artifacts/console');
const USER = 'admin';
const PASSWORD = 'console-dead-letters-browser-test-password';
const XSS = '<img src=x onerror="window.__xss=1">';
const PARSABLE = 4;

describe('the Dead letters view, in Chromium, on a real OpenSearch', () => {
  const opensearchUrl = inject('opensearchUrl');
  const client = createOpenSearchClient({ url: opensearchUrl });
  const namespace = `dlview${randomUUID().slice(0, 8)}`;
  const index = deadLetterIndex(namespace);
  const stream = `logs-fortiems.client-${namespace}`;
  const letters = sampleEvents(namespace, PARSABLE).filter((event) => event.dataset === 'fortiems.client');
  let server: FastifyInstance;
  let baseUrl = '';
  let opened: ConsoleBrowser | undefined;
  let page: Page;
  const problems: string[] = [];
  const refusals: string[] = [];
  const view = '[data-view=dead-letters]';

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run installs it)`);
    await run('npm', ['run', 'build:console', '--silent']);
    mkdirSync(ARTIFACTS, { recursive: true });
    await installMappings(client, { namespace });
    // Letters as the search sink writes them, with a hostile error message; one more whose line is hostile markup,
    // which parses into nothing but a pipeline_error and so stays.
    await client.indices.create({ index, body: DEAD_LETTER_INDEX_BODY as never });
    const at = Date.now() - 60_000;
    const body = letters.flatMap((event, i) => {
      const id = (event.document.event as { id: string }).id;
      return [
        { index: { _index: index, _id: id } },
        {
          '@timestamp': new Date(at + i).toISOString(),
          error: { type: 'mapper_parsing_exception', message: `failed to parse field [ems.devid] ${XSS}` },
          event: { id, dataset: event.dataset, original: (event.document.event as { original: string }).original },
          fortiems: { dead_letter: { target_index: stream, attempts: 1, document: JSON.stringify(event.document) } },
        },
      ];
    });
    body.push({ index: { _index: index, _id: 'hostile-line' } }, {
      '@timestamp': new Date(at + 100).toISOString(),
      error: { type: 'illegal_argument_exception', message: XSS },
      event: { id: 'hostile-line', dataset: 'fortiems.client', original: XSS },
      fortiems: { dead_letter: { target_index: stream, attempts: 1, document: '{}' } },
    } as never);
    await client.bulk({ body: body as never, refresh: true });

    const config = { sinks: { opensearch: { type: 'opensearch', url: opensearchUrl, namespace } }, pipeline: { enrich: { geoip: false } } };
    server = Fastify({ logger: false });
    await server.register(consolePlugin, {
      opensearch: { url: opensearchUrl },
      adminUser: USER,
      adminPassword: PASSWORD,
      // As app/service wires it.
      deadLetters: consoleDeadLetters(config as FortiemsConfig, undefined),
    });
    baseUrl = await server.listen({ host: '127.0.0.1', port: 0 });
    opened = await openConsoleBrowser({ problems, refusals, recordCspViolations: true });
    ({ page } = opened);
  }, 240_000);

  afterAll(async () => {
    await opened?.close();
    await server?.close();
    await client.indices.deleteDataStream({ name: `logs-fortiems.*-${namespace}` }, { ignore: [404] });
    await client.indices.delete({ index }, { ignore: [404] });
    await client.close();
  });

  it('shows the counts and the letters, hostile values as text, and replays: what parses is stored, the rest stays', async () => {
    await page.goto(`${baseUrl}/console/login`);
    await page.fill('input[name=user]', USER);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(`${baseUrl}/console/`);
    await page.click('a[data-nav=dead-letters]');
    await page.waitForSelector(`${view}[data-state=ready]`);
    const total = PARSABLE + 1;
    expect(await page.getAttribute(view, 'data-total')).toBe(String(total));
    const count = (role: string, key: string) => page.textContent(`[data-role=${role}] tr[data-key="${key}"] td.num`);
    expect(await count('by-reason', 'mapper_parsing_exception')).toBe(String(PARSABLE));
    expect(await count('by-reason', 'illegal_argument_exception')).toBe('1');
    expect(await count('by-dataset', 'fortiems.client')).toBe(String(total));

    // Hostile values are text: the markup is what the cells say, and no element was made from it.
    expect(await page.textContent('tr[data-letter=hostile-line] [data-field=original]')).toBe(XSS);
    expect(await page.textContent('tr[data-letter=hostile-line] [data-field=message]')).toBe(XSS);
    const messages = await page.$$eval(`${view} [data-field=message]`, (cells) => cells.map((cell) => cell.textContent));
    expect(messages.filter((message) => message?.endsWith(XSS))).toHaveLength(total);
    expect(await page.$$eval(`${view} img`, (images) => images.length)).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await page.screenshot({ path: join(ARTIFACTS, 'dead-letters.png'), fullPage: true });

    await page.click(`${view} [data-control=replay]`);
    await page.waitForSelector('[data-role=replay-result][data-outcome]');
    expect(await page.getAttribute('[data-role=replay-result]', 'data-outcome')).toBe('some-failed');
    expect(await page.textContent('[data-role=replay-result]')).toContain(
      `${total} matched, ${PARSABLE} stored, ${PARSABLE} deleted, 0 still failing, 1 not parsable.`,
    );
    await expect.poll(() => page.getAttribute(`${view}[data-state=ready]`, 'data-total')).toBe('1');
    expect(await page.$$eval(`${view} tr[data-letter]`, (rows) => rows.map((row) => row.getAttribute('data-letter')))).toEqual([
      'hostile-line',
    ]);
    await client.indices.refresh({ index: stream });
    expect((await client.count({ index: stream })).body.count).toBe(PARSABLE);

    // A second replay stores nothing more.
    await page.click(`${view} [data-control=replay]`);
    await expect
      .poll(() => page.textContent('[data-role=replay-result]'))
      .toContain('1 matched, 0 stored, 0 deleted, 0 still failing, 1 not parsable.');
    await client.indices.refresh({ index: stream });
    expect((await client.count({ index: stream })).body.count).toBe(PARSABLE);

    expect(problems).toEqual([]);
    expect(refusals).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations)).toEqual([]);
  });
});
