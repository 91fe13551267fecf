/**
 * The detection scheduler's alert outputs: every forward format on an alert (with attacker-controlled values in the
 * group, host, user and message), the min_level filter, and the webhook output against a REAL local HTTP server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { alertEvent } from '../../detections/runtime/outputs/alert-event.js';
import { alertLevelFilter, alertLevelQuery } from '../../detections/runtime/outputs/alert-level-filter.js';
import { createAlertOutput } from '../../detections/runtime/outputs/create-alert-output.js';
import { classifyAnswer, createWebhookDriver } from '../../detections/runtime/outputs/webhook-driver.js';
import { webhookOutputSettings } from '../../detections/runtime/outputs/webhook-settings.js';
import type { BufferRecord } from '../../ingest/buffers/event-buffer.js';
import { MemoryBuffer } from '../../ingest/buffers/memory-buffer.js';
import type { WebhookAlertOutputConfig } from '../../ingest/config/types.js';
import { formatterFor } from '../../ingest/forward/formats/index.js';
import { FORWARD_FORMATS, type FormatOptions } from '../../ingest/forward/forward-format.js';
import type { Sink } from '../../ingest/sinks/sink.js';
import { ALERT_LEVELS, type AlertDocument, type AlertLevel } from '../../mappings/index.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import { readJsonLines } from '../support/receiver-output.js';
import { parseCef, parseLeef } from '../support/siem-parsers.js';
import { createSelfSignedCertificate } from '../support/tls.js';

const OPTIONS: FormatOptions = { facility: 16, hostname: 'fortiems01' };
const FAST_RETRY = { baseDelayMs: 20, maxDelayMs: 100 };

/** A correlation alert (grouped by user and source address); `values` overrides what an attacker could write. */
function correlationAlert(
  overrides: { user?: string; ip?: string; message?: string; level?: AlertLevel; id?: string } = {},
): AlertDocument {
  const user = overrides.user ?? 'jamal.muller';
  const ip = overrides.ip ?? '203.0.113.7';
  const level = overrides.level ?? 'high';
  return {
    '@timestamp': '2026-12-01T08:00:00.000Z',
    message: overrides.message ?? `VPN brute force: ${user} from ${ip}`,
    event: {
      kind: 'alert',
      id: overrides.id ?? 'a1b2c3',
      severity: { critical: 2, high: 3, medium: 4, low: 5, informational: 6 }[level],
      dataset: 'fortiems.alert',
    },
    rule: { id: '7c1d3f2e-vpn-brute', name: 'VPN brute force', category: 'event_count', reference: 'ems_vpn_brute_force.yml' },
    threat: { tactic: { name: ['credential-access'] }, technique: { id: ['T1110', 'T1110.001'] } },
    tags: ['attack.credential-access', 'attack.t1110'],
    fortiems: {
      alert: {
        level,
        status: 'open',
        handed_to_outputs: false,
        window: { start: '2026-12-01T07:55:00.000Z', end: '2026-12-01T08:00:00.000Z' },
        group: { 'user.name': user, 'source.ip': ip },
        group_key: `user.name=${user}, source.ip=${ip}`,
        count: 12,
        first_seen: '2026-12-01T07:56:00.000Z',
        last_seen: '2026-12-01T07:59:30.000Z',
        event_ids: ['e1', 'e2'],
        event_index: 'logs-fortiems.vpn-default',
        query: 'event.dataset:fortiems.vpn AND event.outcome:failure',
      },
    },
  };
}

/** A plain rule's alert: host, user and address come from the one matching event. */
function plainAlert(host: string): AlertDocument {
  const alert = correlationAlert({ level: 'medium', id: 'p1' });
  alert.rule = {
    id: 'invalid-cert-allowed',
    name: 'Invalid certificate allowed',
    category: 'query',
    reference: 'ems_invalid_certificate_allowed.yml',
  };
  alert.message = `Invalid certificate allowed: ${host}`;
  const { group: _group, ...rest } = alert.fortiems.alert;
  alert.fortiems.alert = {
    ...rest,
    group_key: '',
    count: 1,
    source_event: {
      dataset: 'fortiems.network',
      host,
      user: 'yasmin.martin',
      source_ip: '10.10.33.67',
      timestamp: '2026-12-01T07:59:00.000Z',
    },
  };
  return alert;
}

// Every character an escaping bug would let through: CEF `|` `=` `\`, RFC 5424 `]` `"` `\`, line breaks, a tab.
const NASTY_USER = 'eve|x=1\\y]"z\nCEF:0|forged|record\r\tend';
const NASTY_HOST = 'evil]host"\\ \n<13>1 - forged';
const hostile = () => alertEvent(correlationAlert({ user: NASTY_USER, message: `VPN brute force: ${NASTY_USER}` }));

// --- Minimal readers, written from the specs (as in forward-formats.test.ts), to prove the escaped values round-trip. ---

/** The one SD-ELEMENT of an RFC 5424 message and the MSG after it (§6.3.3 escapes undone). */
function parse5424(line: string): { head: string[]; id: string; params: Record<string, string>; msg: string } {
  const start = line.indexOf('[');
  const element = /^\[([^ \]]+)((?: [^=]+="(?:[^"\\]|\\.)*")*)\]/.exec(line.slice(start));
  if (!element) throw new Error('no SD-ELEMENT');
  const params: Record<string, string> = {};
  for (const match of (element[2] ?? '').matchAll(/ ([^=]+)="((?:[^"\\]|\\.)*)"/g))
    params[match[1] as string] = (match[2] as string).replace(/\\(["\\\]])/g, '$1');
  return { head: line.slice(0, start).trim().split(' '), id: element[1] as string, params, msg: line.slice(start + element[0].length + 1) };
}

describe('alert formats', () => {
  it('every format gives exactly one line for an alert, also with line breaks in its values', () => {
    for (const format of FORWARD_FORMATS)
      for (const event of [alertEvent(correlationAlert()), alertEvent(plainAlert(NASTY_HOST)), hostile()]) {
        const output = formatterFor(format)(event, OPTIONS);
        expect(output.length, format).toBeGreaterThan(0);
        expect(output, format).not.toMatch(/[\r\n\u2028\u2029]/);
      }
  });

  it('CEF: signature id = rule id, name = rule name, severity from the level, subject, count, group and window', () => {
    const { header, extension } = parseCef(formatterFor('cef')(alertEvent(correlationAlert()), OPTIONS));
    expect(header).toEqual(['CEF:0', 'Fortinet', 'FortiClient EMS', '7.x', '7c1d3f2e-vpn-brute', 'VPN brute force', '8']);
    expect(extension).toEqual({
      rt: String(Date.UTC(2026, 11, 1, 8, 0, 0)),
      externalId: 'a1b2c3',
      cnt: '12',
      src: '203.0.113.7',
      suser: 'jamal.muller',
      start: String(Date.UTC(2026, 11, 1, 7, 56, 0)),
      end: String(Date.UTC(2026, 11, 1, 7, 59, 30)),
      cat: 'credential-access',
      msg: 'VPN brute force: jamal.muller from 203.0.113.7',
      cs1: 'user.name=jamal.muller, source.ip=203.0.113.7',
      cs1Label: 'group',
      cs2: 'fortiems.alert',
      cs2Label: 'dataset',
      cs3: 'high',
      cs3Label: 'ruleLevel',
      cs4: 'T1110,T1110.001',
      cs4Label: 'techniques',
      cs5: 'ems_vpn_brute_force.yml',
      cs5Label: 'ruleFile',
      cs6: 'event_count',
      cs6Label: 'ruleType',
      deviceCustomDate1: String(Date.UTC(2026, 11, 1, 7, 55, 0)),
      deviceCustomDate1Label: 'windowStart',
      deviceCustomDate2: String(Date.UTC(2026, 11, 1, 8, 0, 0)),
      deviceCustomDate2Label: 'windowEnd',
    });
    const plain = parseCef(formatterFor('cef')(alertEvent(plainAlert('LAPTOP-55PXHFZ')), OPTIONS));
    expect(plain.header.slice(4)).toEqual(['invalid-cert-allowed', 'Invalid certificate allowed', '5']);
    expect(plain.extension).toMatchObject({ shost: 'LAPTOP-55PXHFZ', suser: 'yasmin.martin', src: '10.10.33.67', cnt: '1' });
    expect(plain.extension.cs1).toBeUndefined(); // no group-by: no empty group field
  });

  it('CEF: attacker-controlled |, =, \\ and newlines are escaped and parse back to the original values', () => {
    const event = hostile();
    const alert = event.document as unknown as AlertDocument;
    alert.rule.name = 'name|with=\\pipes\nand a line';
    const output = formatterFor('cef')(event, OPTIONS);
    const { header, extension } = parseCef(output);
    expect(header).toHaveLength(7);
    expect(header[5]).toBe('name|with=\\pipes and a line'); // header: | and \ escaped, the line break a space
    expect(header[6]).toBe('8');
    expect(extension.suser).toBe(NASTY_USER.replace('\t', ' ')); // a tab has no CEF escape: a space
    expect(extension.cs1).toBe(`user.name=${NASTY_USER.replace('\t', ' ')}, source.ip=203.0.113.7`);
    expect(Object.keys(extension)).not.toContain('forged');
    // The forged record stays inside the value: right after the escaped newline, never at the start of a line.
    const forged = [...output.matchAll(/CEF:0\|/g)].slice(1);
    expect(forged.length).toBeGreaterThan(0);
    for (const match of forged) expect(output.slice((match.index ?? 0) - 2, match.index)).toBe('\\n');
  });

  it('RFC 5424: MSGID alert, PRI from the level, structured data with rule id, level, count and group', () => {
    const output = formatterFor('rfc5424')(alertEvent(correlationAlert()), OPTIONS);
    const { head, id, params, msg } = parse5424(output);
    // high → syslog severity 3 (error): local0 × 8 + 3.
    expect(head).toEqual(['<131>1', '2026-12-01T08:00:00.000Z', 'fortiems01', 'fortiems', '-', 'alert']);
    expect(id).toBe('fortiems@32473');
    expect(params).toEqual({
      dataset: 'fortiems.alert',
      kind: 'alert',
      id: 'a1b2c3',
      ruleid: '7c1d3f2e-vpn-brute',
      ruletype: 'event_count',
      level: 'high',
      count: '12',
      group: 'user.name=jamal.muller, source.ip=203.0.113.7',
      srcip: '203.0.113.7',
      user: 'jamal.muller',
      start: '2026-12-01T07:55:00.000Z',
      end: '2026-12-01T08:00:00.000Z',
      technique: 'T1110,T1110.001',
    });
    expect(
      msg.startsWith('msg="VPN brute force: jamal.muller from 203.0.113.7" rule_id=7c1d3f2e-vpn-brute rule_name="VPN brute force"'),
    ).toBe(true);
    expect(msg).toContain(' level=high count=12 group="user.name=jamal.muller, source.ip=203.0.113.7" ');
  });

  it('RFC 5424: ], " and \\ in group values and hosts are escaped in SD-PARAMs and read back; line breaks as text', () => {
    const output = formatterFor('rfc5424')(alertEvent(plainAlert(NASTY_HOST)), OPTIONS);
    const { params, head } = parse5424(output);
    expect(head[5]).toBe('alert');
    expect(params.endpoint).toBe('evil]host"\\ \\n<13>1 - forged');
    const grouped = parse5424(formatterFor('rfc5424')(hostile(), OPTIONS));
    expect(grouped.params.user).toBe('eve|x=1\\y]"z\\nCEF:0|forged|record\\r\\tend');
    expect(grouped.params.group).toBe(`user.name=${grouped.params.user}, source.ip=203.0.113.7`);
    expect(grouped.params.ruleid).toBe('7c1d3f2e-vpn-brute'); // the params after the hostile ones still parse
  });

  it('RFC 3164: the alert fields as key=value MSG under the fortiems tag', () => {
    const output = formatterFor('rfc3164')(alertEvent(correlationAlert({ level: 'critical' })), OPTIONS);
    expect(output.startsWith('<130>Dec  1 08:00:00 fortiems01 fortiems: msg="VPN brute force: jamal.muller from 203.0.113.7" ')).toBe(true);
    expect(output).toContain(' rule_id=7c1d3f2e-vpn-brute ');
    expect(output).toContain(' level=critical count=12 ');
    expect(output).toContain(' window_start=2026-12-01T07:55:00.000Z window_end=2026-12-01T08:00:00.000Z ');
    expect(output.endsWith(' alert_id=a1b2c3')).toBe(true);
  });

  it('LEEF: event id = rule id, sev from the level, custom keys for rule, group and window; values round-trip', () => {
    const { header, attributes } = parseLeef(formatterFor('leef')(hostile(), OPTIONS));
    expect(header).toEqual(['LEEF:2.0', 'Fortinet', 'FortiClient EMS', '7.x', '7c1d3f2e-vpn-brute', 'x09']);
    expect(attributes).toMatchObject({
      sev: '8',
      cat: 'fortiems.alert',
      usrName: NASTY_USER,
      src: '203.0.113.7',
      ruleId: '7c1d3f2e-vpn-brute',
      ruleName: 'VPN brute force',
      ruleLevel: 'high',
      count: '12',
      group: `user.name=${NASTY_USER}, source.ip=203.0.113.7`,
      windowStart: '2026-12-01T07:55:00.000Z',
      windowEnd: '2026-12-01T08:00:00.000Z',
      alertId: 'a1b2c3',
    });
  });

  it('raw is the message (made one line), json the alert document', () => {
    expect(formatterFor('raw')(alertEvent(correlationAlert()), OPTIONS)).toBe('VPN brute force: jamal.muller from 203.0.113.7');
    expect(formatterFor('raw')(hostile(), OPTIONS)).toBe('VPN brute force: eve|x=1\\y]"z\\nCEF:0|forged|record\\r\\tend');
    const alert = correlationAlert({ user: NASTY_USER });
    expect(JSON.parse(formatterFor('json')(alertEvent(alert), OPTIONS))).toEqual(alert);
  });

  it('severity per level: PRI (syslog) and the CEF / LEEF 0-10 scale', () => {
    const expected: Record<AlertLevel, [number, string]> = {
      critical: [2, '10'],
      high: [3, '8'],
      medium: [4, '5'],
      low: [5, '3'],
      informational: [6, '1'],
    };
    for (const level of ALERT_LEVELS) {
      const event = alertEvent(correlationAlert({ level }));
      const [syslog, scale] = expected[level];
      expect(formatterFor('rfc5424')(event, OPTIONS).startsWith(`<${128 + syslog}>1 `), level).toBe(true);
      expect(parseCef(formatterFor('cef')(event, OPTIONS)).header[6], level).toBe(scale);
      expect(parseLeef(formatterFor('leef')(event, OPTIONS)).attributes.sev, level).toBe(scale);
    }
  });
});

describe('min_level', () => {
  it('passes the level and every more severe one, in ALERT_LEVELS order', () => {
    expect(alertLevelQuery('high')).toBe('fortiems.alert.level:high OR fortiems.alert.level:critical');
    expect(alertLevelQuery(undefined)).toBeUndefined();
    expect(alertLevelQuery('informational')).toBeUndefined(); // every level passes: no filter at all
    expect(() => alertLevelQuery('severe' as AlertLevel)).toThrow(/unknown min_level 'severe'/);
    for (const minimum of ALERT_LEVELS.slice(1)) {
      const filter = alertLevelFilter(minimum) as (event: ReturnType<typeof alertEvent>) => boolean;
      const passed = ALERT_LEVELS.filter((level) => filter(alertEvent(correlationAlert({ level }))));
      expect(passed, minimum).toEqual(ALERT_LEVELS.slice(ALERT_LEVELS.indexOf(minimum)));
    }
  });
});

// --- The webhook against a real HTTP server ---

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

interface WebhookServer {
  port: number;
  url: string;
  requests: Received[];
  /** What the n-th request (0-based) gets; 200 by default. */
  answer: (index: number, request: Received) => { status: number; body?: string; delayMs?: number };
  inFlight: number;
  maxInFlight: number;
  close(): Promise<void>;
}

async function startWebhookServer(port = 0): Promise<WebhookServer> {
  const fake: WebhookServer = {
    port: 0,
    url: '',
    requests: [],
    answer: () => ({ status: 200 }),
    inFlight: 0,
    maxInFlight: 0,
    close: async () => undefined,
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const received = { headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
      const { status, body, delayMs } = fake.answer(fake.requests.length, received);
      fake.requests.push(received);
      fake.maxInFlight = Math.max(fake.maxInFlight, ++fake.inFlight);
      setTimeout(() => {
        fake.inFlight--;
        response.writeHead(status, { 'content-type': 'text/plain' });
        response.end(body ?? '');
      }, delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  fake.port = (server.address() as AddressInfo).port;
  fake.url = `http://127.0.0.1:${fake.port}/hooks/alerts?secret=s3cr3t`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}

let scratch: string;
const servers: WebhookServer[] = [];
const sinks: Sink[] = [];
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'fortiems-alert-outputs-'));
});
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((sink) => sink.stop(2000)));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function server(port?: number): Promise<WebhookServer> {
  const started = await startWebhookServer(port);
  servers.push(started);
  return started;
}

let outputCount = 0;
async function webhookOutput(
  config: Omit<WebhookAlertOutputConfig, 'type'>,
): Promise<{ sink: Sink; registry: MetricsRegistry; id: string }> {
  const id = `hook_${++outputCount}`;
  const registry = new MetricsRegistry();
  const sink = createAlertOutput(
    id,
    { type: 'webhook', batch: { timeout_ms: 20 }, ...config },
    { buffer: new MemoryBuffer(16 * 1024 * 1024), registry, dataDir: scratch, retry: FAST_RETRY },
  );
  sinks.push(sink);
  await sink.start();
  return { sink, registry, id };
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const metric = (registry: MetricsRegistry, name: string, labels: string): number => {
  // The first series whose labels (written `name="value"`, in order) hold the wanted ones, as in the exposition.
  const line = (registry.get(name)?.series() ?? [])
    .map(
      ({ labels, value }) =>
        `${name}{${Object.entries(labels)
          .map(([k, v]) => `${k}="${v}"`)
          .join(',')}} ${value}`,
    )
    .find((row) => row.startsWith(`${name}{`) && labels.split(',').every((label) => row.includes(label)));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
};

describe('webhook output', () => {
  it('200: each alert POSTed once as its JSON, with the bearer token and the configured headers', async () => {
    const hook = await server();
    const { sink, registry } = await webhookOutput({ url: hook.url, token: 't0ken', headers: { 'X-Tenant': 'acme', 'x-env': 'prod' } });
    const alerts = [correlationAlert({ id: 'x1' }), correlationAlert({ id: 'x2', user: NASTY_USER })];
    await sink.accept(alerts.map(alertEvent));
    await until(() => hook.requests.length === 2);
    expect(hook.requests.map((request) => JSON.parse(request.body)).sort((a, b) => a.event.id.localeCompare(b.event.id))).toEqual(alerts);
    for (const { headers } of hook.requests) {
      expect(headers['content-type']).toBe('application/json');
      expect(headers.authorization).toBe('Bearer t0ken');
      expect(headers['x-tenant']).toBe('acme');
      expect(headers['x-env']).toBe('prod');
    }
    await until(() => metric(registry, 'fortiems_component_sent_events_total', 'component_type="webhook"') === 2);
    expect(await sink.ready()).toBe(true);
  });

  it('500 then 200: retried and delivered once', async () => {
    const hook = await server();
    hook.answer = (index) => (index === 0 ? { status: 500, body: 'boom' } : { status: 200 });
    const { sink, registry } = await webhookOutput({ url: hook.url });
    await sink.accept([alertEvent(correlationAlert())]);
    await until(() => metric(registry, 'fortiems_component_sent_events_total', 'component_type="webhook"') === 1);
    await new Promise((resolve) => setTimeout(resolve, 200)); // a repeat would show by now
    expect(hook.requests).toHaveLength(2);
    expect(metric(registry, 'fortiems_component_errors_total', 'error_type="server_error"')).toBe(1);
  });

  it('429 (and 408): retried as throttled (server_error) and delivered', async () => {
    const hook = await server();
    hook.answer = (index) => (index === 0 ? { status: 429, body: 'slow down' } : index === 1 ? { status: 408 } : { status: 204 });
    const { sink, registry } = await webhookOutput({ url: hook.url });
    await sink.accept([alertEvent(correlationAlert())]);
    await until(() => metric(registry, 'fortiems_component_sent_events_total', 'component_type="webhook"') === 1);
    expect(hook.requests).toHaveLength(3);
    expect(metric(registry, 'fortiems_component_errors_total', 'error_type="throttled"')).toBe(1);
    expect(metric(registry, 'fortiems_component_errors_total', 'error_type="server_error"')).toBe(1);
  });

  it('400: dead-lettered to <data_dir>/dead-letter/<id>.ndjson with the status and the answer, not retried', async () => {
    const hook = await server();
    hook.answer = () => ({ status: 400, body: '{"error":"unknown field rule"}' });
    const { sink, registry, id } = await webhookOutput({ url: hook.url });
    const alert = correlationAlert();
    await sink.accept([alertEvent(alert)]);
    await until(() => metric(registry, 'fortiems_component_dead_lettered_events_total', `component_id="${id}"`) === 1);
    const letters = readJsonLines<{ error: { type: string; message: string }; payload: string; attempts: number }>(
      join(scratch, 'dead-letter', `${id}.ndjson`),
    );
    expect(letters).toHaveLength(1);
    expect(letters[0]?.error).toEqual({ type: 'http_400', message: 'HTTP 400: {"error":"unknown field rule"}' });
    expect(JSON.parse(letters[0]?.payload as string)).toEqual(alert);
    expect(letters[0]?.attempts).toBe(1);
    expect(hook.requests).toHaveLength(1);
  });

  it('connection refused: retried as unavailable, delivered once the server starts; not ready meanwhile', async () => {
    const probe = await startWebhookServer();
    const port = probe.port;
    await probe.close();
    const { sink, registry } = await webhookOutput({ url: `http://127.0.0.1:${port}/hook` });
    await sink.accept([alertEvent(correlationAlert())]);
    await until(() => metric(registry, 'fortiems_component_errors_total', 'error_type="unavailable"') >= 2);
    expect(await sink.ready()).toBe(false);
    const hook = await server(port);
    await until(() => metric(registry, 'fortiems_component_sent_events_total', 'component_type="webhook"') === 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(hook.requests).toHaveLength(1);
    expect(await sink.ready()).toBe(true);
  });

  it('min_level: only alerts at or above it are sent; the others are counted as filtered', async () => {
    const hook = await server();
    const { sink, registry } = await webhookOutput({ url: hook.url, min_level: 'high' });
    await sink.accept(ALERT_LEVELS.map((level) => alertEvent(correlationAlert({ level, id: level }))));
    await until(() => hook.requests.length === 2);
    expect(hook.requests.map((request) => JSON.parse(request.body).fortiems.alert.level).sort()).toEqual(['critical', 'high']);
    expect(metric(registry, 'fortiems_component_discarded_events_total', 'reason="filtered"')).toBe(3);
  });
});

describe('webhook driver', () => {
  const records = (count: number): BufferRecord[] =>
    Array.from({ length: count }, (_, seq) => {
      const payload = Buffer.from(JSON.stringify(correlationAlert({ id: `r${seq}` })));
      return { seq, payload, bytes: payload.length };
    });

  it('a batch goes with bounded parallelism, one outcome per alert in the batch order', async () => {
    const hook = await server();
    hook.answer = (_, request) => ({ status: JSON.parse(request.body).event.id === 'r3' ? 422 : 200, delayMs: 30 });
    const driver = createWebhookDriver({ url: hook.url, parallelism: 3, deadLetterFile: join(scratch, 'unused.ndjson') });
    const batch = records(10);
    const result = await driver.send(batch, new AbortController().signal);
    await driver.close?.();
    expect(hook.requests).toHaveLength(10);
    expect(hook.maxInFlight).toBe(3);
    expect(result.outcomes.map((outcome) => outcome.status)).toEqual(['ok', 'ok', 'ok', 'reject', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
    expect(result.bytes).toBe(batch.filter((_, index) => index !== 3).reduce((sum, record) => sum + record.bytes, 0));
  });

  it('a receiver that does not answer in time: unavailable (thrown, nothing answered), healthy false', async () => {
    const hook = await server();
    hook.answer = () => ({ status: 200, delayMs: 1000 });
    const driver = createWebhookDriver({ url: hook.url, timeoutMs: 100, deadLetterFile: join(scratch, 'unused.ndjson') });
    await expect(driver.send(records(2), new AbortController().signal)).rejects.toThrow(
      /^webhook http:\/\/127\.0\.0\.1:\d+: no answer within 100 ms$/,
    );
    expect(await driver.healthy?.()).toBe(false);
    await driver.close?.();
  });

  it('https: verified against the configured CA, refused (unavailable) without it, accepted with verify off', async () => {
    const certificate = createSelfSignedCertificate();
    const https = createHttpsServer({ cert: certificate.cert, key: certificate.key }, (request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(200).end());
    });
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    const url = `https://localhost:${(https.address() as AddressInfo).port}/hook`;
    const deadLetterFile = join(scratch, 'unused.ndjson');
    const signal = new AbortController().signal;
    try {
      const verified = createWebhookDriver({ url, tls: { caFile: certificate.certFile }, deadLetterFile });
      expect((await verified.send(records(1), signal)).outcomes).toEqual([{ status: 'ok' }]);
      const unknownCa = createWebhookDriver({ url, deadLetterFile });
      await expect(unknownCa.send(records(1), signal)).rejects.toThrow(/self.signed certificate/);
      const unverified = createWebhookDriver({ url, tls: { verify: false }, deadLetterFile });
      expect((await unverified.send(records(1), signal)).outcomes).toEqual([{ status: 'ok' }]);
      for (const driver of [verified, unknownCa, unverified]) await driver.close?.();
    } finally {
      https.closeAllConnections();
      await new Promise((resolve) => https.close(resolve));
      certificate.remove();
    }
  });

  it('classifies answers: 2xx ok, 429 throttled, 408/5xx server_error, 401/403 unauthorized (retried), other statuses rejected', () => {
    expect(classifyAnswer({ status: 201, body: '' })).toEqual({ status: 'ok' });
    expect(classifyAnswer({ status: 429, body: '' })).toMatchObject({ status: 'retry', errorClass: 'throttled' });
    expect(classifyAnswer({ status: 408, body: '' })).toMatchObject({ status: 'retry', errorClass: 'server_error' });
    expect(classifyAnswer({ status: 503, body: 'x' })).toEqual({ status: 'retry', errorClass: 'server_error', error: 'HTTP 503: x' });
    expect(classifyAnswer({ status: 401, body: '' })).toEqual({ status: 'retry', errorClass: 'unauthorized', error: 'HTTP 401' });
    expect(classifyAnswer({ status: 403, body: '' })).toMatchObject({ status: 'retry', errorClass: 'unauthorized' });
    expect(classifyAnswer({ status: 404, body: '' })).toEqual({ status: 'reject', errorType: 'http_404', error: 'HTTP 404' });
    expect(classifyAnswer({ status: 302, body: '' })).toMatchObject({ status: 'reject', errorType: 'http_302' });
  });

  it('takes the configuration as written: tls.ca_file and verify reach the driver', () => {
    const settings = webhookOutputSettings(
      'hook',
      { type: 'webhook', url: 'https://h/x', tls: { ca_file: '/etc/ca.pem', verify: false } },
      scratch,
    );
    expect(settings.driver.tls).toEqual({ caFile: '/etc/ca.pem', verify: false });
  });

  it('refuses a bad URL or header at creation, and never puts the URL path (a secret) in its description', () => {
    const deadLetterFile = join(scratch, 'unused.ndjson');
    expect(() => createWebhookDriver({ url: 'ftp://x/y', deadLetterFile })).toThrow(/scheme 'ftp:'/);
    expect(() => createWebhookDriver({ url: 'not a url', deadLetterFile })).toThrow(/not a URL/);
    expect(() => createWebhookDriver({ url: 'http://x/', headers: { 'X-A': 'a\r\nInjected: 1' }, deadLetterFile })).toThrow(/header 'X-A'/);
    expect(() => createWebhookDriver({ url: 'http://x/', token: 'a\nb', deadLetterFile })).toThrow(/token/);
    expect(createWebhookDriver({ url: 'https://hooks.example.com/services/T0/B0/s3cr3t', deadLetterFile }).description).toBe(
      'webhook https://hooks.example.com',
    );
  });
});
