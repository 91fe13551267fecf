import { connect, type Socket } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { BoundedQueue } from '../../ingest/pipeline/bounded-queue.js';
import type { LineSink, RawLine } from '../../ingest/pipeline/raw-line.js';
import { SyslogStreamSource } from '../../ingest/sources/syslog-stream-source.js';
import { ComponentTelemetry, METRIC_NAMES } from '../../platform/telemetry/component-telemetry.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import { createSelfSignedCertificate } from '../support/tls.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function streamSource(sink: LineSink, extra: Partial<ConstructorParameters<typeof SyslogStreamSource>[0]> = {}) {
  const registry = new MetricsRegistry();
  const telemetry = new ComponentTelemetry(registry, { id: 'syslog_tcp', kind: 'source', type: 'syslog' });
  const source = new SyslogStreamSource({
    id: 'syslog_tcp',
    host: '127.0.0.1',
    port: 0,
    zone: 'UTC',
    maxMessageBytes: 65_536,
    telemetry,
    sink,
    ...extra,
  });
  await source.start();
  cleanups.push(() => source.stop(200));
  const errors = (errorType: string) => registry.get(METRIC_NAMES.errors)?.total({ error_type: errorType }) ?? 0;
  const open = () => registry.get(METRIC_NAMES.openConnections)?.total() ?? 0;
  return { source, errors, open };
}

async function client(port: number): Promise<Socket & { closedAt?: number }> {
  const socket: Socket & { closedAt?: number } = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.once('close', () => {
    socket.closedAt = Date.now();
  });
  cleanups.push(() => void socket.destroy());
  await new Promise((resolve) => socket.once('connect', resolve));
  return socket;
}

const collector = () => {
  const lines: RawLine[] = [];
  const sink: LineSink = (batch) => {
    lines.push(...batch);
    return undefined;
  };
  return { lines, sink };
};

describe('TCP connection limit', () => {
  it('closes connections beyond max_connections at once, counts them, and keeps serving the others', async () => {
    const { lines, sink } = collector();
    const { source, errors, open } = await streamSource(sink, { maxConnections: 2 });
    const first = await client(source.port);
    const second = await client(source.port);
    await until(() => open() === 2);
    const third = await client(source.port);
    third.write('<13>refused\n');
    await until(() => third.closedAt !== undefined);
    expect(errors('connection_limit')).toBe(1);
    expect(first.closedAt).toBeUndefined();
    first.write('<13>one\n');
    second.write('<13>two\n');
    await until(() => lines.length === 2);
    expect(lines.map((raw) => raw.line).sort()).toEqual(['<13>one', '<13>two']);

    // A freed slot is taken again.
    first.destroy();
    await until(() => open() === 1);
    const fourth = await client(source.port);
    fourth.write('<13>four\n');
    await until(() => lines.length === 3);
    expect(fourth.closedAt).toBeUndefined();
    expect(errors('connection_limit')).toBe(1);
  });
});

describe('TCP idle timeout', () => {
  it('closes an idle connection and delivers its partial line as a framing error carrying its bytes', async () => {
    const { lines, sink } = collector();
    const { source, errors, open } = await streamSource(sink, { idleTimeoutMs: 1000 });
    const socket = await client(source.port);
    socket.write('<13>complete\n<13>partial line without its LF');
    await until(() => socket.closedAt !== undefined);
    expect(lines.map((raw) => [raw.line, raw.framingError])).toEqual([
      ['<13>complete', undefined],
      ['<13>partial line without its LF', expect.stringMatching(/^closed after 1 s without data; .*no LF/)],
    ]);
    expect(errors('idle_timeout')).toBe(1);
    expect(open()).toBe(0);
  });

  it('does not count time paused by the pipeline as idle', async () => {
    const lines: RawLine[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const sink: LineSink = (batch) => {
      lines.push(...batch);
      return lines.length === 1 ? held : undefined;
    };
    const { source } = await streamSource(sink, { idleTimeoutMs: 300 });
    const socket = await client(source.port);
    socket.write('<13>first\n');
    await until(() => lines.length === 1);
    socket.write('<13>second\n');
    // Well past the idle timeout, while the source waits for the pipeline: the connection must stay open.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(socket.closedAt).toBeUndefined();
    release();
    await until(() => lines.length === 2);
    expect(lines[1]?.line).toBe('<13>second');
    // Read again, the connection is idle again: now it is closed.
    await until(() => socket.closedAt !== undefined);
  });
});

describe('TLS', () => {
  it('applies the same connection limit and idle timeout', async () => {
    const certificate = createSelfSignedCertificate();
    cleanups.push(() => certificate.remove());
    const { lines, sink } = collector();
    const { source, errors } = await streamSource(sink, {
      tls: { cert: certificate.cert, key: certificate.key },
      maxConnections: 1,
      idleTimeoutMs: 1000,
    });
    const tlsClient = async () => {
      const socket: TLSSocket & { closedAt?: number } = tlsConnect({
        port: source.port,
        host: '127.0.0.1',
        ca: certificate.cert,
        servername: 'localhost',
      });
      socket.on('error', () => undefined);
      socket.once('close', () => {
        socket.closedAt = Date.now();
      });
      cleanups.push(() => void socket.destroy());
      await new Promise((resolve) => {
        socket.once('secureConnect', resolve);
        socket.once('close', resolve);
      });
      return socket;
    };
    const first = await tlsClient();
    const second = await tlsClient();
    await until(() => second.closedAt !== undefined);
    expect(errors('connection_limit')).toBe(1);
    first.write('<13>over tls, never finished');
    await until(() => first.closedAt !== undefined);
    expect(lines).toEqual([
      expect.objectContaining({
        line: '<13>over tls, never finished',
        framingError: expect.stringMatching(/^closed after 1 s without data/),
      }),
    ]);
    expect(errors('idle_timeout')).toBe(1);
  });
});

describe('TLS handshakes that never finish', () => {
  it('are ended by stop after its grace period, and by the handshake timeout (counted)', async () => {
    const certificate = createSelfSignedCertificate();
    cleanups.push(() => certificate.remove());
    const { sink } = collector();
    const { source, errors } = await streamSource(sink, {
      tls: { cert: certificate.cert, key: certificate.key },
      handshakeTimeoutMs: 500,
    });
    // A plain TCP peer that never says hello.
    const silent = await client(source.port);
    await until(() => silent.closedAt !== undefined, 5000);
    await until(() => errors('tls_handshake') === 1, 2000);

    const { source: other } = await streamSource(sink, { tls: { cert: certificate.cert, key: certificate.key } });
    const held = await client(other.port);
    const started = Date.now();
    await other.stop(200);
    expect(Date.now() - started).toBeLessThan(5000);
    await until(() => held.closedAt !== undefined, 2000);
  }, 20_000);
});

describe('partial frames on every close path', () => {
  it('delivers the partial line of a connection reset by its sender (no FIN, no end event)', async () => {
    const { lines, sink } = collector();
    const { source, open } = await streamSource(sink);
    const socket = await client(source.port);
    socket.write('<13>cut by a reset');
    await until(() => open() === 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.resetAndDestroy();
    await until(() => lines.length === 1);
    expect(lines[0]).toMatchObject({ line: '<13>cut by a reset', framingError: expect.stringContaining('no LF') });
  });

  it('delivers the partial line of a connection still open when the source stops', async () => {
    const { lines, sink } = collector();
    const { source } = await streamSource(sink);
    const socket = await client(source.port);
    // The client ignores our FIN (half-open), so only the destroy after the grace period closes it.
    socket.on('end', () => undefined);
    socket.allowHalfOpen = true;
    socket.write('<13>held at stop');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await source.stop(200);
    expect(lines).toEqual([expect.objectContaining({ line: '<13>held at stop', framingError: expect.stringContaining('no LF') })]);
  });
});

describe('a queue bounded in bytes', () => {
  it('pauses the TCP connection while its byte bound is reached, and loses nothing', async () => {
    const queue = new BoundedQueue<RawLine>(1_000_000, () => 1, { capacity: 256 * 1024, weigh: (raw) => raw.line.length });
    const { source } = await streamSource((lines) => queue.push(lines));
    const socket = await client(source.port);
    const total = 400;
    const lineOf = (i: number) => `<13>seq=${i} ${'p'.repeat(16 * 1024)}\n`;
    socket.end(Array.from({ length: total }, (_, i) => lineOf(i)).join(''));
    const received: RawLine[] = [];
    let maxBytes = 0;
    let sawFull = false;
    // A slow consumer: the event bound (a million) is never reached, only the byte bound holds the source.
    while (received.length < total) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      sawFull ||= queue.isFull();
      maxBytes = Math.max(maxBytes, queue.bytes);
      received.push(...(await queue.take(1000, undefined, 64 * 1024)));
    }
    expect(sawFull).toBe(true);
    expect(queue.size).toBe(0);
    // The bound, plus at most one socket read (64 KiB) decoded after it was reached.
    expect(maxBytes).toBeLessThanOrEqual(256 * 1024 + 64 * 1024 + 17 * 1024);
    expect(received.map((raw) => Number(/seq=(\d+)/.exec(raw.line)?.[1]))).toEqual(Array.from({ length: total }, (_, i) => i));
  });
});
