/**
 * /metrics keeps every metric name, type, help text and label set it had before prom-client (captured from the
 * hand-written registry into tests/fixtures/metrics/baseline.txt), rendered by a running service.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IngestService } from '../../app/service/ingest-service.js';
import { DetectionMetrics } from '../../detections/runtime/detection-metrics.js';
import { parseConfig } from '../../ingest/config/load-config.js';
import { silentLogger } from '../../platform/logging/logger.js';
import { ComponentTelemetry } from '../../platform/telemetry/component-telemetry.js';
import { type FakeBulkServer, startFakeBulkServer } from '../support/fake-bulk-server.js';

const BASELINE = join(import.meta.dirname, '../fixtures/metrics/baseline.txt');

/** HELP and TYPE lines, and one `name{label names}` line per distinct label set (values left out), sorted. */
function signature(text: string, ignore: (name: string) => boolean = () => false): string[] {
  const lines = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const name = line.startsWith('#') ? (line.split(' ')[2] as string) : (/^[^{ ]+/.exec(line)?.[0] as string);
    if (ignore(name)) continue;
    if (line.startsWith('#')) {
      lines.add(line);
      continue;
    }
    const labels = /\{(.*)\}/.exec(line)?.[1] ?? '';
    const names = [...labels.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="(?:[^"\\]|\\.)*"/g)].map((match) => match[1]).sort();
    lines.add(`${name}{${names.join(',')}}`);
  }
  return [...lines].sort();
}

describe('/metrics from a running service', () => {
  let fake: FakeBulkServer | undefined;
  let service: IngestService | undefined;
  let dir: string | undefined;

  afterEach(async () => {
    await service?.stop();
    await fake?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('carries every metric name, type, help text and label set of the hand-written registry', async () => {
    fake = await startFakeBulkServer({ flavor: 'elasticsearch' });
    dir = mkdtempSync(join(tmpdir(), 'fortiems-metrics-'));
    service = new IngestService({ dataDir: dir, logger: silentLogger(), target: { url: fake.url, source: 'OPENSEARCH_URL' } });
    await service.start(
      parseConfig(`data_dir: ${JSON.stringify(dir)}
sources:
  syslog_tcp: { type: syslog, mode: tcp, address: "127.0.0.1:0" }
  syslog_udp: { type: syslog, mode: udp, address: "127.0.0.1:0" }
  http_in: { type: http, allow_anonymous: true }
pipeline:
  enrich: { geoip: false }
sinks:
  search: { type: elasticsearch, url: ${JSON.stringify(fake.url)}, batch: { max_events: 1, timeout_ms: 10 }, buffer: { type: memory } }
http:
  address: "127.0.0.1:0"
`),
    );
    const posted = await fetch(`${service.httpUrl}/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: JSON.stringify('<134>Nov 23 10:00:00 ems01 ems-event: seq=1 msg="one"'),
    });
    expect(posted.status).toBe(200);
    // Every series shape the components and the detections can report (the service alone reaches only some of them).
    const component = new ComponentTelemetry(service.registry, { id: 'probe', kind: 'sink', type: 'probe' });
    component.error('send', 'http_429');
    component.discarded('queue_full');
    component.recovered(1);
    component.deadLettered(1);
    component.deduplicated(1);
    component.connections(1);
    const detections = new DetectionMetrics(service.registry);
    detections.ruleStates(1, 0, 0);
    detections.run('ok', 0.5, Date.now());
    detections.alert('r-1', 'high');
    detections.duplicate('suppressed', 1);
    detections.rejected(1);
    detections.ruleError('r-1');
    detections.truncatedMatches('r-1', 1);

    const text = await (await fetch(`${service.httpUrl}/metrics`)).text();
    const baseline = readFileSync(BASELINE, 'utf8').trim().split('\n');
    const isStandard = (name: string) => name.startsWith('process_') || name.startsWith('nodejs_');
    expect(signature(text, isStandard)).toEqual(baseline);
    // And the standard process and Node metrics besides.
    for (const name of [
      'process_resident_memory_bytes',
      'process_cpu_seconds_total',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ])
      expect(text).toContain(`# TYPE ${name} `);
  });
});
