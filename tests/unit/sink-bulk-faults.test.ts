import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MemoryBuffer } from '../../ingest/buffers/memory-buffer.js';
import type { SearchSinkConfig } from '../../ingest/config/types.js';
import { assignEventId } from '../../ingest/enrich/event-id.js';
import { encodeBulkCreate } from '../../ingest/sinks/search/bulk-encoding.js';
import { classifyItem } from '../../ingest/sinks/search/bulk-response.js';
import { createSearchSink } from '../../ingest/sinks/search/create-search-sink.js';
import type { Sink } from '../../ingest/sinks/sink.js';
import { CATALOGUE, type Level } from '../../mappings/index.js';
import { type ParsedEvent, parseLine } from '../../parsers/parse-line.js';
import { METRIC_NAMES } from '../../platform/telemetry/component-telemetry.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import { formatLine } from '../../syslog/index.js';
import {
  answerItems,
  type BulkOperation,
  errorAnswer,
  type FakeBulkServer,
  type FakeRequest,
  failItems,
  itemError,
  type Responder,
  startFakeBulkServer,
} from '../support/fake-bulk-server.js';
import { SAMPLE_RECORDS } from '../support/sample-records.js';

const NAMESPACE = 'faults';
const receivedAt = Date.parse('2026-11-23T10:00:05Z');

/** Real events: one EMS line per category (and per `round`), parsed and given their id as the pipeline would. */
function sampleEvents(round = 0): ParsedEvent[] {
  return CATALOGUE.map((category) => {
    const record = SAMPLE_RECORDS[category.name] as Record<string, string | number>;
    const line = formatLine(
      { category: category.name, level: record.level as Level, time: new Date(receivedAt - 60_000 + round * 1000), record },
      { hostname: 'ems01' },
    );
    const event = parseLine(line, { receivedAt, namespace: NAMESPACE });
    assignEventId(event.document, event.dataset);
    return event;
  });
}
const idOf = (event: ParsedEvent) => (event.document.event as { id: string }).id;
const ids = (request: FakeRequest | undefined) => request?.operations.map((operation) => operation.id) ?? [];

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

interface Running {
  sink: Sink;
  buffer: MemoryBuffer;
  server: FakeBulkServer;
  metric: (key: keyof typeof METRIC_NAMES, labels?: Record<string, string>) => number;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function run(flavor: 'opensearch' | 'elasticsearch', script: Responder[], fallback?: Responder): Promise<Running> {
  const server = await startFakeBulkServer({ flavor, script, ...(fallback ? { fallback } : {}) });
  cleanups.push(() => server.close());
  const registry = new MetricsRegistry();
  const buffer = new MemoryBuffer(50_000_000);
  const config: SearchSinkConfig = {
    type: flavor,
    url: server.url,
    namespace: NAMESPACE,
    concurrency: 1,
    batch: { max_events: 100, max_bytes: 5_000_000, timeout_ms: 10 },
  };
  const sink = createSearchSink('search', config, { buffer, registry, retry: { baseDelayMs: 5, maxDelayMs: 20 } });
  cleanups.push(() => sink.stop(1000));
  const metric = (key: keyof typeof METRIC_NAMES, labels: Record<string, string> = {}) =>
    registry.get(METRIC_NAMES[key])?.total(labels) ?? 0;
  await sink.start();
  return { sink, buffer, server, metric };
}

const settled = (running: Running) => until(() => running.buffer.depth().events === 0, 'every event settled');
const throttled = itemError(429, 'es_rejected_execution_exception', 'rejected execution of coordinating operation');
const mapperError = itemError(400, 'mapper_parsing_exception', 'failed to parse field [ems.devid] of type [long] in document', {
  type: 'illegal_argument_exception',
  reason: 'For input string: "FCT8001ZQ7RB4K2A"',
});
const isCategory = (dataset: string) => (operation: BulkOperation) => operation.index === `logs-${dataset}-${NAMESPACE}`;

describe.each(['opensearch', 'elasticsearch'] as const)('the %s bulk sink against a faulty target', (flavor) => {
  it('sends the encoded pairs as the bulk body, unchanged, and confirms every item', async () => {
    const running = await run(flavor, []);
    const events = sampleEvents();
    await running.sink.accept(events);
    await settled(running);
    const [request] = running.server.bulkRequests();
    expect(request?.body).toBe(Buffer.concat(events.map(encodeBulkCreate)).toString('utf8'));
    expect(String(request?.headers['content-type'])).toMatch(/ndjson/);
    expect(request?.operations.every((operation) => operation.action === 'create')).toBe(true);
    expect(running.server.documents('logs-fortiems.*')).toHaveLength(events.length);
    expect(running.metric('sentEvents')).toBe(events.length);
    expect(running.metric('sentBytes')).toBe(Buffer.byteLength(request?.body ?? ''));
    expect(await running.sink.ready()).toBe(true);
  });

  it('retries per-item 429s (hidden in a 200 answer) until they are delivered, resending only those', async () => {
    const events = sampleEvents();
    const running = await run(flavor, [
      failItems((_operation, i) => i === 1 || i === 3, throttled),
      failItems((_operation, i) => i === 0, throttled),
    ]);
    await running.sink.accept(events);
    await settled(running);
    const bulks = running.server.bulkRequests();
    expect(bulks.map(ids)).toEqual([
      events.map(idOf),
      [idOf(events[1] as ParsedEvent), idOf(events[3] as ParsedEvent)],
      [idOf(events[1] as ParsedEvent)],
    ]);
    expect(running.server.documents('logs-fortiems.*')).toHaveLength(events.length);
    expect(running.metric('sentEvents')).toBe(events.length);
    expect(running.metric('errors', { error_type: 'throttled' })).toBe(3);
    expect(running.metric('deadLettered')).toBe(0);
  });

  it('sorts a 200 answer with mixed item errors: ok delivered, 409 at a first attempt deduplicated, 5xx and 429 retried, 400 dead-lettered', async () => {
    const events = sampleEvents();
    const results = [
      { status: 201 },
      itemError(409, 'version_conflict_engine_exception', 'document already exists'),
      mapperError,
      itemError(503, 'unavailable_shards_exception', 'primary shard is not active'),
      throttled,
    ];
    const running = await run(flavor, [answerItems((_operation, i) => results[i])]);
    await running.sink.accept(events);
    await settled(running);
    const bulks = running.server.bulkRequests();
    const dataBulks = bulks.filter((request) => request.operations.some((operation) => operation.action === 'create'));
    expect(dataBulks.map(ids)).toEqual([events.map(idOf), [idOf(events[3] as ParsedEvent), idOf(events[4] as ParsedEvent)]]);

    const deadLetterBulk = bulks.find((request) => request.operations[0]?.index === `fortiems-dead-letter-${NAMESPACE}`);
    expect(deadLetterBulk?.operations).toHaveLength(1);
    const letter = deadLetterBulk?.operations[0] as BulkOperation;
    const failed = events[2] as ParsedEvent;
    expect(letter.action).toBe('index');
    expect(letter.id).toBe(idOf(failed));
    expect(letter.source).toMatchObject({
      error: { type: 'mapper_parsing_exception', message: expect.stringContaining('For input string') },
      event: { id: idOf(failed), dataset: failed.dataset, original: (failed.document.event as { original: string }).original },
      fortiems: {
        dead_letter: { target_index: `logs-${failed.dataset}-${NAMESPACE}`, attempts: 1, document: JSON.stringify(failed.document) },
      },
    });
    // The 409 answered our first attempt at a record of this process: someone else stored that id.
    expect(running.metric('sentEvents')).toBe(events.length - 2);
    expect(running.metric('deduplicated')).toBe(1);
    expect(running.metric('deadLettered')).toBe(1);
    expect(running.metric('errors', { error_type: 'server_error' })).toBe(1);
    expect(running.metric('errors', { error_type: 'throttled' })).toBe(1);
  });

  it('retries the whole batch after a 500 for the request, and after a dropped connection', async () => {
    const events = sampleEvents();
    const running = await run(flavor, [errorAnswer(500, 'internal_server_error', 'node is restarting'), { destroy: true }]);
    await running.sink.accept(events);
    await settled(running);
    const bulks = running.server.bulkRequests();
    expect(bulks).toHaveLength(3);
    expect(new Set(bulks.map((request) => request.body)).size).toBe(1);
    expect(running.server.documents('logs-fortiems.*')).toHaveLength(events.length);
    expect(running.metric('errors', { stage: 'send', error_type: 'unavailable' })).toBe(2 * events.length);
    expect(running.metric('sentEvents')).toBe(events.length);
  });

  it('dead-letters 400 mapper_parsing items into fortiems-dead-letter-<namespace>, created with its own mapping', async () => {
    const events = [...sampleEvents(0), ...sampleEvents(1)];
    const broken = events.filter((event) => event.dataset === 'fortiems.client');
    const running = await run(flavor, [], failItems(isCategory('fortiems.client'), mapperError));
    await running.sink.accept(events);
    await settled(running);
    const index = `fortiems-dead-letter-${NAMESPACE}`;
    const created = running.server.createdIndices.get(index) as { mappings: { dynamic: boolean; properties: Record<string, unknown> } };
    expect(created.mappings.dynamic).toBe(false);
    expect(created.mappings.properties).toHaveProperty('fortiems');
    expect(
      running.server
        .documents(index)
        .map((doc) => (doc.event as { id: string }).id)
        .sort(),
    ).toEqual(broken.map(idOf).sort());
    expect(running.server.documents('logs-fortiems.*')).toHaveLength(events.length - broken.length);
    expect(running.metric('deadLettered')).toBe(broken.length);
    // Only one data request: a rejected item is never resent.
    expect(running.server.bulkRequests().filter((request) => request.operations[0]?.action === 'create')).toHaveLength(1);
  });

  it('keeps dead letters unacked while the dead-letter write fails, and writes them later', async () => {
    const events = sampleEvents();
    let deadLetterWrites = 0;
    const running = await run(flavor, [], (request, server) => {
      if (request.operations[0]?.action === 'index' && deadLetterWrites++ === 0)
        return failItems(() => true, itemError(503, 'unavailable_shards_exception', 'dead-letter shard not active'))(request, server);
      return failItems(isCategory('fortiems.vpn'), mapperError)(request, server);
    });
    await running.sink.accept(events);
    await settled(running);
    expect(deadLetterWrites).toBe(2);
    expect(running.server.documents(`fortiems-dead-letter-${NAMESPACE}`)).toHaveLength(1);
    expect(running.metric('deadLettered')).toBe(1);
    expect(running.metric('errors', { stage: 'dead_letter' })).toBe(1);
  });

  it('dead-letters an item that keeps failing with 5xx after its bounded retries', async () => {
    const events = sampleEvents();
    const running = await run(flavor, [], failItems(isCategory('fortiems.event'), itemError(500, 'exception', 'poison')));
    await running.sink.accept(events);
    await settled(running);
    const poison = running.server.documents(`fortiems-dead-letter-${NAMESPACE}`);
    expect(poison).toHaveLength(1);
    expect(poison[0]).toMatchObject({
      error: { type: 'server_error', message: 'exception: poison' },
      fortiems: { dead_letter: { attempts: 10 } },
    });
    expect(running.metric('sentEvents')).toBe(events.length - 1);
  });

  it('is not ready when nothing answers', async () => {
    const server = await startFakeBulkServer({ flavor });
    const url = server.url;
    await server.close();
    const sink = createSearchSink('down', { type: flavor, url }, { buffer: new MemoryBuffer(1_000_000), registry: new MetricsRegistry() });
    expect(await sink.ready()).toBe(false);
    await sink.stop(0);
  });

  it('with several urls, fails over from a node that drops every connection: each event stored once, on the live node', async () => {
    const dead = await startFakeBulkServer({ flavor, fallback: { destroy: true } });
    const live = await startFakeBulkServer({ flavor });
    cleanups.push(
      () => dead.close(),
      () => live.close(),
    );
    const registry = new MetricsRegistry();
    const buffer = new MemoryBuffer(50_000_000);
    const config: SearchSinkConfig = {
      type: flavor,
      urls: [dead.url, live.url],
      namespace: NAMESPACE,
      concurrency: 1,
      batch: { max_events: 100, max_bytes: 5_000_000, timeout_ms: 10 },
    };
    const sink = createSearchSink('search', config, { buffer, registry, retry: { baseDelayMs: 5, maxDelayMs: 20 } });
    cleanups.push(() => sink.stop(1000));
    await sink.start();
    const sent: ParsedEvent[] = [];
    for (let round = 0; round < 4; round++) {
      const events = sampleEvents(round);
      sent.push(...events);
      await sink.accept(events);
      await until(() => buffer.depth().events === 0, `round ${round} settled`);
    }
    expect(dead.bulkRequests().length).toBeGreaterThan(0);
    const stored = live.documents('logs-fortiems.*');
    expect(stored).toHaveLength(sent.length);
    expect(new Set(live.bulkRequests().flatMap(ids))).toEqual(new Set(sent.map(idOf)));
    expect(registry.get(METRIC_NAMES.sentEvents)?.total({}) ?? 0).toBe(sent.length);
    expect(registry.get(METRIC_NAMES.deadLettered)?.total({}) ?? 0).toBe(0);
  });
});

describe('bulk encoding and item classification', () => {
  it('encodes an event as a create pair into its data stream, with event.id as _id', () => {
    const [event] = sampleEvents();
    const [action, document, end] = encodeBulkCreate(event as ParsedEvent)
      .toString('utf8')
      .split('\n');
    expect(JSON.parse(action as string)).toEqual({
      create: { _index: `logs-fortiems.client-${NAMESPACE}`, _id: idOf(event as ParsedEvent) },
    });
    expect(JSON.parse(document as string)).toEqual(event?.document);
    expect(end).toBe('');
  });

  it('refuses an event without event.id or data_stream, saying why', () => {
    const [event] = sampleEvents();
    const document = structuredClone(event?.document) as Record<string, unknown>;
    delete (document.event as Record<string, unknown>).id;
    expect(() => encodeBulkCreate({ ...(event as ParsedEvent), document })).toThrow(/without event\.id/);
    expect(() => encodeBulkCreate({ ...(event as ParsedEvent), document: { event: { id: 'x' } } })).toThrow(/data_stream/);
  });

  it('classifies statuses: 2xx ok, 409 exists, 429 and write blocks throttled, 5xx server_error, other 4xx rejected', () => {
    expect(classifyItem(201)).toEqual({ status: 'ok' });
    expect(classifyItem(409, { type: 'version_conflict_engine_exception' })).toEqual({ status: 'exists' });
    expect(classifyItem(429, { type: 'es_rejected_execution_exception', reason: 'full' })).toMatchObject({
      status: 'retry',
      errorClass: 'throttled',
    });
    expect(classifyItem(403, { type: 'cluster_block_exception', reason: 'index read-only / allow delete' })).toMatchObject({
      errorClass: 'throttled',
    });
    expect(classifyItem(503, { type: 'unavailable_shards_exception' })).toMatchObject({ status: 'retry', errorClass: 'server_error' });
    for (const type of [
      'mapper_parsing_exception',
      'illegal_argument_exception',
      'document_parsing_exception',
      'strict_dynamic_mapping_exception',
    ])
      expect(classifyItem(400, { type, reason: 'r' })).toEqual({ status: 'reject', errorType: type, error: `${type}: r` });
  });
});

describe('createSearchSink configuration', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'fortiems-sink-config-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const deps = () => ({ buffer: new MemoryBuffer(1_000_000), registry: new MetricsRegistry() });

  it('uses the default cluster when the sink names no url, and its own url otherwise', async () => {
    const server = await startFakeBulkServer();
    cleanups.push(() => server.close());
    const viaTarget = createSearchSink('os', { type: 'opensearch' }, { ...deps(), target: { url: server.url } });
    expect(viaTarget.type).toBe('opensearch');
    expect(await viaTarget.ready()).toBe(true);
    await viaTarget.stop(0);
    const own = createSearchSink('os', { type: 'opensearch', url: server.url }, { ...deps(), target: { url: 'http://127.0.0.1:1' } });
    expect(await own.ready()).toBe(true);
    await own.stop(0);
  });

  it.each([
    [{ type: 'solr' }, /sinks\.bad\.type is 'solr'/],
    [{ type: 'opensearch' }, /sinks\.bad has no url/],
    [{ type: 'elasticsearch' }, /sinks\.bad has no url/],
    [{ type: 'opensearch', url: 'not a url' }, /is not a URL/],
    [{ type: 'opensearch', url: 'ftp://host:21' }, /is not http or https/],
    [{ type: 'opensearch', url: 'http://a:9200', urls: ['http://b:9200'] }, /has both url and urls/],
    [{ type: 'opensearch', urls: [] }, /sinks\.bad\.urls is empty/],
    [{ type: 'opensearch', urls: ['http://a:9200', 'http://a:9200'] }, /names a node twice/],
    [{ type: 'elasticsearch', urls: ['http://a:9200', 'ftp://b:21'] }, /sinks\.bad\.urls 'ftp:\/\/b:21' is not http or https/],
    [{ type: 'opensearch', url: 'http://h:9200', password: 'secret' }, /password but no username/],
    [{ type: 'opensearch', url: 'http://h:9200', ca_file: '/nonexistent/ca.pem' }, /ca_file '\/nonexistent\/ca\.pem' cannot be read/],
    [{ type: 'opensearch', url: 'http://h:9200', concurrency: 0 }, /concurrency is 0/],
    [{ type: 'opensearch', url: 'http://h:9200', batch: { max_events: 0 } }, /batch\.max_events is 0/],
    [{ type: 'opensearch', url: 'http://h:9200', namespace: 'Bad-Name' }, /namespace 'Bad-Name'/],
  ])('refuses %j with a clear error', (config, message) => {
    expect(() => createSearchSink('bad', config as SearchSinkConfig, deps())).toThrow(message);
  });

  it('an elasticsearch sink does not fall back to the default (OpenSearch) cluster', () => {
    expect(() => createSearchSink('es', { type: 'elasticsearch' }, { ...deps(), target: { url: 'http://127.0.0.1:9200' } })).toThrow(
      expect.objectContaining({ message: 'sinks.es has no url', fix: expect.stringMatching(/needs its own/) }),
    );
  });

  it('accepts a readable CA file', async () => {
    const ca = join(scratch, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n');
    const sink = createSearchSink('es', { type: 'elasticsearch', url: 'https://127.0.0.1:9200', ca_file: ca }, deps());
    await sink.stop(0);
  });
});
