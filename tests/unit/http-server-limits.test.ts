import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { IngestService } from '../../app/service/ingest-service.js';
import { COMPONENTS } from '../../ingest/components/registry.js';
import { ConfigError, defaultConfig, parseConfig } from '../../ingest/config/load-config.js';
import { configSchema, DEFAULT_CONFIG_YAML } from '../../ingest/config/schema.js';
import { DEFAULT_QUEUE_BYTES } from '../../ingest/pipeline/pipeline.js';
import type { PipelineIntake, RawLine } from '../../ingest/pipeline/raw-line.js';
import { encodeBulkCreate } from '../../ingest/sinks/search/bulk-encoding.js';
import { httpSource } from '../../ingest/sources/http-source.js';
import { syslogSourceFactory } from '../../ingest/sources/syslog-source-component.js';
import { STREAM_SOURCE_DEFAULTS } from '../../ingest/sources/syslog-stream-source.js';
import { ActionableError } from '../../platform/errors.js';
import { createHttpServer, type HttpServer, REQUEST_TIMEOUT_MS } from '../../platform/http/http-server.js';
import { silentLogger } from '../../platform/logging/logger.js';
import { ComponentTelemetry } from '../../platform/telemetry/component-telemetry.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import { type FakeBulkServer, startFakeBulkServer } from '../support/fake-bulk-server.js';

function problemsOf(text: string) {
  try {
    parseConfig(text, 'test.yaml', { PROXY: 'true' });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  return [];
}

const SINK = 'sinks:\n  os: { type: opensearch }\n';

describe('http settings the server can take', () => {
  it('http.trust_proxy: IP addresses, CIDRs, the named ranges or a boolean (also "true" from an env reference); never a name or a port', () => {
    for (const good of ['"10.0.0.5, 10.1.0.0/16, ::1, fd00::/8, loopback"', 'true', `"\${PROXY}"`, 'false'])
      expect(problemsOf(`http: { trust_proxy: ${good} }\n${SINK}`), good).toEqual([]);
    for (const bad of ['proxy.internal', '"10.0.0.5:443"', '"10.0.0.5, 10.0.0.0/33"', 'yes'])
      expect(problemsOf(`http: { trust_proxy: ${bad} }\n${SINK}`), bad).toEqual([
        expect.stringMatching(/^http\.trust_proxy: '.+' is not an IP address, a CIDR or one of loopback/),
      ]);
  });

  it('body_timeout_ms is at most the request timeout; max_message_bytes and http.max_connections have defaults', () => {
    expect(problemsOf(`sources:\n  h: { type: http, body_timeout_ms: ${REQUEST_TIMEOUT_MS + 1} }\n${SINK}`)).toEqual([
      `sources.h.body_timeout_ms: must be ≤ ${REQUEST_TIMEOUT_MS}`,
    ]);
    const config = defaultConfig({});
    expect(config.http?.max_connections).toBe(1000);
    expect(config.sources?.http).toMatchObject({ max_message_bytes: 65_536 });
  });

  it('closes connections past max_connections as they arrive, and counts them', async () => {
    let refused = 0;
    const server = createHttpServer({ address: '127.0.0.1:0', maxConnections: 2, onConnectionRefused: () => refused++ });
    server.app.get('/x', async () => 'ok');
    const url = new URL(await server.listen());
    const sockets: Socket[] = [];
    try {
      const open = () =>
        new Promise<Socket>((resolve) => {
          const socket = new Socket();
          sockets.push(socket);
          socket.connect(Number(url.port), '127.0.0.1', () => resolve(socket));
        });
      await open();
      await open();
      const third = await open();
      await new Promise((resolve) => third.once('close', resolve));
      expect(refused).toBe(1);
    } finally {
      for (const socket of sockets) socket.destroy();
      await server.close();
    }
  });
});

class FakeIntake implements PipelineIntake {
  readonly lines: RawLine[] = [];
  deliver = () => undefined;
  isFull = () => false;
  submit(lines: RawLine[]): Promise<void> {
    this.lines.push(...lines);
    return Promise.resolve();
  }
}

describe('the HTTP source: an element longer than max_message_bytes', () => {
  const servers: HttpServer[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
  });

  function setUp() {
    const intake = new FakeIntake();
    const registry = new MetricsRegistry();
    const telemetry = new ComponentTelemetry(registry, { id: 'h', kind: 'source', type: 'http' });
    const server = createHttpServer({ address: '127.0.0.1:0' });
    servers.push(server);
    server.app.register(httpSource, { id: 'h', zone: 'UTC', intake, telemetry, maxMessageBytes: 2048 });
    const errors = () => registry.get('fortiems_component_errors_total')?.total({ error_type: 'message_too_large' }) ?? 0;
    return { intake, server, errors };
  }

  it('becomes a framing-error event with its first bytes (a gzip line of MiBs is never held whole)', async () => {
    const { intake, server, errors } = setUp();
    const big = 'x'.repeat(5 * 1024 * 1024);
    const body = gzipSync(`<134>first\n${big}\n<134>last\n`);
    expect(body.length).toBeLessThan(20_000);
    const response = await server.app.inject({
      method: 'POST',
      url: '/ingest',
      payload: body,
      headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip' },
    });
    expect(response.json()).toEqual({ accepted: 3 });
    expect(intake.lines.map((line) => [line.line.length, line.framingError])).toEqual([
      [10, undefined],
      [2048, expect.stringContaining(`line 2 is ${big.length} characters, longer than max_message_bytes (2048)`)],
      [9, undefined],
    ]);
    expect(errors()).toBe(1);
  });

  it('the same for a JSON array element, whose neighbours still decode', async () => {
    const { intake, server } = setUp();
    const body = JSON.stringify(['<134>a', { message: 'y'.repeat(100_000) }, '<134>b']);
    const response = await server.app.inject({
      method: 'POST',
      url: '/ingest',
      payload: body,
      headers: { 'content-type': 'application/json' },
    });
    expect(response.json()).toEqual({ accepted: 3 });
    expect(intake.lines.map((line) => [line.line.slice(0, 12), line.line.length, Boolean(line.framingError)])).toEqual([
      ['<134>a', 6, false],
      ['{"message":"', 2048, true],
      ['<134>b', 6, false],
    ]);
  });
});

describe('the service: an http section the server cannot take', () => {
  let fake: FakeBulkServer | undefined;
  let service: IngestService | undefined;
  let blocker: Server | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    await service?.stop();
    service = undefined;
    await fake?.close();
    await new Promise((resolve) => (blocker ? blocker.close(resolve) : resolve(undefined)));
    blocker = undefined;
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  const configOf = (dir: string, url: string) =>
    parseConfig(`data_dir: ${JSON.stringify(dir)}
pipeline: { enrich: { geoip: false } }
sinks:
  search: { type: elasticsearch, url: ${JSON.stringify(url)}, buffer: { type: memory } }
http: { address: "127.0.0.1:0" }
`);

  async function started() {
    fake = await startFakeBulkServer({ flavor: 'elasticsearch' });
    const dir = mkdtempSync(join(tmpdir(), 'fortiems-http-limits-'));
    dirs.push(dir);
    const config = configOf(dir, fake.url);
    return { dir, config, fake };
  }

  it('refuses a bad trust_proxy at the first start with an ActionableError', async () => {
    const { config } = await started();
    service = new IngestService({ dataDir: config.data_dir as string, logger: silentLogger() });
    const bad = { ...config, http: { ...config.http, trust_proxy: 'proxy.internal' } };
    await expect(service.start(bad)).rejects.toBeInstanceOf(ActionableError);
  });

  it('on reload keeps the running HTTP server when the new one cannot be built or cannot listen', async () => {
    const { config } = await started();
    service = new IngestService({ dataDir: config.data_dir as string, logger: silentLogger() });
    await service.start(config);
    const health = async () => (await fetch(`${service?.httpUrl}/health`)).status;
    expect(await health()).toBe(200);

    const badProxy = { ...config, http: { ...config.http, trust_proxy: 'proxy.internal' } };
    expect(await service.reload(badProxy)).toContain('http kept its previous settings (the new ones failed)');
    expect(await health()).toBe(200);

    const occupied = createServer();
    blocker = occupied;
    const taken = await new Promise<number>((resolve) =>
      occupied.listen(0, '127.0.0.1', () => resolve((occupied.address() as { port: number }).port)),
    );
    const busyPort = { ...config, http: { ...config.http, address: `127.0.0.1:${taken}` } };
    expect(await service.reload(busyPort)).toContain('http kept its previous settings (the new ones failed)');
    expect(await health()).toBe(200);
  });
});

describe('defaults and wording from the code', () => {
  it('the schema, its descriptions and the default file take the code constants', () => {
    const syslog = syslogSourceFactory.schema.properties as Record<string, { description?: string }>;
    expect(syslog.max_connections?.description).toContain(`default ${STREAM_SOURCE_DEFAULTS.maxConnections};`);
    expect(syslog.idle_timeout_seconds?.description).toContain(`default ${STREAM_SOURCE_DEFAULTS.idleTimeoutMs / 1000};`);
    expect(configSchema(COMPONENTS).properties.pipeline.properties.queue_bytes.default).toBe(DEFAULT_QUEUE_BYTES);
    expect(DEFAULT_CONFIG_YAML).toContain(`queue_bytes: ${DEFAULT_QUEUE_BYTES}`);
  });

  it('an event without an id is refused naming who sets it (the pipeline, as the line enters)', () => {
    const event = { dataset: 'fortiems.event', document: { event: {} } } as unknown as Parameters<typeof encodeBulkCreate>[0];
    expect(() => encodeBulkCreate(event)).toThrow(/the pipeline sets it/);
  });
});
