import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import { metricSum, parseMetrics, sendLines, waitForCount } from '../support/ingest-harness.js';
import { CLI, type IngestProcess, startIngestProcess, writeIngestConfig } from '../support/ingest-process.js';

const run = promisify(execFile);

const line = (tag: string, i: number) =>
  `<134>Dec  1 09:00:00 ems01 ems-event: dtime="2026-12-01 09:00:00" type=event subtype=system level=notice emsserial=FCTEMS8822000123 msg="${tag}-${i}" emshostname="ems01" vd="default"`;

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.each([0, 1])('fortiems tap against a running fortiems ingest (pipeline.workers: %i)', (workers) => {
  const url = inject('opensearchUrl');
  const client = createOpenSearchClient({ url });
  const namespace = `tap${workers}${randomUUID().slice(0, 8)}`;
  const dir = mkdtempSync(join(tmpdir(), 'fortiems-it-tap-'));
  const index = `logs-fortiems.event-${namespace}`;
  let ingest: IngestProcess;
  let token: string;
  let tcp: string;
  /** Lines the live test sent: the slow-reader test waits for them to be stored before it counts its own. */
  let sentLive = 0;

  const metrics = async () => parseMetrics(await (await fetch(`${ingest.httpUrl}/metrics`)).text());

  beforeAll(async () => {
    const configFile = writeIngestConfig(dir, { syslog: ['tcp'], opensearchUrl: url, namespace, geoip: false, workers });
    ingest = await startIngestProcess(configFile, { listens: ['tcp'] });
    token = readFileSync(join(dir, 'data', 'tap-token'), 'utf8').trim();
    tcp = `tcp://127.0.0.1:${ingest.ports.tcp}`;
  }, 90_000);

  afterAll(async () => {
    if (ingest?.child.exitCode === null) {
      ingest.child.kill('SIGTERM');
      await ingest.exited;
    }
    await client.indices.deleteDataStream({ name: `logs-fortiems.*-${namespace}` }, { ignore: [404] });
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 401 without the token, and names the components for an unknown one', async () => {
    expect((await fetch(`${ingest.httpUrl}/tap`)).status).toBe(401);
    expect((await fetch(`${ingest.httpUrl}/tap`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(401);
    const unknown = await fetch(`${ingest.httpUrl}/tap?component=nope`, { headers: { authorization: `Bearer ${token}` } });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).components).toEqual(['syslog_tcp', 'parse', 'opensearch']);
  });

  it('shows live events leaving the parse stage, a source and the sink, with --limit and --filter', async () => {
    const tokenFile = join(dir, 'data', 'tap-token');
    const tap = (...args: string[]) =>
      run(process.execPath, [CLI, 'tap', '--url', ingest.httpUrl, '--token-file', tokenFile, ...args], { timeout: 60_000 });
    // The taps run while lines keep arriving; each ends on its own after --limit.
    let sending = true;
    const sender = (async () => {
      for (let round = 0; sending; round++) {
        await sendLines(
          tcp,
          Array.from({ length: 20 }, (_, i) => line('live', round * 20 + i)),
        );
        sentLive += 20;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    try {
      const [parse, source, sink, filtered] = await Promise.all([
        tap('--limit', '5'),
        tap('--component', 'syslog_tcp', '--limit', '3'),
        tap('--component', 'opensearch', '--limit', '2'),
        tap('--filter', 'message:live-7* AND data_stream.dataset:fortiems.event', '--limit', '2'),
      ]);
      const records = (out: string) =>
        out
          .trimEnd()
          .split('\n')
          .map((record) => JSON.parse(record));
      const parsed = records(parse.stdout);
      expect(parsed).toHaveLength(5);
      for (const record of parsed) {
        expect(record).toMatchObject({ component_id: 'parse', component_kind: 'transform' });
        expect(record.event.message).toMatch(/^live-\d+$/);
        expect(record.event.data_stream.namespace).toBe(namespace);
      }
      const raw = records(source.stdout);
      expect(raw).toHaveLength(3);
      for (const record of raw) {
        expect(record).toMatchObject({ component_id: 'syslog_tcp', component_kind: 'source' });
        expect(record.event.message).toMatch(/^<134>.*msg="live-\d+"/);
      }
      expect(records(sink.stdout).map((record) => record.component_id)).toEqual(['opensearch', 'opensearch']);
      const matching = records(filtered.stdout);
      expect(matching).toHaveLength(2);
      for (const record of matching) expect(record.event.message).toMatch(/^live-7/);
    } finally {
      sending = false;
      await sender;
    }
  }, 120_000);

  it('a tap reader that stops reading changes nothing for the pipeline: every event indexed, the tap drops and counts', async () => {
    const stored = sentLive;
    expect(await waitForCount(client, index, stored, 120_000)).toBe(stored);
    // A tap whose reader never reads: its socket's buffers fill, then the tap's queue, then it drops.
    let tapRequest: ClientRequest | undefined;
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      tapRequest = httpRequest(`${ingest.httpUrl}/tap?component=parse`, { headers: { authorization: `Bearer ${token}` } }, resolve);
      tapRequest.once('error', reject);
      tapRequest.end();
    });
    response.pause();
    expect(response.statusCode).toBe(200);

    const total = 20_000;
    await sendLines(
      tcp,
      Array.from({ length: total }, (_, i) => line('slow-reader', i)),
    );
    expect(await waitForCount(client, index, stored + total, 120_000)).toBe(stored + total);
    await until('the accounting to settle', async () => metricSum(await metrics(), 'fortiems_unaccounted_events') === 0, 60_000);
    const values = await metrics();
    expect(metricSum(values, 'fortiems_unaccounted_events')).toBe(0);
    expect(metricSum(values, 'fortiems_component_discarded_events_total', { component_id: 'opensearch' })).toBe(0);
    const dropped = metricSum(values, 'fortiems_tap_dropped_events_total', { component_id: 'parse' });
    console.log(`paused tap reader: ${total} events indexed, ${dropped} dropped by the tap (workers: ${workers})`);
    expect(dropped).toBeGreaterThan(0);
    expect(dropped).toBeLessThanOrEqual(total);
    response.destroy();
    tapRequest?.destroy();

    ingest.child.kill('SIGTERM');
    expect(await ingest.exited).toBe(0);
  }, 240_000);
});
