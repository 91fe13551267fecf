/**
 * The syslog forwarding sink against REAL receivers: rsyslog (Debian's rsyslog + rsyslog-gnutls) and syslog-ng (Debian's
 * syslog-ng-core, extracted beside rsyslog, see tests/support/syslog-ng.ts). Events are real parsed EMS lines; the sink
 * is the production one (createSyslogSink: filter → format → disk spool → batches → UDP/TCP/TLS).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDiskSpool } from '../../ingest/buffers/disk-spool.js';
import type { SyslogSinkConfig } from '../../ingest/config/types.js';
import { assignEventId } from '../../ingest/enrich/event-id.js';
import { createSyslogSink } from '../../ingest/forward/create-syslog-sink.js';
import { formatterFor } from '../../ingest/forward/formats/index.js';
import { FORWARD_FORMATS, type ForwardFormat } from '../../ingest/forward/forward-format.js';
import type { Sink } from '../../ingest/sinks/sink.js';
import { CATALOGUE, type Level } from '../../mappings/index.js';
import { type ParsedEvent, parseLine } from '../../parsers/parse-line.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import { formatLine } from '../../syslog/index.js';
import { SAMPLE_RECORDS } from '../support/sample-records.js';
import { type SyslogNgReceiver, startSyslogNg } from '../support/syslog-ng.js';
import { type ForwardReceiver, freePort, type ParsedMessage, startForwardRsyslog } from './forward-rsyslog.js';

const N = 200;
const FAST_RETRY = { baseDelayMs: 50, maxDelayMs: 500 };
let scratch: string;

const START = Date.UTC(2026, 10, 23, 8, 0, 0);

/** `count` distinct real events: the sample record of each category in turn, each at its own second (EMS `dtime`). */
function events(count = N): ParsedEvent[] {
  const list: ParsedEvent[] = [];
  for (let index = 0; index < count; index++) {
    const category = CATALOGUE[index % CATALOGUE.length] as (typeof CATALOGUE)[number];
    const time = new Date(START + index * 1000);
    const record = { ...(SAMPLE_RECORDS[category.name] as Record<string, string | number>) };
    record.dtime = time.toISOString().slice(0, 19).replace('T', ' ');
    const line = formatLine({ category: category.name, level: record.level as Level, time, record }, { hostname: 'ems01' });
    const event = parseLine(line, { receivedAt: START, namespace: 'default' });
    assignEventId(event.document, event.dataset);
    list.push(event);
  }
  return list;
}

function expected(list: readonly ParsedEvent[], format: ForwardFormat): string[] {
  const format_ = formatterFor(format);
  return list.map((event) => format_(event, { facility: 16 }));
}

let sinkCount = 0;
async function startSink(
  config: SyslogSinkConfig,
  options: { replayWindowMs?: number } = {},
): Promise<{ sink: Sink; registry: MetricsRegistry }> {
  const id = `fwd_${++sinkCount}`;
  const registry = new MetricsRegistry();
  const buffer = await openDiskSpool({ dir: join(scratch, 'spool', id), maxBytes: 64 * 1024 * 1024, whenFull: 'block' });
  const sink = createSyslogSink(
    id,
    { batch: { max_events: 50, timeout_ms: 50 }, ...config },
    {
      buffer,
      registry,
      dataDir: scratch,
      retry: FAST_RETRY,
      connectTimeoutMs: 2000,
      ...options,
    },
  );
  await sink.start();
  return { sink, registry };
}

/** `<PRI>1 TS HOST APP PROCID MSGID …` / `<PRI>TS(3 tokens) HOST TAG: …` → what rsyslog should have parsed. */
function headerOf(message: string, format: 'rfc5424' | 'rfc3164'): { pri: string; host: string; app: string } {
  const pri = /^<(\d+)>/.exec(message)?.[1] ?? '';
  const tokens = message.replace(/^<\d+>/, '').split(' ');
  return format === 'rfc5424'
    ? { pri, host: tokens[2] ?? '', app: tokens[3] ?? '' }
    : { pri, host: tokens[3] ?? '', app: (tokens[4] ?? '').replace(/(\[\d+\])?:$/, '') };
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'fortiems-forward-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('syslog forwarding to a real rsyslog', () => {
  let receiver: ForwardReceiver;
  beforeAll(async () => {
    receiver = await startForwardRsyslog({ udp: 'udp', tcp: 'tcp', tcpnl: 'tcp', tls: 'tls' });
  });
  afterAll(async () => receiver?.stop());

  const transports = [
    // UDP has no flow control: the destination's rate limit keeps a burst within the receiver's socket buffer.
    { name: 'UDP (rate-limited)', listener: 'udp', config: { mode: 'udp', rate_limit: { events_per_second: 4000, burst: 20 } } },
    { name: 'TCP octet-counted', listener: 'tcp', config: { mode: 'tcp', framing: 'octet' } },
    { name: 'TCP newline', listener: 'tcpnl', config: { mode: 'tcp', framing: 'newline' } },
    { name: 'TLS octet-counted, server verified', listener: 'tls', config: { mode: 'tls', framing: 'octet' } },
  ] as const;

  for (const transport of transports)
    for (const format of FORWARD_FORMATS)
      it(`${N} ${format} events over ${transport.name} arrive whole and parsed`, async () => {
        const list = events();
        const want = expected(list, format);
        expect(new Set(want).size).toBe(N); // every message distinct, so a loss or a duplicate shows
        const before = receiver.received(transport.listener).length;
        const { sink } = await startSink({
          type: 'syslog',
          address: `127.0.0.1:${receiver.ports[transport.listener]}`,
          format,
          ...transport.config,
          ...(transport.config.mode === 'tls' ? { tls: { ca_file: receiver.caFile } } : {}),
        });
        await sink.accept(list);
        const got = (await receiver.waitFor(transport.listener, before + N, 20_000)).slice(before);
        await sink.stop(5000);
        expect(got.map((message) => message.raw).sort()).toEqual([...want].sort());
        if (format === 'rfc5424' || format === 'rfc3164') {
          const byRaw = new Map<string, ParsedMessage>(got.map((message) => [message.raw, message]));
          for (const message of want) {
            const parsed = byRaw.get(message) as ParsedMessage;
            expect({ pri: parsed.pri, host: parsed.host, app: parsed.app }).toEqual(headerOf(message, format));
            expect(message.endsWith(parsed.msg.trimStart())).toBe(true);
            if (format === 'rfc5424') expect(parsed.sd).toMatch(/^(-|\[.+\])$/);
          }
        }
      });
});

describe('forwarding edge cases against rsyslog', () => {
  let receiver: ForwardReceiver;
  beforeAll(async () => {
    receiver = await startForwardRsyslog({ octet: 'tcp', newline: 'tcp', outage: 'tcp', filter: 'tcp' });
  });
  afterAll(async () => receiver?.stop());

  for (const framing of ['octet', 'newline'] as const)
    it(`a CEF record with = | \\ and a newline in its values arrives as ONE escaped record (${framing} framing)`, async () => {
      const [event] = events(3).slice(2); // an ems-vpn event
      const nasty = 'a=b|c\\d\nnext line';
      const document = (event as ParsedEvent).document as Record<string, unknown>;
      document.user = { ...(document.user as object), name: nasty };
      document.message = nasty;
      const { sink } = await startSink({ type: 'syslog', address: `127.0.0.1:${receiver.ports[framing]}`, format: 'cef', framing });
      const before = receiver.received(framing).length;
      await sink.accept([event as ParsedEvent]);
      await receiver.waitFor(framing, before + 1);
      await sink.stop(5000);
      await new Promise((resolve) => setTimeout(resolve, 300)); // a second (split) record would show up by now
      const got = receiver.received(framing).slice(before);
      expect(got).toHaveLength(1);
      const raw = (got[0] as ParsedMessage).raw;
      expect(raw.startsWith('CEF:0|Fortinet|FortiClient EMS|')).toBe(true);
      expect(raw).toContain('|a=b\\|c\\\\d next line|'); // header: | and \ escaped, the newline made a space
      expect(raw).toContain('suser=a\\=b|c\\\\d\\nnext line'); // extension: = and \ escaped, the newline as \n
      expect(raw).not.toMatch(/[\n\r]|#012/);
    });

  it('the receiver stopped for 20 s, then restarted: every event arrives, duplicates within the documented bound', async () => {
    const replayWindowMs = 2000;
    const batchEvents = 20;
    const perTick = 10;
    const tickMs = 100;
    const { sink, registry } = await startSink(
      {
        type: 'syslog',
        address: `127.0.0.1:${receiver.ports.outage}`,
        format: 'rfc5424',
        batch: { max_events: batchEvents, timeout_ms: 50 },
      },
      { replayWindowMs },
    );
    const all = events(2400);
    const want = expected(all, 'rfc5424');
    let fed = 0;
    const feeder = (async () => {
      while (fed < all.length) {
        await sink.accept(all.slice(fed, fed + perTick));
        fed += perTick;
        await new Promise((resolve) => setTimeout(resolve, tickMs));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await receiver.pause();
    const pausedAt = fed;
    await new Promise((resolve) => setTimeout(resolve, 20_000));
    expect(fed).toBeGreaterThan(pausedAt + 100); // the pipeline kept taking events into the spool meanwhile
    await receiver.resume();
    await feeder;
    const got = await receiver.waitFor('outage', all.length, 60_000);
    await sink.stop(5000);
    const counts = new Map<string, number>();
    for (const message of got) counts.set(message.raw, (counts.get(message.raw) ?? 0) + 1);
    const missing = want.filter((message) => !counts.has(message));
    expect(missing).toEqual([]);
    expect([...counts.keys()].filter((message) => !want.includes(message))).toEqual([]);
    const duplicates = got.length - counts.size;
    // syslog-driver.ts: at most the replay window's frames (fed at perTick/tickMs) plus the batch in flight.
    const bound = Math.ceil((replayWindowMs / tickMs) * perTick) + batchEvents;
    expect(duplicates).toBeLessThanOrEqual(bound);
    expect(await registry.render()).toMatch(/fortiems_component_errors_total\{[^}]*error_type="unavailable"[^}]*\} [1-9]/);
    console.log(`outage: ${all.length} events, ${duplicates} duplicates (bound ${bound})`);
  });

  it('a filter forwards exactly the events it selects (categories and min_level, then a query)', async () => {
    const list = events(200);
    const severity = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'information', 'debug'];
    const levelOf = (event: ParsedEvent) =>
      String((SAMPLE_RECORDS[event.category as keyof typeof SAMPLE_RECORDS] as { level: string }).level);
    const selected = list.filter(
      (event) => ['ems-vpn', 'ems-authentication'].includes(String(event.category)) && severity.indexOf(levelOf(event)) <= 4,
    );
    expect(selected.length).toBeGreaterThan(0);
    expect(selected.length).toBeLessThan(list.length);
    const { sink, registry } = await startSink({
      type: 'syslog',
      address: `127.0.0.1:${receiver.ports.filter}`,
      format: 'rfc5424',
      filter: { categories: ['ems-vpn', 'ems-authentication'], min_level: 'warning' },
    });
    const before = receiver.received('filter').length;
    await sink.accept(list);
    await receiver.waitFor('filter', before + selected.length);
    await sink.stop(5000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const got = receiver.received('filter').slice(before);
    const byCategory = (names: readonly string[]) => {
      const counts: Record<string, number> = {};
      for (const name of names) counts[name] = (counts[name] ?? 0) + 1;
      return counts;
    };
    expect(byCategory(got.map((message) => message.app))).toEqual(byCategory(selected.map((event) => String(event.category))));
    expect(got.every((message) => Number(message.pri) % 8 <= 4)).toBe(true); // severity warning (4) or more severe
    expect(await registry.render()).toMatch(
      new RegExp(`discarded_events_total\\{[^}]*reason="filtered"[^}]*\\} ${list.length - selected.length}\\b`),
    );

    const query = await startSink({
      type: 'syslog',
      address: `127.0.0.1:${receiver.ports.filter}`,
      format: 'rfc5424',
      filter: { query: 'event.dataset:fortiems.vpn OR event.dataset:fortiems.client' },
    });
    const datasets = new Set(['fortiems.vpn', 'fortiems.client']);
    const queried = list.filter((event) => datasets.has(event.dataset));
    expect(queried.length).toBeGreaterThan(0);
    const start = receiver.received('filter').length;
    await query.sink.accept(list);
    await receiver.waitFor('filter', start + queried.length);
    await query.sink.stop(5000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received('filter').length - start).toBe(queried.length);
  });
});

describe('syslog forwarding to a real syslog-ng', () => {
  let receiver: SyslogNgReceiver;
  beforeAll(async () => {
    receiver = await startSyslogNg({
      rfc5424: { kind: 'syslog', port: await freePort('tcp') },
      rfc3164: { kind: 'network', port: await freePort('tcp') },
    });
  });
  afterAll(async () => receiver?.stop());

  for (const format of ['rfc5424', 'rfc3164'] as const)
    it(`${N} ${format} events arrive and syslog-ng parses their headers and message`, async () => {
      const list = events();
      const want = expected(list, format);
      const { sink } = await startSink({
        type: 'syslog',
        address: `127.0.0.1:${receiver.ports[format]}`,
        format,
        mode: 'tcp',
        framing: format === 'rfc5424' ? 'octet' : 'newline',
      });
      await sink.accept(list);
      const got = await receiver.waitFor(format, N, 20_000);
      await sink.stop(5000);
      expect(got).toHaveLength(N);
      const sorted = (values: string[]) => [...values].sort();
      expect(sorted(got.map((message) => `${message.pri}|${message.host}|${message.program}`))).toEqual(
        sorted(want.map((message) => Object.values(headerOf(message, format)).join('|'))),
      );
      // The MSG syslog-ng parsed is the tail of exactly one sent message (headers and structured data split off).
      expect(new Set(got.map((message) => message.msg)).size).toBe(N);
      for (const message of got) expect(want.filter((sent) => sent.endsWith(` ${message.msg}`))).toHaveLength(1);
    });
});
