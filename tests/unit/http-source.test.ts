import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PipelineIntake, RawLine } from '../../ingest/pipeline/raw-line.js';
import { type HttpSourceOptions, httpSource } from '../../ingest/sources/http-source.js';
import { createHttpServer, type HttpServer } from '../../platform/http/http-server.js';
import { ComponentTelemetry, METRIC_NAMES } from '../../platform/telemetry/component-telemetry.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';

/** Records what it is given; can be made full, made to hold every acknowledgement, or made to refuse. */
class FakeIntake implements PipelineIntake {
  readonly submitted: RawLine[][] = [];
  full = false;
  refuse = false;
  private held: (() => void)[] | undefined;

  deliver = () => undefined;

  isFull(): boolean {
    return this.full;
  }

  submit(lines: RawLine[]): Promise<void> {
    this.submitted.push(lines);
    if (this.refuse) throw new Error('the pipeline is stopping');
    if (this.held) return new Promise((resolve) => this.held?.push(resolve));
    return Promise.resolve();
  }

  hold(): void {
    this.held = [];
  }

  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const resolve of held) resolve();
  }

  get lines(): string[] {
    return this.submitted.flat().map((raw) => raw.line);
  }
}

const servers: HttpServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

function setUp(options: Partial<HttpSourceOptions> = {}) {
  const intake = new FakeIntake();
  const registry = new MetricsRegistry();
  const telemetry = new ComponentTelemetry(registry, { id: 'http_in', kind: 'source', type: 'http' });
  const server = createHttpServer({ address: '127.0.0.1:0' });
  servers.push(server);
  server.app.register(httpSource, { id: 'http_in', zone: 'Europe/Paris', intake, telemetry, ...options });
  const post = (payload: string | Readable, contentType = 'application/x-ndjson', headers: Record<string, string> = {}) =>
    server.app.inject({ method: 'POST', url: options.path ?? '/ingest', payload, headers: { 'content-type': contentType, ...headers } });
  const metric = (name: string, labels: Record<string, string> = {}) => registry.get(name)?.total(labels) ?? 0;
  return { intake, server, post, metric };
}

/** A body sent in pieces of `size` bytes, without Content-Length: what a streaming sender does. */
function inPieces(body: string, size: number): Readable {
  const bytes = Buffer.from(body, 'utf8');
  const pieces: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.subarray(i, i + size));
  return Readable.from(pieces);
}

const syslog = (i: number) => `<134>Nov 23 10:00:00 ems01 ems-event: seq=${i} msg="line ${i}"`;

describe('the HTTP source: formats', () => {
  it('takes NDJSON of strings and objects (CRLF, blank lines), as RawLines of this source and zone', async () => {
    const { intake, post, metric } = setUp();
    const body = `${JSON.stringify(syslog(1))}\r\n\n${JSON.stringify({ message: syslog(2) })}\n${JSON.stringify({ message: syslog(3), timezone: 'Asia/Tokyo' })}`;
    const before = Date.now();
    const response = await post(body);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ accepted: 3 });
    const raws = intake.submitted.flat();
    expect(raws.map((raw) => raw.line)).toEqual([syslog(1), syslog(2), syslog(3)]);
    expect(raws.map((raw) => raw.zone)).toEqual(['Europe/Paris', 'Europe/Paris', 'Asia/Tokyo']);
    for (const raw of raws) {
      expect(raw.sourceId).toBe('http_in');
      expect(raw.receivedAt).toBeGreaterThanOrEqual(before);
      expect(raw.framingError).toBeUndefined();
    }
    expect(metric(METRIC_NAMES.receivedEvents)).toBe(3);
    expect(metric(METRIC_NAMES.receivedBytes)).toBe(Buffer.byteLength(body));
  });

  it('takes a JSON array, its strings holding brackets, commas, quotes and escapes', async () => {
    const { intake, post } = setUp();
    const tricky = ['a ] , [ { } " \\ \n end', 'ünïcødé ✓ 😀', '{"not":"an object"}'];
    const elements = [tricky[0], { message: tricky[1], nested: { list: [1, [2, '] "x']] } }, tricky[2]];
    const response = await post(` \n${JSON.stringify(elements, null, 2)}\n `, 'application/json; charset=utf-8');
    expect(response.json()).toEqual({ accepted: 3 });
    expect(intake.lines).toEqual(tricky);
  });

  it('splits a JSON array and NDJSON correctly whatever the chunk boundaries (one byte at a time, UTF-8 split)', async () => {
    const lines = Array.from({ length: 50 }, (_, i) => `${syslog(i)} user="ünï😀" path="C:\\\\x" q="\\"]"`);
    const array = JSON.stringify(lines.map((line, i) => (i % 2 ? line : { message: line })));
    const ndjson = lines.map((line) => JSON.stringify(line)).join('\n');
    for (const [body, type] of [
      [array, 'application/json'],
      [ndjson, 'application/x-ndjson'],
    ] as const) {
      const { intake, post } = setUp({ chunkLines: 7 });
      const response = await post(inPieces(body, 1), type);
      expect(response.json()).toEqual({ accepted: 50 });
      expect(intake.lines).toEqual(lines);
      expect(intake.submitted.map((chunk) => chunk.length)).toEqual([7, 7, 7, 7, 7, 7, 7, 1]);
    }
  });

  it('takes text/plain as one raw syslog line a line, JSON-looking lines included', async () => {
    const { intake, post } = setUp();
    const response = await post(`${syslog(1)}\r\n{"message":"kept as is"}\n\n${syslog(2)}\n`, 'text/plain');
    expect(response.json()).toEqual({ accepted: 3 });
    expect(intake.lines).toEqual([syslog(1), '{"message":"kept as is"}', syslog(2)]);
  });

  it('takes a single JSON object or string as application/json, and an empty array as nothing', async () => {
    const { intake, post } = setUp();
    expect((await post(JSON.stringify({ message: 'one' }), 'application/json')).json()).toEqual({ accepted: 1 });
    expect((await post('[ ]', 'application/json')).json()).toEqual({ accepted: 0 });
    expect(intake.lines).toEqual(['one']);
  });

  it('listens on the configured path only', async () => {
    const { intake, post, server } = setUp({ path: '/v1/logs' });
    expect((await post('"x"')).json()).toEqual({ accepted: 1 });
    const elsewhere = await server.app.inject({
      method: 'POST',
      url: '/ingest',
      payload: '"x"',
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(elsewhere.statusCode).toBe(404);
    expect(intake.lines).toEqual(['x']);
  });

  it('answers 415, in JSON, for other media types and charsets, without submitting', async () => {
    const { intake, post } = setUp();
    for (const type of ['application/xml', 'text/plain; charset=iso-8859-1', 'multipart/form-data; boundary=x']) {
      const response = await post('<a>x</a>', type);
      expect(response.statusCode, type).toBe(415);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.json().message).toMatch(/application\/x-ndjson/);
    }
    const untyped = await setUp().server.app.inject({ method: 'POST', url: '/ingest', payload: 'x' });
    expect(untyped.statusCode).toBe(415);
    expect(intake.submitted).toEqual([]);
  });
});

describe('the HTTP source: refusals', () => {
  const token = 'a-long-enough-secret-token';

  it('needs the bearer token when one is configured: 401 with a JSON body, nothing submitted', async () => {
    const { intake, post, metric } = setUp({ token });
    const wrong: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong-token-of-some-length' },
      { authorization: `Basic ${token}` },
      { authorization: `Bearer ${token}x` },
    ];
    for (const headers of wrong) {
      const response = await post('"x"', 'application/x-ndjson', headers);
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(response.json()).toEqual({ error: 'unauthorized', message: expect.stringMatching(/Authorization: Bearer/) });
    }
    expect(intake.submitted).toEqual([]);
    expect(metric(METRIC_NAMES.errors, { stage: 'auth', error_type: 'unauthorized' })).toBe(4);
    const allowed = await post('"x"', 'application/x-ndjson', { authorization: `Bearer ${token}` });
    expect(allowed.json()).toEqual({ accepted: 1 });
  });

  it('413 from Content-Length before reading: nothing accepted', async () => {
    const { intake, post, metric } = setUp({ maxBodyBytes: 1024 });
    const response = await post(Array.from({ length: 50 }, (_, i) => JSON.stringify(syslog(i))).join('\n'));
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ error: 'payload too large', accepted: 0, max_body_bytes: 1024 });
    expect(intake.submitted).toEqual([]);
    expect(metric(METRIC_NAMES.receivedBytes)).toBe(0);
  });

  it('413 counted while streaming: stops at the limit, says how many were accepted, and those were submitted', async () => {
    const { intake, post, metric } = setUp({ maxBodyBytes: 1024 });
    const lines = Array.from({ length: 50 }, (_, i) => JSON.stringify(syslog(i)));
    const withinLimit = lines.filter((_, i) => lines.slice(0, i + 1).join('\n').length + 1 <= 1024).length;
    const response = await post(inPieces(lines.join('\n'), 100));
    expect(response.statusCode).toBe(413);
    const body = response.json();
    expect(body).toMatchObject({ error: 'payload too large', accepted: withinLimit, max_body_bytes: 1024 });
    expect(body.message).toContain(`the first ${withinLimit} elements were accepted and stored`);
    expect(intake.lines).toEqual(Array.from({ length: withinLimit }, (_, i) => syslog(i)));
    expect(metric(METRIC_NAMES.receivedBytes)).toBe(1024);
    expect(response.headers.connection).toBe('close');
  });

  it('429 with Retry-After while the pipeline is full, without reading the body', async () => {
    const { intake, post, metric } = setUp({ retryAfterSeconds: 3 });
    intake.full = true;
    const response = await post(inPieces('"a"\n"b"\n', 2));
    expect(response.statusCode).toBe(429);
    expect(response.headers['retry-after']).toBe('3');
    expect(response.json()).toMatchObject({ error: 'too many requests', accepted: 0 });
    expect(intake.submitted).toEqual([]);
    expect(metric(METRIC_NAMES.receivedBytes)).toBe(0);
    expect(metric(METRIC_NAMES.errors, { stage: 'submit', error_type: 'pipeline_full' })).toBe(1);
    intake.full = false;
    expect((await post('"a"\n')).json()).toEqual({ accepted: 1 });
  });

  it('503 with Retry-After when the pipeline refuses a chunk, counting only what it acknowledged before', async () => {
    const { intake, post, metric } = setUp({ chunkLines: 2 });
    intake.refuse = true;
    const response = await post('"a"\n"b"\n"c"\n');
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.json()).toMatchObject({ error: 'unavailable', accepted: 0 });
    // Nothing entered the pipeline: nothing is received, so the accounting has nothing to explain.
    expect(metric(METRIC_NAMES.receivedEvents)).toBe(0);
  });

  it('counts lines as received when the pipeline takes them, before they are durable', async () => {
    const { intake, post, metric } = setUp({ chunkLines: 2 });
    intake.hold();
    const response = post('"a"\n"b"\n"c"\n');
    await vi.waitFor(() => expect(intake.submitted.length).toBe(2));
    // Received while the pipeline still works on them: the pipeline's own counters already include them, so a source
    // that counted only on acknowledgement made fortiems_unaccounted_events dip below 0.
    expect(metric(METRIC_NAMES.receivedEvents)).toBe(3);
    intake.release();
    expect((await response).json()).toEqual({ accepted: 3 });
    expect(metric(METRIC_NAMES.receivedEvents)).toBe(3);
  });
});

describe('the HTTP source: malformed elements', () => {
  it('NDJSON: 400 naming the line; the lines before it were accepted', async () => {
    const { intake, post, metric } = setUp();
    const response = await post(`"one"\n\n{"message":"two"}\n{"message": broken <script>}\n"never"\n`);
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body).toMatchObject({ error: 'malformed element', accepted: 2, line: 4 });
    expect(body.message).toMatch(/^line 4: not valid JSON; the 2 elements before it were accepted and stored/);
    expect(response.body).not.toContain('script');
    expect(intake.lines).toEqual(['one', 'two']);
    expect(metric(METRIC_NAMES.errors, { stage: 'decode', error_type: 'invalid_json' })).toBe(1);
  });

  it('JSON array: 400 naming the element index and the reason', async () => {
    const cases: [string, number, RegExp][] = [
      ['["a", {"message": "b"}, 42, "d"]', 2, /a raw syslog line \(a JSON string\) or an object/],
      ['["a", {"msg": "b"}]', 1, /no string `message`/],
      ['["a", {"message": "b", "timezone": "Mars/Olympus"}]', 1, /IANA time zone/],
      ['["a", "b" "c"]', 2, /expected ',' or ']' after element 1/],
      ['["a", "b",]', 2, /expected an element/],
      ['["a", "b"', 2, /missing '\]'/],
      ['["a"] ["b"]', 1, /after the array's closing/],
      ['["a", tru]', 1, /not valid JSON/],
    ];
    for (const [payload, element, reason] of cases) {
      const { intake, post } = setUp();
      const response = await post(payload, 'application/json');
      expect(response.statusCode, payload).toBe(400);
      const body = response.json();
      expect(body, payload).toMatchObject({ error: 'malformed element', element, accepted: element });
      expect(body.message, payload).toMatch(new RegExp(`^element ${element} \\(0-based\\): `));
      expect(body.message, payload).toMatch(reason);
      expect(intake.submitted.flat().length, payload).toBe(element);
    }
  });
});

describe('the HTTP source: acknowledgement and streaming', () => {
  it('answers 200 only after every submitted chunk resolved', async () => {
    const { intake, post } = setUp({ chunkLines: 2 });
    intake.hold();
    let answered = false;
    const response = post('"a"\n"b"\n"c"\n').then((reply) => {
      answered = true;
      return reply;
    });
    while (intake.submitted.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answered).toBe(false);
    intake.release();
    expect((await response).json()).toEqual({ accepted: 3 });
    expect(answered).toBe(true);
  });

  it('streams a big body through a real server: submits begin long before the body ends, all 200k lines arrive in order', async () => {
    const { intake, server } = setUp({ maxBodyBytes: 256 * 1024 * 1024 });
    const address = new URL(await server.listen());
    const total = 200_000;
    const chunk = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, k) => `${JSON.stringify({ message: syslog(from + k) })}\n`).join('');
    const result = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(
        {
          host: address.hostname,
          port: address.port,
          path: '/ingest',
          method: 'POST',
          headers: { 'content-type': 'application/x-ndjson' },
        },
        (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (text: string) => {
            body += text;
          });
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        },
      );
      request.on('error', reject);
      void (async () => {
        const write = (text: string) =>
          new Promise<void>((done) => {
            if (request.write(text)) done();
            else request.once('drain', done);
          });
        for (let from = 0; from < total / 2; from += 5000) await write(chunk(from, from + 5000));
        // The second half is sent only once the server has submitted a few chunks: the body cannot have ended yet.
        const deadline = Date.now() + 10_000;
        while (intake.submitted.length < 5) {
          if (Date.now() > deadline) {
            request.destroy();
            reject(new Error('nothing was submitted while the body was still arriving: the source buffers the body'));
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        for (let from = total / 2; from < total; from += 5000) await write(chunk(from, from + 5000));
        request.end();
      })();
    });
    const { status, body } = await result;
    expect(status).toBe(200);
    expect(JSON.parse(body)).toEqual({ accepted: total });
    expect(intake.submitted.length).toBe(total / 1000);
    const lines = intake.lines;
    expect(lines.length).toBe(total);
    for (let i = 0; i < total; i += 1) if (lines[i] !== syslog(i)) throw new Error(`line ${i} is out of order: ${lines[i]}`);
  }, 60_000);
});
