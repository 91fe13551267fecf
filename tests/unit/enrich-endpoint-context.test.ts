import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildEmsAdminServer } from '../../ems-core/api/admin-api.js';
import type { Endpoint } from '../../ems-core/fleet/endpoint.js';
import { Simulation } from '../../ems-core/simulation/simulation.js';
import { BackoffBreaker } from '../../ingest/enrich/backoff-breaker.js';
import { answerCache, EndpointContextEnricher, type EndpointContextOptions } from '../../ingest/enrich/endpoint-context.js';
import { inventoryUrl } from '../../ingest/enrich/inventory-client.js';
import { type ParsedEvent, parseLine } from '../../parsers/parse-line.js';
import { formatLine } from '../../syslog/index.js';

const START = Date.parse('2026-11-23T08:00:00Z');
const TOKEN = 't';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The real EMS core admin API on a free loopback port, counting the HTTP requests it receives. */
async function startEmsApi(): Promise<{ sim: Simulation; api: FastifyInstance; url: string; requests: () => number }> {
  const sim = new Simulation({ seed: 1, start: START });
  const api = buildEmsAdminServer({ sim, adminToken: TOKEN });
  await api.listen({ port: 0, host: '127.0.0.1' });
  cleanups.push(() => api.close());
  let requests = 0;
  api.server.on('request', () => requests++);
  const { port } = api.server.address() as AddressInfo;
  return { sim, api, url: `http://127.0.0.1:${port}`, requests: () => requests };
}

/** An ems-client line about `endpoint`, as the EMS core writes it, parsed by the real parser. */
function emsClientEvent(sim: Simulation, endpoint: Endpoint): ParsedEvent {
  const lines: string[] = [];
  const stop = sim.ems.onLine((line) => lines.push(formatLine(line, { format: 'rfc3164', hostname: 'ems01' })));
  sim.ems.log('ems-client', 'endpoint-online', { status: 'online' }, { endpoint });
  stop();
  const event = parseLine(lines[0] as string, { receivedAt: START });
  expect(event.kind).toBe('event');
  return event;
}

/** A FortiGate endpoint event naming the FortiClient only by its UID: no host.os of its own. */
function fortigateEvent(uid: string): ParsedEvent {
  const line = `date=2026-11-23 time=08:00:01 logid="0107045057" type="event" subtype="endpoint" level="information" vd="root" fctuid="${uid}" srcip=10.10.32.23 msg="Add a FortiClient"`;
  const event = parseLine(line, { receivedAt: START });
  expect(event.producer).toBe('fortigate');
  return event;
}

function eventNamedBy(host: Record<string, unknown>): ParsedEvent {
  return { kind: 'event', producer: 'forticlient', category: undefined, dataset: 'fortiems.forticlient', document: { host }, problems: [] };
}

const endpointFields = (event: ParsedEvent) => (event.document.fortiems as Record<string, unknown> | undefined)?.endpoint;

function enricher(options: EndpointContextOptions): EndpointContextEnricher {
  return new EndpointContextEnricher(options);
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** An HTTP server that answers every request after `delayMs`, and counts them. */
async function slowServer(delayMs: number): Promise<{ url: string; requests: () => number }> {
  const timers = new Set<NodeJS.Timeout>();
  let requests = 0;
  const server: Server = createServer((_request, response) => {
    requests++;
    const timer = setTimeout(() => response.end(JSON.stringify({ endpoints: [], total: 0 })), delayMs);
    timers.add(timer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const timer of timers) clearTimeout(timer);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
}

describe('endpoint context from the real EMS core inventory API', () => {
  it('adds the groups, tags, owner, status and policy EMS has for the endpoint of an ems-client line', async () => {
    const { sim, url } = await startEmsApi();
    const endpoint = sim.ems.fleet[0] as Endpoint;
    const event = emsClientEvent(sim, endpoint);
    const os = structuredClone((event.document.host as Record<string, unknown>).os);
    const context = enricher({ url, token: TOKEN });

    await context.enrich(event);

    expect(endpointFields(event)).toEqual({
      groups: endpoint.groups,
      tags: endpoint.ztnaTags,
      owner: endpoint.user,
      status: endpoint.status,
      policy: endpoint.policy,
    });
    expect(endpoint.groups.length).toBeGreaterThan(0);
    expect((event.document.host as Record<string, unknown>).os).toEqual(os); // the line's own OS stays
    expect((event.document.user as Record<string, unknown>).name).toBe(endpoint.user); // user.name is the line's, untouched
    expect(context.counters()).toMatchObject({ lookups: 1, misses: 1, requests: 1, enriched: 1, errors: 0, timeouts: 0 });
  });

  it('fills host.os.full and host.os.type only where the event has none', async () => {
    const { sim, url } = await startEmsApi();
    const endpoint = sim.ems.fleet[1] as Endpoint;
    const context = enricher({ url, token: TOKEN });
    const bare = fortigateEvent(endpoint.uid.toLowerCase()); // EMS compares UIDs case-insensitively
    const own = eventNamedBy({ id: endpoint.uid, os: { full: 'as the line says' } });

    await context.enrichBatch([bare, own]);

    expect((bare.document.host as Record<string, unknown>).os).toEqual({ full: endpoint.os, type: endpoint.osFamily });
    expect((own.document.host as Record<string, unknown>).os).toEqual({ full: 'as the line says', type: endpoint.osFamily });
    expect(endpointFields(bare)).toMatchObject({ owner: endpoint.user, policy: endpoint.policy });
  });

  it('looks an event up by hostname when it has no UID', async () => {
    const { sim, url } = await startEmsApi();
    const endpoint = sim.ems.fleet[2] as Endpoint;
    const event = eventNamedBy({ hostname: endpoint.hostname.toLowerCase() });
    await enricher({ url, token: TOKEN }).enrich(event);
    expect(endpointFields(event)).toMatchObject({ groups: endpoint.groups, owner: endpoint.user });
  });

  it('answers the second lookup from the cache, synchronously and without a request', async () => {
    const { sim, url, requests } = await startEmsApi();
    const endpoint = sim.ems.fleet[0] as Endpoint;
    const context = enricher({ url, token: TOKEN });
    await context.enrich(emsClientEvent(sim, endpoint));
    expect(requests()).toBe(1);

    const second = emsClientEvent(sim, endpoint);
    expect(context.enrich(second)).toBeUndefined(); // no promise: nothing to wait for
    expect(endpointFields(second)).toMatchObject({ groups: endpoint.groups });
    expect(requests()).toBe(1);
    expect(context.counters()).toMatchObject({ lookups: 2, hits: 1, misses: 1, requests: 1, enriched: 2 });
  });

  it('asks once for a batch full of the same endpoint, and in parallel for distinct ones', async () => {
    const { sim, url, requests } = await startEmsApi();
    const [a, b, c] = sim.ems.fleet as [Endpoint, Endpoint, Endpoint];
    const batch = [a, a, b, a, c, b, a].map((endpoint) => emsClientEvent(sim, endpoint));
    const context = enricher({ url, token: TOKEN });
    await context.enrichBatch(batch);
    expect(requests()).toBe(3);
    expect(batch.every((event) => endpointFields(event) !== undefined)).toBe(true);
    expect(context.counters()).toMatchObject({ lookups: 7, misses: 7, requests: 3, enriched: 7 });
  });

  it('remembers an unknown endpoint for the negative TTL, and pipeline errors ask nothing', async () => {
    const { url, requests } = await startEmsApi();
    const context = enricher({ url, token: TOKEN });
    const unknown = () => fortigateEvent('0123456789ABCDEF0123456789ABCDEF');
    const event = unknown();
    await context.enrich(event);
    expect(endpointFields(event)).toBeUndefined();
    expect(context.enrich(unknown())).toBeUndefined();
    expect(requests()).toBe(1);
    await context.enrich(parseLine('not a log line', { receivedAt: START }));
    expect(context.counters()).toMatchObject({ lookups: 2, hits: 1, requests: 1, notFound: 1, enriched: 0 });
  });

  it('counts a refused token as an error and lets the event pass', async () => {
    const { sim, url } = await startEmsApi();
    const context = enricher({ url, token: 'wrong' });
    const event = emsClientEvent(sim, sim.ems.fleet[0] as Endpoint);
    await context.enrich(event);
    expect(endpointFields(event)).toBeUndefined();
    expect(context.counters()).toMatchObject({ requests: 1, errors: 1, enriched: 0 });
  });
});

describe('endpoint context never stalls ingestion', () => {
  it('returns within the timeout from an API that answers after 2 s, and counts the timeout', async () => {
    const slow = await slowServer(2000);
    const context = enricher({ url: slow.url, token: TOKEN, timeoutMs: 200 });
    const event = fortigateEvent('9C2DF0B55B1DB5CDCE8B75DAD09A7640');

    const started = performance.now();
    await context.enrich(event);
    const waited = performance.now() - started;

    expect(waited).toBeGreaterThanOrEqual(190);
    expect(waited).toBeLessThan(700);
    expect(endpointFields(event)).toBeUndefined();
    expect(slow.requests()).toBe(1);
    // The request's own timeout and the event's deadline are both 200 ms: whichever fires first, the event went on.
    await vi.waitFor(() => expect(context.counters().timeouts).toBe(1), { timeout: 1000 });
    expect(context.counters()).toMatchObject({ requests: 1, enriched: 0, errors: 0 });
  });

  it('a whole batch against a slow API waits one timeout, not one per event', async () => {
    const slow = await slowServer(2000);
    const context = enricher({ url: slow.url, token: TOKEN, timeoutMs: 150, maxConcurrentRequests: 2 });
    const batch = Array.from({ length: 10 }, (_, i) => fortigateEvent(`${String(i).padStart(2, '0')}${'A'.repeat(30)}`));
    const started = performance.now();
    await context.enrichBatch(batch);
    expect(performance.now() - started).toBeLessThan(600);
    expect(batch.every((event) => endpointFields(event) === undefined)).toBe(true);
    // Two requests were in flight (and time out); the eight waiting behind them were not waited for.
    expect(context.counters().late).toBeGreaterThanOrEqual(8);
    expect(slow.requests()).toBeLessThanOrEqual(4);
  });

  it('against an unreachable API: errors counted, events pass, and the back-off stops a request per event', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const context = enricher({ url, token: TOKEN, failureThreshold: 3, backoffMs: 300, maxBackoffMs: 1000 });
    const events = Array.from({ length: 20 }, (_, i) => fortigateEvent(`${String(i).padStart(2, '0')}${'B'.repeat(30)}`));

    const started = performance.now();
    for (const event of events) await context.enrich(event);
    expect(performance.now() - started).toBeLessThan(1000);

    expect(events.every((event) => endpointFields(event) === undefined && event.kind === 'event')).toBe(true);
    expect(context.counters()).toMatchObject({ lookups: 20, requests: 3, errors: 3, skipped: 17, enriched: 0 });
    expect(context.backingOff).toBe(true);

    // After the back-off, one trial request; it fails too, so the back-off starts again (longer).
    await new Promise((resolve) => setTimeout(resolve, 350));
    await context.enrich(fortigateEvent('C'.repeat(32)));
    await context.enrich(fortigateEvent('D'.repeat(32)));
    expect(context.counters()).toMatchObject({ requests: 4, errors: 4, skipped: 18 });
  });

  it('keeps at most maxConcurrentRequests requests in flight', async () => {
    let active = 0;
    let mostActive = 0;
    const fakeFetch: typeof fetch = async (input) => {
      active++;
      mostActive = Math.max(mostActive, active);
      await new Promise((resolve) => setTimeout(resolve, 20));
      active--;
      const uid = new URL(String(input)).searchParams.get('uid');
      const entry = { uid, hostname: 'h', user: 'owner', os: '', osFamily: '', groups: ['g'], tags: [], policy: 'p', status: 'online' };
      return Response.json({ endpoints: [entry], total: 1 });
    };
    const context = enricher({ url: 'http://ems.invalid', token: TOKEN, fetch: fakeFetch, maxConcurrentRequests: 2, timeoutMs: 2000 });
    const batch = Array.from({ length: 6 }, (_, i) => fortigateEvent(`${i}`.repeat(32)));
    await context.enrichBatch(batch);
    expect(mostActive).toBe(2);
    expect(context.counters()).toMatchObject({ requests: 6, enriched: 6 });
  });

  it('forgets hits after ttlMs and misses after the shorter negativeTtlMs', async () => {
    let now = 1_000_000;
    const asked: string[] = [];
    const fakeFetch: typeof fetch = async (input) => {
      const uid = new URL(String(input)).searchParams.get('uid') ?? '';
      asked.push(uid[0] as string);
      const endpoints = uid.startsWith('A') ? [{ uid, hostname: 'h', groups: [], tags: ['t'], user: 'o', policy: 'p', status: 's' }] : [];
      return Response.json({ endpoints, total: endpoints.length });
    };
    const context = enricher({
      url: 'http://ems.invalid',
      token: TOKEN,
      fetch: fakeFetch,
      ttlMs: 1000,
      negativeTtlMs: 100,
      now: () => now,
    });
    const known = () => fortigateEvent('A'.repeat(32));
    const unknown = () => fortigateEvent('F'.repeat(32));
    await context.enrichBatch([known(), unknown()]);
    now += 150;
    await context.enrichBatch([known(), unknown()]);
    now += 1000;
    await context.enrichBatch([known(), unknown()]);
    expect(asked).toEqual(['A', 'F', 'F', 'A', 'F']);
  });
});

describe('enrichment building blocks', () => {
  it('the answer cache evicts the least recently used entry and expires entries by their own TTL', () => {
    // lru-cache expires an entry once its age exceeds the TTL (and reads a start time of 0 as "no TTL"), so the
    // clock starts after 0 and each check is 1 ms past the TTL.
    let now = 1_000;
    const cache = answerCache(2, () => now);
    const answer = (owner: string) => ({ context: { groups: [], tags: [], owner, status: '', policy: '', osFull: '', osType: '' } });
    cache.set('a', answer('a'), { ttl: 100 });
    cache.set('b', answer('b'), { ttl: 100 });
    expect(cache.get('a')?.context?.owner).toBe('a'); // a is now the most recently used
    cache.set('c', { context: null }, { ttl: 10 });
    expect(cache.get('b')).toBeUndefined();
    expect(cache.size).toBe(2);
    now = 1_011;
    expect(cache.get('c')).toBeUndefined();
    expect(cache.get('a')?.context?.owner).toBe('a');
    now = 1_101;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(() => answerCache(0)).toThrow(TypeError);
  });

  it('BackoffBreaker opens after the threshold, admits one trial after the back-off, doubles it on failure, closes on success', () => {
    let now = 0;
    const breaker = new BackoffBreaker({ failureThreshold: 2, openMs: 100, maxOpenMs: 300, now: () => now });
    breaker.failed();
    expect(breaker.tryAcquire()).toBe(true);
    breaker.failed();
    expect(breaker.isOpen).toBe(true);
    expect(breaker.tryAcquire()).toBe(false);
    now = 100;
    expect(breaker.tryAcquire()).toBe(true); // the trial
    expect(breaker.tryAcquire()).toBe(false); // only one
    breaker.failed();
    now = 250;
    expect(breaker.tryAcquire()).toBe(false); // the back-off is now 200 ms
    now = 300;
    expect(breaker.tryAcquire()).toBe(true);
    breaker.failed();
    now = 300 + 299;
    expect(breaker.tryAcquire()).toBe(false); // capped at maxOpenMs
    now = 600;
    expect(breaker.tryAcquire()).toBe(true);
    breaker.succeeded();
    expect(breaker.isOpen).toBe(false);
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('builds the inventory URL from the API origin or its /api/v1 prefix', () => {
    expect(inventoryUrl('http://ems:8090').href).toBe('http://ems:8090/api/v1/inventory/endpoints');
    expect(inventoryUrl('http://ems:8090/').href).toBe('http://ems:8090/api/v1/inventory/endpoints');
    expect(inventoryUrl('https://ems/api/v1/').href).toBe('https://ems/api/v1/inventory/endpoints');
    expect(inventoryUrl('https://proxy/ems?x=1').href).toBe('https://proxy/ems/api/v1/inventory/endpoints');
  });
});
