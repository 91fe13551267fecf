// The detection scheduler against the real OpenSearch: plain and correlation rules over the recent window, alerts
// deduplicated across runs, handed to a webhook output exactly once, a crash between indexing and hand-off
// repaired at the next start, and the whole loop inside the running pipeline.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { IngestService } from '../../app/service/ingest-service.js';
import { loadDetectionRules } from '../../detections/runtime/detection-rules.js';
import { createAlertOutput } from '../../detections/runtime/outputs/create-alert-output.js';
import { eventsOf, indexEvents } from '../../detections/runtime/rule-samples.js';
import { DetectionScheduler } from '../../detections/runtime/scheduler.js';
import { createBuffer } from '../../ingest/buffers/create-buffer.js';
import { parseConfig } from '../../ingest/config/load-config.js';
import { installMappings } from '../../ingest/sinks/search/install-mappings.js';
import { ALERTS_INDEX_BODY, type AlertDocument, alertsIndex } from '../../mappings/index.js';
import { silentLogger } from '../../platform/logging/logger.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import { type FakeJsonServer, startFakeJsonServer } from '../support/fake-json-server.js';
import { sendLines } from '../support/ingest-harness.js';

const PLAIN_RULE_ID = '4145ea9d-d470-4325-9fd9-2ada5776cb84';
const CORRELATION_ID = '0b7f3c52-6c9e-4f0e-9d2a-1f4c7e5a9b10';
const CORRELATION = `title: 'Test: admin brute force'
id: ${CORRELATION_ID}
level: critical
tags: [attack.credential-access, attack.t1110]
correlation:
  type: event_count
  rules: [${PLAIN_RULE_ID}]
  group-by: [source.ip]
  timespan: 5m
  condition: { gte: 5 }
  generate: true
`;

function two(value: number): string {
  return String(value).padStart(2, '0');
}

/** An EMS admin login failure at `at` (UTC wall clock), as the EMS core writes it. */
function loginFailure(at: number, srcip: string, admin: string): string {
  const time = new Date(at);
  const month = time.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const clock = `${two(time.getUTCHours())}:${two(time.getUTCMinutes())}:${two(time.getUTCSeconds())}`;
  const dtime = `${time.getUTCFullYear()}-${two(time.getUTCMonth() + 1)}-${two(time.getUTCDate())} ${clock}`;
  return `<132>${month} ${String(time.getUTCDate()).padStart(2, ' ')} ${clock} ems01.corp.example.com ems-authentication: dtime="${dtime}" type=event subtype=auth level=warning emsserial=FCTEMS8883780002 msg="Administrator login failed" admin="${admin}" srcip=${srcip} ui="GUI" method="local" failcount=1 reason="invalid password" emshostname="ems01.corp.example.com" vd="default"`;
}

/** 6 failures from one outside address (the burst), 2 from another (below the threshold), 1 from inside (not a match). */
function incident(start: number): string[] {
  return [
    ...['admin', 'root', 'administrator', 'admin', 'backup', 'admin'].map((admin, index) =>
      loginFailure(start + index * 1000, '203.0.113.7', admin),
    ),
    loginFailure(start + 2500, '198.51.100.9', 'admin'),
    loginFailure(start + 3500, '198.51.100.9', 'root'),
    loginFailure(start + 4000, '10.10.1.15', 'admin'),
  ];
}

async function until<T>(what: () => Promise<T> | T, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  let value = await what();
  while (!done(value) && Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    value = await what();
  }
  return value;
}

const webhookAlerts = (server: FakeJsonServer): AlertDocument[] =>
  server.requests.filter((request) => request.method === 'POST').map((request) => request.body as AlertDocument);

describe('detection scheduler on a real OpenSearch', () => {
  const client = createOpenSearchClient({ url: inject('opensearchUrl') });
  const workDir = mkdtempSync(join(tmpdir(), 'fortiems-it-detections-'));
  const rulesDir = join(workDir, 'rules');
  const namespaces: string[] = [];
  let webhook: FakeJsonServer;

  beforeAll(async () => {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(rulesDir);
    copyFileSync('detections/rules/ems_admin_login_failed_external_source.yml', join(rulesDir, 'failed.yml'));
    writeFileSync(join(rulesDir, 'brute.yml'), CORRELATION);
    webhook = await startFakeJsonServer(() => ({ status: 200, body: { ok: true } }));
  });

  afterAll(async () => {
    await webhook.close();
    for (const namespace of namespaces) {
      await client.indices.deleteDataStream({ name: `logs-fortiems.*-${namespace}` }).catch(() => undefined);
      await client.indices.delete({ index: alertsIndex(namespace) }).catch(() => undefined);
    }
    await client.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  async function freshNamespace(): Promise<string> {
    const namespace = `dt${randomUUID().slice(0, 8)}`;
    namespaces.push(namespace);
    await installMappings(client, { namespace, log: () => undefined });
    return namespace;
  }

  async function scheduler(
    namespace: string,
    now: number,
    outputs = true,
    lookbackMs = 60_000,
    extra: { maxAlertsPerRun?: number; rules?: string; statePath?: string; now?: () => number } = {},
  ): Promise<{ scheduler: DetectionScheduler; registry: MetricsRegistry }> {
    const registry = new MetricsRegistry();
    const outputDir = join(workDir, `out-${randomUUID().slice(0, 6)}`);
    const output = createAlertOutput(
      'hook',
      { type: 'webhook', url: `${webhook.url}/alerts`, token: 'sekret-token' },
      {
        buffer: await createBuffer({ type: 'disk' }, join(outputDir, 'spool'), {}),
        registry,
        dataDir: outputDir,
      },
    );
    return {
      registry,
      scheduler: new DetectionScheduler({
        client: createOpenSearchClient({ url: inject('opensearchUrl') }),
        rules: loadDetectionRules(extra.rules ?? rulesDir),
        rulesRoot: extra.rules ?? rulesDir,
        namespace,
        alertsIndex: alertsIndex(namespace),
        intervalMs: 60_000,
        lookbackMs,
        timeField: '@timestamp',
        maxAlertsPerRun: extra.maxAlertsPerRun ?? 100,
        outputs: outputs ? [output] : [],
        registry,
        logger: silentLogger(),
        now: extra.now ?? (() => now),
        ...(extra.statePath ? { statePath: extra.statePath } : {}),
      }),
    };
  }

  it('raises one alert per matching event and one per firing group, never twice, and hands each to the webhook once', async () => {
    const namespace = await freshNamespace();
    const start = Math.floor(Date.now() / 1000) * 1000 - 60_000;
    await indexEvents(client, eventsOf(incident(start), namespace), namespace);
    webhook.requests.length = 0;
    // A lookback longer than the interval: the second run searches the same events again (late-event cover).
    const { scheduler: first, registry } = await scheduler(namespace, start + 90_000, true, 150_000);
    await first.start({ schedule: false });
    const run = await first.runOnce();
    expect(run.failures).toEqual([]);
    const plain = run.created.filter((alert) => alert.rule.id === PLAIN_RULE_ID);
    const grouped = run.created.filter((alert) => alert.rule.id === CORRELATION_ID);
    expect(plain).toHaveLength(8);
    expect(grouped).toHaveLength(1);
    // Raised at the window where the threshold is first reached (the 5th failure); the 6th is the same incident.
    expect(grouped[0]?.fortiems.alert).toMatchObject({ group: { 'source.ip': '203.0.113.7' }, count: 5, level: 'critical' });
    expect(grouped[0]?.fortiems.alert.event_ids).toHaveLength(5);
    expect(grouped[0]?.threat?.technique?.id).toEqual(['T1110']);

    const again = await first.runOnce();
    expect(again.created).toEqual([]);
    expect(again.duplicates).toBe(8);
    expect(again.suppressed).toBe(1);
    await first.stop();

    const posted = await until(
      () => webhookAlerts(webhook),
      (alerts) => alerts.length >= 9,
      10_000,
    );
    expect(posted.map((alert) => alert.event.id).sort()).toEqual(run.created.map((alert) => alert.event.id).sort());
    expect(webhook.requests[0]?.headers.authorization).toBe('Bearer sekret-token');

    await client.indices.refresh({ index: alertsIndex(namespace) });
    const stored = await client.search({ index: alertsIndex(namespace), body: { size: 100 } });
    const documents = stored.body.hits.hits.map((hit) => hit._source as unknown as AlertDocument);
    expect(documents).toHaveLength(9);
    expect(documents.every((alert) => alert.fortiems.alert.handed_to_outputs)).toBe(true);
    expect(registry.get('fortiems_detection_alerts_total')?.total()).toBe(9);
    expect(registry.get('fortiems_detection_duplicate_alerts_total')?.total({ reason: 'already_alerted' })).toBe(8);
  });

  it('takes more matches than one run allows over the next runs, from where it stopped, none twice', async () => {
    const namespace = await freshNamespace();
    const start = Math.floor(Date.now() / 1000) * 1000 - 60_000;
    await indexEvents(client, eventsOf(incident(start), namespace), namespace);
    const { scheduler: limited, registry } = await scheduler(namespace, start + 90_000, false, 60_000, { maxAlertsPerRun: 3 });
    const plainPerRun: number[] = [];
    for (let run = 0; run < 4; run += 1)
      plainPerRun.push((await limited.runOnce()).created.filter((alert) => alert.rule.id === PLAIN_RULE_ID).length);
    await limited.stop();
    expect(plainPerRun).toEqual([3, 3, 2, 0]);
    expect(registry.get('fortiems_detection_truncated_matches_total')?.total()).toBeGreaterThan(0);
  });

  it('after a gap, a correlation finds every incident since its last run; a failing rule keeps its place', async () => {
    const namespace = await freshNamespace();
    const start = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
    // Two bursts from the same address 30 minutes apart: two incidents, not one.
    await indexEvents(client, eventsOf([...incident(start), ...incident(start + 1_800_000)], namespace), namespace);
    const dir = mkdtempSync(join(workDir, 'rules-'));
    copyFileSync(join(rulesDir, 'failed.yml'), join(dir, 'failed.yml'));
    writeFileSync(join(dir, 'brute.yml'), CORRELATION);
    // A rule OpenSearch refuses at search time (a number field compared with a word): its own failure, nobody else's.
    writeFileSync(
      join(dir, 'broken.yml'),
      'title: refused\nid: 3c1f0c55-0000-4000-8000-000000000001\nlevel: high\nlogsource: { product: fortiems, service: authentication }\ndetection: { s: { failcount: many }, condition: s }\n',
    );
    const statePath = join(workDir, `state-${namespace}.json`);
    let now = start - 60_000;
    const { scheduler: late } = await scheduler(namespace, 0, false, 60_000, { rules: dir, statePath, now: () => now });
    await late.runOnce();
    now = start + 2_400_000;
    const run = await late.runOnce();
    await late.stop();
    const incidents = run.created.filter((alert) => alert.rule.id === CORRELATION_ID);
    expect(incidents.map((alert) => alert.fortiems.alert.first_seen)).toEqual([
      new Date(start).toISOString(),
      new Date(start + 1_800_000).toISOString(),
    ]);
    expect(run.failures.map((failure) => failure.ruleId)).toEqual(['3c1f0c55-0000-4000-8000-000000000001']);
    const state = JSON.parse(readFileSync(statePath, 'utf8')) as { rules: Record<string, { end: number }> };
    expect(state.rules[PLAIN_RULE_ID]?.end).toBe(now);
    expect(state.rules[CORRELATION_ID]?.end).toBe(now);
    // Its cursor stays where its last complete run left it (the first run: the cluster skipped its shards then).
    expect(state.rules['3c1f0c55-0000-4000-8000-000000000001']?.end ?? start - 60_000).toBe(start - 60_000);
  });

  it('fortiems rules run backtests the rules on indexed events and writes nothing', async () => {
    const namespace = await freshNamespace();
    await indexEvents(client, eventsOf(incident(Math.floor(Date.now() / 1000) * 1000 - 600_000), namespace), namespace);
    const run = spawnSync(process.execPath, ['bin/fortiems.js', 'rules', 'run', rulesDir, '--since', '1h', '--namespace', namespace], {
      encoding: 'utf8',
      env: { ...process.env, OPENSEARCH_URL: inject('opensearchUrl') },
    });
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines.filter((line) => line.includes(`\t${PLAIN_RULE_ID}\t`))).toHaveLength(8);
    expect(lines.filter((line) => line.includes(`\t${CORRELATION_ID}\t`))).toEqual([
      expect.stringMatching(/\tcritical\t.*"Test: admin brute force: 5 events for source\.ip=203\.0\.113\.7"$/),
    ]);
    expect(run.stderr).toMatch(/9 alerts from 2 of 2 rules over the last 1h/);
    expect((await client.indices.exists({ index: alertsIndex(namespace) })).body).toBe(false);
  });

  it('hands alerts a crash kept from the outputs at the next start', async () => {
    const namespace = await freshNamespace();
    await client.indices.create({ index: alertsIndex(namespace), body: ALERTS_INDEX_BODY as unknown as Record<string, unknown> });
    const start = Math.floor(Date.now() / 1000) * 1000 - 60_000;
    await indexEvents(client, eventsOf(incident(start), namespace), namespace);
    // The first scheduler indexes its alerts but has no output: as if it crashed before the hand-off.
    const { scheduler: crashed } = await scheduler(namespace, start + 90_000, false);
    const raised = await crashed.runOnce();
    await crashed.stop();
    await client.bulk({
      refresh: true,
      body: raised.created.flatMap((alert) => [
        { update: { _index: alertsIndex(namespace), _id: alert.event.id } },
        { doc: { fortiems: { alert: { handed_to_outputs: false } } } },
      ]),
    });
    webhook.requests.length = 0;
    const { scheduler: restarted } = await scheduler(namespace, start + 95_000);
    await restarted.start({ schedule: false });
    const run = await restarted.runOnce();
    expect(run.created).toEqual([]);
    await restarted.stop();
    const posted = await until(
      () => webhookAlerts(webhook),
      (alerts) => alerts.length >= raised.created.length,
      10_000,
    );
    expect(posted.map((alert) => alert.event.id).sort()).toEqual(raised.created.map((alert) => alert.event.id).sort());
  });

  it('runs inside the pipeline: lines over TCP become alerts in the index, the webhook and /metrics', async () => {
    const namespace = `dt${randomUUID().slice(0, 8)}`;
    namespaces.push(namespace);
    const dataDir = join(workDir, `pipeline-${namespace}`);
    const config = parseConfig(
      `data_dir: ${JSON.stringify(dataDir)}
sources:
  syslog_tcp: { type: syslog, mode: tcp, address: "127.0.0.1:0" }
pipeline:
  enrich: { geoip: false }
sinks:
  opensearch: { type: opensearch, url: ${JSON.stringify(inject('opensearchUrl'))}, namespace: ${namespace}, batch: { timeout_ms: 100 } }
http:
  address: "127.0.0.1:0"
console: { enabled: false }
detections:
  rules: ${JSON.stringify(rulesDir)}
  interval_seconds: 1
  outputs:
    hook: { type: webhook, url: ${JSON.stringify(`${webhook.url}/pipeline`)} }
`,
      '<test>',
    );
    const service = new IngestService({ dataDir, logger: silentLogger(), drainTimeoutMs: 10_000 });
    webhook.requests.length = 0;
    await service.start(config);
    try {
      await sendLines(`tcp://127.0.0.1:${service.ports().syslog_tcp}`, incident(Date.now() - 5_000));
      const posted = await until(
        () => webhookAlerts(webhook),
        (alerts) => alerts.length >= 9,
        60_000,
      );
      expect(posted.filter((alert) => alert.rule.id === CORRELATION_ID)).toHaveLength(1);
      expect(posted.filter((alert) => alert.rule.id === PLAIN_RULE_ID)).toHaveLength(8);
      // More runs happen meanwhile; none raises anything new.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(webhookAlerts(webhook)).toHaveLength(9);
      const metrics = await (await fetch(`${service.httpUrl}/metrics`)).text();
      expect(metrics).toMatch(/fortiems_detection_runs_total\{outcome="ok"\} [1-9]/);
      expect(metrics).toMatch(/fortiems_detection_rules\{state="active"\} 2/);
    } finally {
      await service.stop();
    }
  });
});
