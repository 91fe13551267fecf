import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { deflateSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../ingest/config/load-config.js';
import { clientEventId } from '../../ingest/pipeline/event-ids.js';
import type { PipelineIntake, RawLine } from '../../ingest/pipeline/raw-line.js';
import { type HttpSourceOptions, httpSource } from '../../ingest/sources/http-source.js';
import { createHttpServer, type HttpServer } from '../../platform/http/http-server.js';
import { ComponentTelemetry, METRIC_NAMES } from '../../platform/telemetry/component-telemetry.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';

/** Records the lines it is given and acknowledges them at once. */
class RecordingIntake implements PipelineIntake {
  readonly submitted: RawLine[] = [];
  deliver = () => undefined;
  isFull = () => false;
  submit(lines: RawLine[]): Promise<void> {
    this.submitted.push(...lines);
    return Promise.resolve();
  }
}

const servers: HttpServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

function setUp(options: Partial<HttpSourceOptions> = {}) {
  const intake = new RecordingIntake();
  const registry = new MetricsRegistry();
  const telemetry = new ComponentTelemetry(registry, { id: 'http_in', kind: 'source', type: 'http' });
  const server = createHttpServer({ address: '127.0.0.1:0' });
  servers.push(server);
  server.app.register(httpSource, { id: 'http_in', zone: 'UTC', intake, telemetry, ...options });
  const post = (payload: string | Buffer | Readable, headers: Record<string, string> = {}) =>
    server.app.inject({ method: 'POST', url: '/ingest', payload, headers: { 'content-type': 'application/x-ndjson', ...headers } });
  const metric = (name: string, labels: Record<string, string> = {}) => registry.get(name)?.total(labels) ?? 0;
  return { intake, server, post, metric };
}

const line = (i: number) => `<134>Nov 23 10:00:00 ems01 ems-event: seq=${i} msg="line ${i}"`;
const ndjson = (count: number, of: (i: number) => string = line) =>
  Array.from({ length: count }, (_, i) => JSON.stringify(of(i))).join('\n');

describe('the HTTP source: event identity', () => {
  it('leaves ids to the pipeline without a key: a resent request is new events (at-least-once)', async () => {
    const { intake, post } = setUp();
    await post(ndjson(3));
    await post(ndjson(3));
    expect(intake.submitted).toHaveLength(6);
    expect(intake.submitted.every((raw) => raw.id === undefined)).toBe(true);
  });

  it('with an Idempotency-Key: an id per element, the same when the request is resent, different for another key', async () => {
    const { intake, post } = setUp();
    const same = `${JSON.stringify(line(0))}\n${JSON.stringify(line(0))}`; // two identical lines: two events
    expect((await post(same, { 'idempotency-key': 'batch-1' })).json()).toEqual({ accepted: 2 });
    await post(same, { 'idempotency-key': 'batch-1' });
    await post(same, { 'idempotency-key': 'batch-2' });
    const ids = intake.submitted.map((raw) => raw.id as string);
    expect(ids.every((id) => /^[\w-]{43}$/.test(id))).toBe(true);
    expect(ids[0]).not.toBe(ids[1]);
    expect(ids.slice(2, 4)).toEqual(ids.slice(0, 2));
    expect(new Set([...ids.slice(0, 2), ...ids.slice(4)]).size).toBe(4);
  });

  it('scopes key-derived ids to the source: the same key on another HTTP source is other events', async () => {
    const a = setUp();
    const b = setUp({ id: 'http_other' });
    await a.post(ndjson(1), { 'idempotency-key': 'k' });
    await b.post(ndjson(1), { 'idempotency-key': 'k' });
    expect(a.intake.submitted[0]?.id).not.toBe(b.intake.submitted[0]?.id);
  });

  it('refuses a malformed Idempotency-Key before reading the body', async () => {
    const { intake, post, metric } = setUp();
    for (const key of ['with space', 'x'.repeat(257)]) {
      const response = await post(ndjson(1), { 'idempotency-key': key });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: 'bad idempotency key', accepted: 0 });
    }
    expect(intake.submitted).toHaveLength(0);
    expect(metric(METRIC_NAMES.errors, { error_type: 'bad_idempotency_key' })).toBe(2);
  });

  it('takes an element\'s own "id", hashed under its own prefix; it wins over the key', async () => {
    const { intake, post } = setUp();
    const body = [
      JSON.stringify({ message: line(0), id: 'evt-1' }),
      JSON.stringify({ message: line(0), id: 'evt-1' }),
      JSON.stringify({ message: line(1) }),
    ].join('\n');
    expect((await post(body, { 'idempotency-key': 'k' })).statusCode).toBe(200);
    const [first, second, third] = intake.submitted;
    expect(first?.id).toBe(clientEventId('evt-1'));
    expect(second?.id).toBe(first?.id); // the client said they are one event
    expect(third?.id).toMatch(/^[\w-]{43}$/);
    expect(third?.id).not.toBe(first?.id);
    // Never the id itself: a client cannot pick an id the pipeline generates or another client's hashed one.
    expect(first?.id).not.toBe('evt-1');
  });

  it('refuses an "id" that is not a non-empty string of at most 512 characters, naming the element', async () => {
    const { intake, post } = setUp();
    for (const id of [42, '', 'x'.repeat(513)]) {
      const response = await post(`${JSON.stringify(line(0))}\n${JSON.stringify({ message: line(1), id })}`);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ accepted: 1, line: 2 });
      expect(response.json().message).toMatch(/`id` must be a non-empty string/);
    }
    expect(intake.submitted).toHaveLength(3);
  });
});

describe('the HTTP source: Content-Encoding', () => {
  it('decodes gzip and deflate bodies (identity and x-gzip too) into the same lines', async () => {
    const { intake, post, metric } = setUp();
    const body = ndjson(10);
    const answers = [
      await post(gzipSync(body), { 'content-encoding': 'gzip' }),
      await post(gzipSync(body), { 'content-encoding': 'x-gzip' }),
      await post(deflateSync(body), { 'content-encoding': 'Deflate' }),
      await post(body, { 'content-encoding': 'identity' }),
    ];
    expect(answers.map((answer) => answer.json())).toEqual(Array(4).fill({ accepted: 10 }));
    expect(intake.submitted.map((raw) => raw.line)).toEqual(
      Array.from({ length: 4 }, () => Array.from({ length: 10 }, (_, i) => line(i))).flat(),
    );
    // Received bytes are wire bytes: the compressed bodies count smaller.
    expect(metric(METRIC_NAMES.receivedBytes)).toBeLessThan(4 * body.length);
  });

  it('decodes a gzip body streamed in small pieces', async () => {
    const { intake, post } = setUp();
    const zipped = gzipSync(ndjson(500));
    const pieces = Array.from({ length: Math.ceil(zipped.length / 7) }, (_, i) => zipped.subarray(i * 7, i * 7 + 7));
    const response = await post(Readable.from(pieces), { 'content-encoding': 'gzip' });
    expect(response.json()).toEqual({ accepted: 500 });
    expect(intake.submitted.at(-1)?.line).toBe(line(499));
  });

  it('answers 415 for an encoding it cannot decode, or two stacked, before reading', async () => {
    const { intake, post, metric } = setUp();
    for (const encoding of ['br', 'compress', 'zstd', 'gzip, deflate']) {
      const response = await post(gzipSync(ndjson(2)), { 'content-encoding': encoding });
      expect(response.statusCode).toBe(415);
      expect(response.json()).toMatchObject({ error: 'unsupported content encoding' });
    }
    expect(intake.submitted).toHaveLength(0);
    expect(metric(METRIC_NAMES.errors, { error_type: 'unsupported_encoding' })).toBe(4);
  });

  it('answers 400 for a corrupt or cut-off stream, counting the lines decoded before it', async () => {
    const { intake, post, metric } = setUp();
    const garbage = await post(Buffer.from('this is not gzip at all'), { 'content-encoding': 'gzip' });
    expect(garbage.statusCode).toBe(400);
    expect(garbage.json()).toMatchObject({ error: 'corrupt body', accepted: 0 });

    const zipped = gzipSync(`${ndjson(2000)}\n`);
    const cut = await post(zipped.subarray(0, Math.floor(zipped.length * 0.8)), { 'content-encoding': 'gzip' });
    expect(cut.statusCode).toBe(400);
    const { accepted } = cut.json() as { accepted: number };
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(2000);
    expect(intake.submitted).toHaveLength(accepted);
    expect(metric(METRIC_NAMES.errors, { error_type: 'corrupt' })).toBe(2);
  });

  it('bounds the decompressed size: a zip bomb gets 413 with what was accepted before the limit', async () => {
    const limit = 1024 * 1024;
    const { intake, post, metric } = setUp({ maxBodyBytes: limit });
    // About 45 MiB of lines in about 140 KiB: the wire size is well within the limit, what it inflates to is not.
    const bomb = gzipSync(Buffer.from(`${JSON.stringify(line(1))}\n`.repeat(800_000)), { level: 9 });
    expect(bomb.length).toBeLessThan(limit / 4);
    const response = await post(bomb, { 'content-encoding': 'gzip' });
    expect(response.statusCode).toBe(413);
    const { accepted } = response.json() as { accepted: number };
    expect(accepted).toBeGreaterThan(0);
    expect(accepted * (JSON.stringify(line(1)).length + 1)).toBeLessThanOrEqual(limit);
    expect(intake.submitted).toHaveLength(accepted);
    expect(response.json().message).toMatch(/decompressed/);
    expect(metric(METRIC_NAMES.errors, { error_type: 'body_too_large' })).toBe(1);
  });
});

describe('the HTTP source: a body that stalls', () => {
  it('cuts off a sender that stops in the middle of a body after body_timeout_ms, with what it accepted', async () => {
    const { intake, server, metric } = setUp({ bodyTimeoutMs: 300 });
    const url = new URL(await server.listen());
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(
        { host: url.hostname, port: url.port, path: '/ingest', method: 'POST', headers: { 'content-type': 'text/plain' } },
        (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => {
            body += chunk.toString();
          });
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        },
      );
      request.on('error', reject);
      // Two whole lines and half a third, then nothing: the request stays open.
      request.write(`${line(0)}\n${line(1)}\n<134>Nov 23 10:00:00 ems01 ems-event: se`);
    });
    expect(answer.status).toBe(408);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'request timeout', accepted: 2 });
    expect(intake.submitted.map((raw) => raw.line)).toEqual([line(0), line(1)]);
    expect(metric(METRIC_NAMES.errors, { error_type: 'body_timeout' })).toBe(1);
  });
});

describe('body_timeout_ms in the configuration', () => {
  const sinks = 'sinks:\n  opensearch: { type: opensearch }\n';
  it('takes 1 s to 1 h (30 s when absent)', () => {
    const config = parseConfig(`sources:\n  http: { type: http, body_timeout_ms: 5000 }\n${sinks}`, 'test.yaml');
    expect(config.sources?.http).toMatchObject({ type: 'http', body_timeout_ms: 5000 });
    expect(() => parseConfig(`sources:\n  http: { type: http, body_timeout_ms: 10 }\n${sinks}`, 'test.yaml')).toThrow(
      /sources\.http\.body_timeout_ms: must be ≥ 1000/,
    );
  });
});
