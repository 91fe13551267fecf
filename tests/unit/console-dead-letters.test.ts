import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeadLetterAccess, DeadLetterReplayAnswer, DeadLetterSelection } from '../../dashboards/console/dead-letter-types.js';
import { consolePlugin } from '../../dashboards/console/server/index.js';

const USER = 'admin';
const PASSWORD = 'correct horse battery staple';
const NOW = Date.parse('2026-12-05T12:00:00Z');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const DONE: DeadLetterReplayAnswer = { matched: 2, replayed: 2, stored: 2, stillFailing: 0, unparsable: 0, deleted: 2, failures: [] };

async function setUp(deadLetters: DeadLetterAccess | undefined): Promise<{ app: FastifyInstance; cookie: string }> {
  const root = mkdtempSync(join(tmpdir(), 'fortiems-console-dl-'));
  for (const file of ['index.html', 'login.html', 'login.js', 'main.js', 'console.css']) writeFileSync(join(root, file), '');
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const app = Fastify({ logger: false });
  await app.register(consolePlugin, {
    opensearch: { url: 'http://127.0.0.1:9' },
    adminUser: USER,
    adminPassword: PASSWORD,
    webRoot: root,
    now: () => NOW,
    ...(deadLetters ? { deadLetters } : {}),
  });
  cleanups.push(() => app.close());
  const login = await app.inject({ method: 'POST', url: '/console/api/login', payload: { user: USER, password: PASSWORD } });
  return { app, cookie: String(login.headers['set-cookie']).split(';')[0] as string };
}

function access(replay?: DeadLetterAccess['replay']): DeadLetterAccess & { selections: DeadLetterSelection[] } {
  const selections: DeadLetterSelection[] = [];
  return {
    index: 'fortiems-dead-letter-default',
    selections,
    async counts(selection) {
      selections.push(selection);
      return { total: 0, byReason: [], byDataset: [], sample: [] };
    },
    replay,
  };
}

describe('console: the dead-letter routes', () => {
  it('need a session, and answer 503 when the service gave no dead letters or no replay', async () => {
    const { app, cookie } = await setUp(undefined);
    expect((await app.inject({ method: 'GET', url: '/console/api/dead-letters' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/console/api/dead-letters/replay', payload: {} })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/console/api/dead-letters', headers: { cookie } })).statusCode).toBe(503);
    expect(
      (await app.inject({ method: 'POST', url: '/console/api/dead-letters/replay', headers: { cookie }, payload: {} })).statusCode,
    ).toBe(503);

    const readOnly = await setUp(access());
    const answer = await readOnly.app.inject({ method: 'GET', url: '/console/api/dead-letters', headers: { cookie: readOnly.cookie } });
    expect(answer.json()).toMatchObject({ index: 'fortiems-dead-letter-default', canReplay: false, total: 0 });
    const replay = await readOnly.app.inject({
      method: 'POST',
      url: '/console/api/dead-letters/replay',
      headers: { cookie: readOnly.cookie },
      payload: {},
    });
    expect(replay.statusCode).toBe(503);
  });

  it('resolve the range on the server, pass reason and dataset on, and refuse a bad range and a cross-origin replay', async () => {
    const letters = access(async () => DONE);
    const { app, cookie } = await setUp(letters);
    const get = (query: string) => app.inject({ method: 'GET', url: `/console/api/dead-letters${query}`, headers: { cookie } });
    expect((await get('?from=now-1h&reason=mapper_parsing_exception&dataset=fortiems.client')).statusCode).toBe(200);
    expect(letters.selections.at(-1)).toEqual({
      from: NOW - 3_600_000,
      to: NOW,
      reason: 'mapper_parsing_exception',
      dataset: 'fortiems.client',
    });
    expect((await get('')).json()).toMatchObject({ canReplay: true });
    expect(letters.selections.at(-1)).toMatchObject({ from: NOW - 7 * 86_400_000, to: NOW });
    for (const bad of ['?from=yesterday', '?from=now&to=now-1h', '?reason=', '?size=1000'])
      expect((await get(bad)).statusCode, bad).toBe(400);

    const post = (payload: unknown, headers: Record<string, string> = {}) =>
      app.inject({ method: 'POST', url: '/console/api/dead-letters/replay', headers: { cookie, ...headers }, payload: payload as object });
    const replayed = await post({ from: 'now-24h', reason: 'x' });
    expect(replayed.statusCode).toBe(200);
    expect(replayed.json()).toEqual(DONE);
    expect((await post({ from: 'now-24h' }, { origin: 'https://evil.example' })).statusCode).toBe(403);
    expect((await post({ from: 'now-1h', to: 'now-2h' })).statusCode).toBe(400);
  });

  it('runs one replay at a time and answers a replay that failed with 502', async () => {
    let release: () => void = () => undefined;
    let calls = 0;
    const { app, cookie } = await setUp(
      access(async () => {
        calls++;
        if (calls === 2) throw new Error('connect ECONNREFUSED');
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        return DONE;
      }),
    );
    const post = () => app.inject({ method: 'POST', url: '/console/api/dead-letters/replay', headers: { cookie }, payload: {} });
    const first = post();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await post()).statusCode).toBe(409);
    release();
    expect((await first).statusCode).toBe(200);
    const failed = await post();
    expect(failed.statusCode).toBe(502);
    expect(failed.json().message).toMatch(/ECONNREFUSED/);
  });
});
