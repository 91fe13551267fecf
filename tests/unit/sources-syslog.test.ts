import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { BoundedQueue } from '../../ingest/pipeline/bounded-queue.js';
import type { RawLine } from '../../ingest/pipeline/raw-line.js';
import { SyslogStreamSource } from '../../ingest/sources/syslog-stream-source.js';
import { SyslogUdpSource } from '../../ingest/sources/syslog-udp-source.js';
import { ComponentTelemetry, METRIC_NAMES } from '../../platform/telemetry/component-telemetry.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import { createSelfSignedCertificate } from '../support/tls.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

function telemetryFor(id: string) {
  const registry = new MetricsRegistry();
  return { registry, telemetry: new ComponentTelemetry(registry, { id, kind: 'source', type: 'syslog' }) };
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function tcpSource(collected: RawLine[], extra: Partial<ConstructorParameters<typeof SyslogStreamSource>[0]> = {}) {
  const { registry, telemetry } = telemetryFor('syslog_tcp');
  const source = new SyslogStreamSource({
    id: 'syslog_tcp',
    host: '127.0.0.1',
    port: 0,
    zone: 'UTC',
    maxMessageBytes: 65_536,
    telemetry,
    sink: (lines) => {
      collected.push(...lines);
      return undefined;
    },
    ...extra,
  });
  await source.start();
  stops.push(() => source.stop());
  return { source, registry };
}

describe('syslog over TCP', () => {
  it('receives what the real `logger` sends with octet counting, each message whole', async () => {
    const collected: RawLine[] = [];
    const { source, registry } = await tcpSource(collected);
    const messages = ['dtime="2026-11-23 10:00:00" msg="with spaces and = signs"', 'hostname="pc \\"quoted\\"" user="ünïcødé"', 'third'];
    for (const message of messages) {
      execFileSync('logger', ['--tcp', '--octet-count', '-n', '127.0.0.1', '-P', String(source.port), '-t', 'ems-client', '--', message]);
    }
    await until(() => collected.length === 3);
    collected.forEach((raw, i) => {
      expect(raw.line).toMatch(/^<\d+>/);
      expect(raw.line.endsWith(messages[i] as string)).toBe(true);
      expect(raw.framingError).toBeUndefined();
    });
    expect(registry.get(METRIC_NAMES.receivedEvents)?.total()).toBe(3);
  });

  it('stops reading while the pipeline is full and loses nothing', async () => {
    const queue = new BoundedQueue<RawLine>(100);
    const { source } = await tcpSource([], { sink: (lines) => queue.push(lines) });
    const client = connect(source.port, '127.0.0.1');
    const total = 20_000;
    const payload = Array.from(
      { length: total },
      (_, i) => `<134>Nov 23 10:00:00 ems01 ems-event: seq=${i} msg="${'x'.repeat(200)}"\n`,
    ).join('');
    client.end(payload);
    const received: RawLine[] = [];
    // A slow consumer: the queue fills, the source pauses the socket, then resumes as we drain.
    while (received.length < total) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      received.push(...(await queue.take(500)));
      expect(queue.size).toBeLessThanOrEqual(100 + 2000);
    }
    expect(received.map((raw) => Number(/seq=(\d+)/.exec(raw.line)?.[1]))).toEqual(Array.from({ length: total }, (_, i) => i));
  });

  it('reports a partial frame at connection close, with its bytes', async () => {
    const collected: RawLine[] = [];
    const { source } = await tcpSource(collected);
    const client = connect(source.port, '127.0.0.1');
    client.end('7 <13>one50 <13>cut short');
    await until(() => collected.length === 2);
    expect(collected[0]).toMatchObject({ line: '<13>one' });
    expect(collected[1]?.framingError).toMatch(/connection closed/);
    expect(collected[1]?.line).toBe('50 <13>cut short');
  });

  it('speaks TLS, and refuses clients without a certificate when verification is on', async () => {
    const certificate = createSelfSignedCertificate();
    stops.push(async () => certificate.remove());
    const collected: RawLine[] = [];
    const { source } = await tcpSource(collected, { tls: { cert: certificate.cert, key: certificate.key } });
    const client = tlsConnect({ port: source.port, host: '127.0.0.1', ca: certificate.cert, servername: 'localhost' });
    await new Promise((resolve) => client.once('secureConnect', resolve));
    client.end('<134>Nov 23 10:00:00 ems01 ems-vpn: msg="over tls"\n');
    await until(() => collected.length === 1);
    expect(collected[0]?.line).toContain('over tls');

    const strict = await tcpSource([], { tls: { cert: certificate.cert, key: certificate.key, ca: certificate.cert, verifyClient: true } });
    const anonymous = tlsConnect({ port: strict.source.port, host: '127.0.0.1', ca: certificate.cert, servername: 'localhost' });
    const outcome = await new Promise<string>((resolve) => {
      anonymous.once('error', (error) => resolve(error.message));
      anonymous.once('data', () => resolve('data'));
      anonymous.write('<134>x\n');
      setTimeout(() => resolve('no error'), 3000);
    });
    expect(outcome).toMatch(/certificate|alert|handshake|socket hang up|ECONNRESET/i);
  });
});

describe('syslog over UDP', () => {
  it('receives datagrams from the real `logger`, and counts what it must drop when the pipeline is full', async () => {
    const collected: RawLine[] = [];
    let full = false;
    const { registry, telemetry } = telemetryFor('syslog_udp');
    const source = new SyslogUdpSource({
      id: 'syslog_udp',
      host: '127.0.0.1',
      port: 0,
      zone: 'UTC',
      receiveBufferBytes: 8 * 1024 * 1024,
      telemetry,
      isFull: () => full,
      sink: (lines) => {
        collected.push(...lines);
        return undefined;
      },
    });
    await source.start();
    stops.push(() => source.stop());
    expect(source.receiveBufferBytes).toBeGreaterThan(0);
    execFileSync('logger', ['--udp', '-n', '127.0.0.1', '-P', String(source.port), '-t', 'ems-vpn', '--', 'msg="first"']);
    await until(() => collected.length === 1);
    expect(collected[0]?.line).toMatch(/ems-vpn.*msg="first"$/);
    full = true;
    execFileSync('logger', ['--udp', '-n', '127.0.0.1', '-P', String(source.port), '-t', 'ems-vpn', '--', 'msg="dropped"']);
    await until(() => (registry.get(METRIC_NAMES.discarded)?.total({ reason: 'queue_full' }) ?? 0) === 1);
    expect(collected).toHaveLength(1);
    expect(registry.get(METRIC_NAMES.receivedEvents)?.total()).toBe(2);
  });
});
