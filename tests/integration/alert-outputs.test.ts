/**
 * The detection scheduler's alert outputs end to end, as the scheduler drives them (createAlertOutput, then
 * `accept([alertEvent(alert)])` per alert): syslog outputs to a REAL rsyslog (CEF and RFC 5424 over TCP), and a webhook
 * output with a disk spool that outlives a stop and restart while its receiver is down.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertEvent } from '../../detections/runtime/outputs/alert-event.js';
import { alertOutputBufferPath, createAlertOutput } from '../../detections/runtime/outputs/create-alert-output.js';
import { createBuffer } from '../../ingest/buffers/create-buffer.js';
import type { AlertOutputConfig } from '../../ingest/config/types.js';
import { formatterFor } from '../../ingest/forward/formats/index.js';
import type { Sink } from '../../ingest/sinks/sink.js';
import { ALERT_LEVELS, ALERT_SEVERITY, type AlertDocument } from '../../mappings/index.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import { type ForwardReceiver, freePort, type ParsedMessage, startForwardRsyslog } from './forward-rsyslog.js';

const FAST_RETRY = { baseDelayMs: 50, maxDelayMs: 500 };
let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'fortiems-alert-outputs-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** `count` distinct alerts over every level; every fifth has hostile group values (CEF and 5424 specials, a newline). */
function alerts(count: number): AlertDocument[] {
  return Array.from({ length: count }, (_, index) => {
    const level = ALERT_LEVELS[index % ALERT_LEVELS.length] as (typeof ALERT_LEVELS)[number];
    const user = index % 5 === 4 ? `mallory|${index}=x\\y]"z\nCEF:0|forged|record` : `user${index}.müller`;
    const ip = `203.0.113.${index % 250}`;
    const at = Date.UTC(2026, 11, 1, 8, 0, index);
    return {
      '@timestamp': new Date(at).toISOString(),
      message: `VPN brute force: ${user} from ${ip}`,
      event: { kind: 'alert', id: `alert-${index}`, severity: ALERT_SEVERITY[level], dataset: 'fortiems.alert' },
      rule: { id: `rule-${index % 7}`, name: `Rule ${index % 7} | brute=force`, category: 'event_count', reference: 'ems_vpn.yml' },
      threat: { tactic: { name: ['credential-access'] }, technique: { id: ['T1110'] } },
      tags: ['attack.credential-access', 'attack.t1110'],
      fortiems: {
        alert: {
          level,
          status: 'open',
          handed_to_outputs: false,
          window: { start: new Date(at - 300_000).toISOString(), end: new Date(at).toISOString() },
          group: { 'user.name': user, 'source.ip': ip },
          group_key: `user.name=${user}, source.ip=${ip}`,
          count: 10 + index,
          first_seen: new Date(at - 200_000).toISOString(),
          last_seen: new Date(at - 1000).toISOString(),
          event_ids: [`e${index}`],
          event_index: 'logs-fortiems.vpn-default',
          query: 'event.dataset:fortiems.vpn',
        },
      },
    };
  });
}

let outputCount = 0;
async function startOutput(config: AlertOutputConfig, id = `out_${++outputCount}`): Promise<{ sink: Sink; registry: MetricsRegistry }> {
  const registry = new MetricsRegistry();
  const buffer = await createBuffer({ type: 'disk', max_bytes: 64 * 1024 * 1024 }, alertOutputBufferPath(scratch, id));
  const sink = createAlertOutput(id, config, { buffer, registry, dataDir: scratch, retry: FAST_RETRY });
  await sink.start();
  return { sink, registry };
}

const metric = (registry: MetricsRegistry, name: string, label = ''): number => {
  // The first series whose labels (written `name="value"`, in order) hold the wanted ones, as in the exposition.
  const line = (registry.get(name)?.series() ?? [])
    .map(
      ({ labels, value }) =>
        `${name}{${Object.entries(labels)
          .map(([k, v]) => `${k}="${v}"`)
          .join(',')}} ${value}`,
    )
    .find((row) => row.startsWith(`${name}{`) && row.includes(label));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
};

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('alert outputs to a real rsyslog', () => {
  let receiver: ForwardReceiver;
  beforeAll(async () => {
    receiver = await startForwardRsyslog({ cef: 'tcp', rfc5424: 'tcp' });
  });
  afterAll(async () => receiver?.stop());

  for (const format of ['cef', 'rfc5424'] as const)
    it(`${format} over TCP: every alert at or above min_level arrives exactly once, byte for byte`, async () => {
      const list = alerts(100);
      const selected = list.filter((alert) => ALERT_LEVELS.indexOf(alert.fortiems.alert.level) >= ALERT_LEVELS.indexOf('medium'));
      const format_ = formatterFor(format);
      const want = selected.map((alert) => format_(alertEvent(alert), { facility: 16 }));
      expect(new Set(want).size).toBe(selected.length);
      const { sink, registry } = await startOutput({
        type: 'syslog',
        address: `127.0.0.1:${receiver.ports[format]}`,
        mode: 'tcp',
        framing: 'octet',
        format,
        min_level: 'medium',
        batch: { max_events: 20, timeout_ms: 50 },
      });
      // As the scheduler hands them over: one accept per alert.
      for (const alert of list) await sink.accept([alertEvent(alert)]);
      const got = await receiver.waitFor(format, want.length, 20_000);
      await sink.stop(5000);
      await new Promise((resolve) => setTimeout(resolve, 300)); // a duplicate or a split record would show by now
      const all = receiver.received(format);
      expect(all).toHaveLength(want.length);
      expect(all.map((message) => message.raw).sort()).toEqual([...want].sort());
      expect(got.every((message) => !/[\r\n]|#012/.test(message.raw))).toBe(true);
      expect(metric(registry, 'fortiems_component_discarded_events_total')).toBe(list.length - selected.length);
      if (format === 'rfc5424') {
        const byRaw = new Map<string, ParsedMessage>(all.map((message) => [message.raw, message]));
        for (const [index, message] of want.entries()) {
          const parsed = byRaw.get(message) as ParsedMessage;
          const alert = selected[index] as AlertDocument;
          expect(parsed.msgid).toBe('alert');
          expect(parsed.app).toBe('fortiems');
          expect(Number(parsed.pri) % 8).toBe(ALERT_SEVERITY[alert.fortiems.alert.level]);
          // rsyslog found the one SD-ELEMENT where we put it, escapes and all.
          expect(message).toContain(` ${parsed.sd} `);
          expect(parsed.sd).toContain(`ruleid="${alert.rule.id}"`);
          expect(parsed.sd).toContain(`count="${alert.fortiems.alert.count}"`);
        }
      }
    });
});

interface WebhookReceiver {
  requests: string[];
  close(): Promise<void>;
}

async function startWebhookReceiver(port: number): Promise<WebhookReceiver> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push(Buffer.concat(chunks).toString('utf8'));
      response.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  expect((server.address() as AddressInfo).port).toBe(port);
  return {
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('webhook output with a disk spool', () => {
  it('alerts taken while the receiver is down survive a stop and restart, then arrive exactly once', async () => {
    const port = await freePort('tcp');
    const config: AlertOutputConfig = {
      type: 'webhook',
      url: `http://127.0.0.1:${port}/alerts`,
      token: 'secret',
      batch: { timeout_ms: 20 },
    };
    const list = alerts(30);

    const first = await startOutput(config, 'hook_restart');
    for (const alert of list) await first.sink.accept([alertEvent(alert)]);
    await until(() => metric(first.registry, 'fortiems_component_errors_total', 'error_type="unavailable"') >= 3 * list.length, 10_000);
    expect(await first.sink.ready()).toBe(false);
    await first.sink.stop(1000);
    expect(metric(first.registry, 'fortiems_component_sent_events_total')).toBe(0);

    const receiver = await startWebhookReceiver(port);
    try {
      const second = await startOutput(config, 'hook_restart');
      expect(metric(second.registry, 'fortiems_component_recovered_events_total')).toBe(list.length);
      await until(() => receiver.requests.length >= list.length, 20_000);
      await until(() => metric(second.registry, 'fortiems_component_sent_events_total') === list.length, 5000);
      await second.sink.stop(5000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(receiver.requests).toHaveLength(list.length);
      const got = receiver.requests.map((body) => JSON.parse(body) as AlertDocument);
      expect(got.sort((a, b) => a.event.id.localeCompare(b.event.id))).toEqual(
        [...list].sort((a, b) => a.event.id.localeCompare(b.event.id)),
      );

      // Everything was acked: a third start finds the spool empty and sends nothing.
      const third = await startOutput(config, 'hook_restart');
      expect(metric(third.registry, 'fortiems_component_recovered_events_total')).toBe(0);
      await third.sink.stop(1000);
      expect(receiver.requests).toHaveLength(list.length);
    } finally {
      await receiver.close();
    }
  });
});
