import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { clientEventId, idempotentEventId, receiveEventId } from '../../ingest/pipeline/event-ids.js';
import { Pipeline } from '../../ingest/pipeline/pipeline.js';
import type { RawLine } from '../../ingest/pipeline/raw-line.js';
import type { Sink } from '../../ingest/sinks/sink.js';
import { SyslogStreamSource } from '../../ingest/sources/syslog-stream-source.js';
import { SyslogUdpSource } from '../../ingest/sources/syslog-udp-source.js';
import type { ParsedEvent } from '../../parsers/parse-line.js';
import { ComponentTelemetry } from '../../platform/telemetry/component-telemetry.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';

const FAILED_LOGIN =
  '<132>Dec  1 09:00:00 ems01 ems-authentication: dtime="2026-12-01 09:00:00" type=event subtype=admin level=warning emsserial=FCTEMS8822000123 msg="Admin login failed" user="admin" srcip=203.0.113.7 emshostname="ems01" vd="default"';

class CaptureSink implements Sink {
  readonly id = 'capture';
  readonly type = 'capture';
  readonly events: ParsedEvent[] = [];
  async accept(events: readonly ParsedEvent[]): Promise<void> {
    this.events.push(...events);
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async ready(): Promise<boolean> {
    return true;
  }
  get ids(): string[] {
    return this.events.map((event) => (event.document.event as { id: string }).id);
  }
}

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

function pipeline() {
  const registry = new MetricsRegistry();
  const sink = new CaptureSink();
  const running = new Pipeline({
    namespace: 'default',
    queueEvents: 10_000,
    enrich: undefined,
    sinks: [sink],
    telemetry: new ComponentTelemetry(registry, { id: 'parse', kind: 'transform', type: 'parse' }),
  });
  running.start();
  stops.push(() => running.stop());
  return { running, sink, registry };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('receive-time event ids', () => {
  it('are unique for every call, compact, and shaped unlike the hashed ids a client can cause', () => {
    const ids = Array.from({ length: 200_000 }, () => receiveEventId());
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => /^[\w-]{17,27}$/.test(id))).toBe(true);
    // Hashed ids are 43 characters: a client-chosen id or an Idempotency-Key can never produce a generated one.
    expect(clientEventId(ids[0] as string)).toMatch(/^[\w-]{43}$/);
    expect(idempotentEventId('http', 'k', 0)).toMatch(/^[\w-]{43}$/);
    expect(clientEventId('k')).not.toBe(idempotentEventId('http', 'k', 0));
  });

  it('give identical lines in one stream distinct ids, and keep an id the source already set', async () => {
    const { running, sink } = pipeline();
    const line = (extra: Partial<RawLine> = {}): RawLine => ({
      line: FAILED_LOGIN,
      receivedAt: Date.now(),
      sourceId: 's',
      zone: 'UTC',
      ...extra,
    });
    running.deliver([line(), line(), line()]);
    await running.submit([line(), line({ id: 'chosen-by-the-source' })]);
    await until(() => sink.events.length === 5, 'five events');
    expect(new Set(sink.ids).size).toBe(5);
    expect(sink.ids[4]).toBe('chosen-by-the-source');
  });

  it('tell apart the same line over TCP (one and several connections, 1,100 lines apart) and UDP (several sockets)', async () => {
    const { running, sink } = pipeline();
    const registry = new MetricsRegistry();
    const tcp = new SyslogStreamSource({
      id: 'tcp',
      host: '127.0.0.1',
      port: 0,
      zone: 'UTC',
      maxMessageBytes: 65_536,
      telemetry: new ComponentTelemetry(registry, { id: 'tcp', kind: 'source', type: 'syslog' }),
      sink: running.deliver,
    });
    await tcp.start();
    stops.push(() => tcp.stop());
    const udp = new SyslogUdpSource({
      id: 'udp',
      host: '127.0.0.1',
      port: 0,
      zone: 'UTC',
      receiveBufferBytes: 1 << 20,
      telemetry: new ComponentTelemetry(registry, { id: 'udp', kind: 'source', type: 'syslog' }),
      sink: running.deliver,
      isFull: () => running.isFull(),
    });
    await udp.start();
    stops.push(() => udp.stop());

    for (let connection = 0; connection < 3; connection++) {
      const client = connect(tcp.port, '127.0.0.1');
      await new Promise<void>((resolve) => client.end(`${FAILED_LOGIN}\n${FAILED_LOGIN}\n`, () => resolve()));
      await new Promise((resolve) => client.once('close', resolve));
    }
    const filler = Array.from({ length: 1100 }, (_, i) => `<134>Dec  1 09:00:00 ems01 ems-event: seq=${i}`);
    const long = connect(tcp.port, '127.0.0.1');
    await new Promise<void>((resolve) => long.end(`${[FAILED_LOGIN, ...filler, FAILED_LOGIN].join('\n')}\n`, () => resolve()));
    await new Promise((resolve) => long.once('close', resolve));
    for (let socket = 0; socket < 3; socket++) {
      const sender = createSocket('udp4');
      await new Promise<void>((resolve) => sender.send(FAILED_LOGIN, udp.port, '127.0.0.1', () => resolve()));
      sender.close();
    }

    const copies = () => sink.events.filter((event) => (event.document.event as { original?: string }).original === FAILED_LOGIN);
    await until(() => copies().length === 6 + 2 + 3, 'eleven copies');
    const ids = copies().map((event) => (event.document.event as { id: string }).id);
    expect(new Set(ids).size).toBe(11);
    expect(new Set(sink.ids).size).toBe(sink.events.length);
  });
});
