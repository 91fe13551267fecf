import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DedupeIds, REPLAY_DATASET } from '../../app/replay/dedupe-ids.js';
import { HttpNdjsonSender } from '../../app/replay/http-sender.js';
import { checkDedupeDestination } from '../../app/replay/open-sender.js';
import { eventIdOf } from '../../ingest/enrich/event-id.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Request {
  key: string | undefined;
  body: string;
}

/** Records every request; `answer` decides (it may destroy the socket, as a receiver killed mid-request would). */
async function receiver(answer: (index: number, lines: number, response: ServerResponse) => void) {
  const requests: Request[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (text: string) => {
      body += text;
    });
    request.on('end', () => {
      const index = requests.push({ key: (request.headers as IncomingHttpHeaders)['idempotency-key'] as string | undefined, body }) - 1;
      answer(index, body.split('\n').filter(Boolean).length, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/ingest`, requests };
}

const reply = (response: ServerResponse, status: number, body: object, headers: Record<string, string> = {}) => {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
};

async function send(url: string, lines: string[], options: { dedupe?: boolean } = {}): Promise<HttpNdjsonSender> {
  const sender = new HttpNdjsonSender(url, new URL(url), undefined, 10_000, options);
  cleanups.push(() => sender.close());
  for (const line of lines) {
    const pending = sender.send(line);
    if (pending) await pending;
  }
  await sender.drain();
  return sender;
}

const lines = (count: number) => Array.from({ length: count }, (_, i) => `<134>Nov 23 10:00:00 ems01 ems-event: seq=${i}`);

describe('replay to http(s): an Idempotency-Key per request body', () => {
  it('resends a body whose answer was lost, or was a 5xx or 429, whole and under the same key', async () => {
    const target = await receiver((index, count, response) => {
      if (index === 1) return response.socket?.destroy(); // the pipeline died before answering
      if (index === 2) return reply(response, 503, { error: 'unavailable', accepted: 500 }, { 'retry-after': '0' });
      if (index === 3) return reply(response, 429, { error: 'too many requests', accepted: 0 }, { 'retry-after': '0' });
      reply(response, 200, { accepted: count });
    });
    const sender = await send(target.url, lines(2500));
    expect(sender.delivered()).toBe(2500);
    const { requests } = target;
    // Bodies: 0 (ok), 1 (lost), 1 again (503), 1 again (429), 1 again (ok), 2 (ok).
    expect(requests).toHaveLength(6);
    expect(requests.slice(1, 5).map((r) => r.key)).toEqual(Array(4).fill(requests[1]?.key));
    expect(new Set(requests.slice(1, 5).map((r) => r.body)).size).toBe(1);
    const keys = [requests[0]?.key, requests[1]?.key, requests[5]?.key] as string[];
    expect(new Set(keys).size).toBe(3);
    const run = (keys[0] as string).replace(/-\d+$/, '');
    expect(keys).toEqual([`${run}-0`, `${run}-1`, `${run}-2`]);
    expect(run).toMatch(/^[\w-]{16}$/);
  });

  it('gives a body shrunk after a 413 a new key (the receiver read nothing past what it accepted)', async () => {
    const target = await receiver((index, count, response) => {
      if (index === 0) return reply(response, 413, { error: 'payload too large', accepted: 300 });
      reply(response, 200, { accepted: count });
    });
    const sender = await send(target.url, lines(1000));
    expect(sender.delivered()).toBe(1000);
    const keys = target.requests.map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length);
    const received = target.requests.slice(1).flatMap((r) => r.body.split('\n').filter(Boolean));
    expect(received).toEqual(
      lines(1000)
        .slice(300)
        .map((line) => JSON.stringify(line)),
    );
  });
});

describe('replay --dedupe', () => {
  it('ids from the content and the occurrence number: the same on a second pass, distinct for repeats', () => {
    const input = ['a', 'b', 'a', 'a', 'c', 'b'];
    const first = new DedupeIds();
    const ids = input.map((line) => first.next(line));
    expect(new Set(ids).size).toBe(input.length);
    const second = new DedupeIds();
    expect(input.map((line) => second.next(line))).toEqual(ids);
    // The first copy's id does not depend on what came before it.
    expect(new DedupeIds().next('c')).toBe(ids[4]);
    // The content ids `rules test` and fixtures use: one helper for all.
    expect(ids.slice(0, 4)).toEqual([0, 0, 1, 2].map((n, i) => eventIdOf(REPLAY_DATASET, input[i] as string, n)));
  });

  it('sends each line as {"message", "id"}', async () => {
    const target = await receiver((_index, count, response) => reply(response, 200, { accepted: count }));
    await send(target.url, ['x', 'x'], { dedupe: true });
    const sent = (target.requests[0]?.body ?? '')
      .split('\n')
      .filter(Boolean)
      .map((text) => JSON.parse(text) as { message: string; id: string });
    expect(sent.map((element) => element.message)).toEqual(['x', 'x']);
    const ids = new DedupeIds();
    expect(sent.map((element) => element.id)).toEqual([ids.next('x'), ids.next('x')]);
  });

  it('is refused for syslog destinations, which carry no id, before anything is sent', async () => {
    expect(() => checkDedupeDestination('tcp://127.0.0.1:5514')).toThrow(/--dedupe needs an http\(s\):\/\/ destination/);
    expect(() => checkDedupeDestination('https://pipeline.example:8080/ingest')).not.toThrow();
    const dir = mkdtempSync(join(tmpdir(), 'replay-dedupe-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'in.log'), 'one line\n');
    const cli = new URL('../../bin/fortiems.js', import.meta.url).pathname;
    const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [cli, 'replay', join(dir, 'in.log'), '--to', 'udp://127.0.0.1:9', '--dedupe']);
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (text: string) => {
        stderr += text;
      });
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--dedupe needs an http\(s\):\/\/ destination, not 'udp:\/\/127\.0\.0\.1:9': syslog carries no event id/);
  });
});
