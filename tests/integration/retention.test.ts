import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { installMappings } from '../../ingest/sinks/search/install-mappings.js';
import { type RetentionReport, type RetentionSettings, readStreams, runRetention } from '../../ingest/sinks/search/retention/retention.js';
import { LEASE_INDEX, RetentionLease } from '../../ingest/sinks/search/retention/retention-lease.js';
import { RetentionScheduler } from '../../ingest/sinks/search/retention/retention-scheduler.js';
import { dataStreamName } from '../../mappings/index.js';
import { silentLogger } from '../../platform/logging/logger.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import { startIngestProcess } from '../support/ingest-process.js';

const DAY = 86_400_000;
const cli = new URL('../../bin/fortiems.js', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('fortiems retention on a real OpenSearch (no ISM plugin)', () => {
  const url = inject('opensearchUrl');
  const client = createOpenSearchClient({ url });
  // A namespace of its own: its streams and its lease (`retention-<namespace>`) meet no other test's.
  const namespace = `ret${randomUUID().slice(0, 8)}`;
  const client_ = dataStreamName('ems-client', namespace);
  const settings: RetentionSettings = { namespace, retentionDays: 30, rolloverMaxAge: '1d', rolloverMaxSize: '25gb', leaseSeconds: 300 };

  const backing = async (stream: string) => (await readStreams(client, namespace)).find((s) => s.name === stream)?.indices ?? [];
  const addEvent = async (stream: string) => {
    await client.index({
      index: stream,
      body: { '@timestamp': new Date().toISOString(), message: 'retention test' },
      op_type: 'create',
      refresh: true,
    });
  };
  const rollOver = async (stream: string) => {
    await addEvent(stream);
    await client.indices.rollover({ alias: stream });
    // Distinct rollover times, so a clock can fall between two of them: OpenSearch stamps `rollover_info` from its cached
    // clock (thread_pool.estimated_time_interval, 200 ms), so two rollovers 20 ms apart can carry the same time.
    await sleep(500);
  };

  beforeAll(async () => {
    await installMappings(client, { namespace });
    // ems-client: four backing indices, three rolled over (oldest first), the fourth the write index.
    for (let i = 0; i < 3; i += 1) await rollOver(client_);
  });

  afterAll(async () => {
    await client.indices.deleteDataStream({ name: `logs-fortiems.*-${namespace}` }, { ignore: [404] });
    await client.delete({ index: LEASE_INDEX, id: `retention-${namespace}` }, { ignore: [404] });
    await client.close();
  });

  it('--dry-run (and a pass under another holder lease) deletes nothing', async () => {
    const before = (await backing(client_)).map((index) => index.name);
    const farFuture = () => Date.now() + 1000 * DAY;
    const dry = await runRetention(client, settings, { dryRun: true, now: farFuture });
    expect(dry.outcome).toBe('dry-run');
    expect(dry.expired.map((index) => index.index)).toEqual(before.slice(0, -1));
    expect(dry.deleted).toEqual([]);
    // A dry run takes no lease.
    expect((await client.get({ index: LEASE_INDEX, id: `retention-${namespace}` }, { ignore: [404] })).body.found).toBeFalsy();

    const other = new RetentionLease(client, `retention-${namespace}`, 'other-host:1', 300_000);
    expect(await other.acquire(Date.now())).toEqual({ acquired: true });
    const blocked = await runRetention(client, settings, { now: farFuture, holder: 'this-host:2' });
    expect(blocked).toMatchObject({ outcome: 'lease-held', holder: 'other-host:1', deleted: [] });
    await other.release();

    expect((await backing(client_)).map((index) => index.name)).toEqual(before);
  });

  it('deletes exactly the backing indices rolled over at least the retention ago, then nothing more; never the write index', async () => {
    const indices = await backing(client_);
    expect(indices).toHaveLength(4);
    const [first, second] = indices as [(typeof indices)[0], (typeof indices)[0]];
    expect(first.rolledOverAt).toBeDefined();
    expect(second.rolledOverAt).toBeGreaterThan(first.rolledOverAt as number);
    // A clock 30 days after a moment between the first and the second rollover: only the first has expired.
    const between = ((first.rolledOverAt as number) + (second.rolledOverAt as number)) / 2;
    const now = () => between + 30 * DAY;

    const pass = await runRetention(client, settings, { now, holder: 'this-host:2' });
    expect(pass.outcome).toBe('done');
    expect(pass.deleted.map((index) => [index.index, index.basis])).toEqual([[first.name, 'rollover']]);
    expect((await backing(client_)).map((index) => index.name)).toEqual(indices.slice(1).map((index) => index.name));

    const again = await runRetention(client, settings, { now, holder: 'this-host:2' });
    expect(again.deleted).toEqual([]);
    expect(again.errors).toEqual([]);

    // Years later every read-only index goes; the write index, as old as it is, stays.
    const years = await runRetention(client, settings, { now: () => Date.now() + 3000 * DAY, holder: 'this-host:2' });
    expect(years.deleted.map((index) => index.index)).toEqual(indices.slice(1, 3).map((index) => index.name));
    const left = await backing(client_);
    expect(left.map((index) => index.name)).toEqual([indices[3]?.name]);
    // The lease is given back at the end of a pass.
    expect((await client.get({ index: LEASE_INDEX, id: `retention-${namespace}` }, { ignore: [404] })).body.found).toBeFalsy();
  });

  it('rolls a stream over when its write index meets max_age, and leaves empty write indices alone', async () => {
    const stream = dataStreamName('ems-network', namespace);
    await addEvent(stream);
    await sleep(1100);
    const before = await readStreams(client, namespace);
    const pass = await runRetention(client, { ...settings, rolloverMaxAge: '1s' }, { holder: 'this-host:2' });
    expect(pass.rolledOver).toEqual([stream]);
    const after = await readStreams(client, namespace);
    for (const s of after) {
      const count = before.find((b) => b.name === s.name)?.indices.length ?? 0;
      expect(s.indices.length, s.name).toBe(s.name === stream ? count + 1 : count);
    }
  });

  it('of several runners only one takes the lease; a lapsed lease is taken over, and its old holder learns it lost it', async () => {
    const id = `retention-${namespace}-race`;
    const now = Date.now();
    const runners = Array.from({ length: 6 }, (_, i) => new RetentionLease(createOpenSearchClient({ url }), id, `host:${i}`, 60_000));
    const outcomes = await Promise.all(runners.map((lease) => lease.acquire(now)));
    expect(outcomes.filter((outcome) => outcome.acquired)).toHaveLength(1);
    const winner = runners[outcomes.findIndex((outcome) => outcome.acquired)] as RetentionLease;
    for (const outcome of outcomes) if (!outcome.acquired) expect(outcome.holder).toBe(winner.holder);

    // Before expiry nobody else gets it; after (the holder crashed: it never renewed) the next one does.
    const late = new RetentionLease(client, id, 'host:late', 60_000);
    expect(await late.acquire(now + 59_000)).toMatchObject({ acquired: false, holder: winner.holder });
    expect(await late.acquire(now + 61_000)).toEqual({ acquired: true });
    expect(await winner.renew(now + 62_000)).toBe(false);
    expect(await late.renew(now + 62_000)).toBe(true);
    await late.release();
    await client.delete({ index: LEASE_INDEX, id }, { ignore: [404] });
  });

  it('two fortiems processes started together: one acts, the other finds the lease held or nothing left; no index is deleted twice', async () => {
    const stream = dataStreamName('ems-update', namespace);
    for (let i = 0; i < 3; i += 1) await rollOver(stream);
    const due = (await runRetention(client, settings, { dryRun: true, now: () => Date.now() + 3000 * DAY })).expired.map(
      (index) => index.index,
    );
    expect(due).toEqual(expect.arrayContaining((await backing(stream)).slice(0, 3).map((index) => index.name)));
    const script = new URL('../support/retention-pass.mjs', import.meta.url).pathname;
    const startAt = String(Date.now() + 1500); // both processes loaded and waiting before either begins
    const pass = (holder: string) =>
      promisify(execFile)(process.execPath, [script, url, namespace, holder, '3000', startAt], { encoding: 'utf8' }).then(
        ({ stdout }) => JSON.parse(stdout) as RetentionReport,
      );
    const reports = await Promise.all([pass('process-a'), pass('process-b')]);
    const deleted = reports.map((report) => report.deleted.map((index) => index.index));
    // Never both: either one was refused the lease, or the later one found what the first did and had nothing left.
    expect(reports.filter((report) => report.outcome === 'done' && report.deleted.length > 0)).toHaveLength(1);
    for (const report of reports) expect(['done', 'lease-held']).toContain(report.outcome);
    expect(deleted.flat().sort()).toEqual([...due].sort());
    expect((await backing(stream)).map((index) => index.name)).toHaveLength(1);
  });

  it('the scheduler acts where ISM is missing and counts in /metrics', async () => {
    const stream = dataStreamName('ems-policy', namespace);
    await rollOver(stream);
    const later = () => Date.now() + 31 * DAY;
    // What is due (this stream's rolled-over index, and what the tests before left rolled over).
    const due = (await runRetention(client, settings, { dryRun: true, now: later })).expired.map((index) => index.index);
    expect(due).toContain((await backing(stream))[0]?.name);
    const registry = new MetricsRegistry();
    const scheduler = new RetentionScheduler({
      config: { mode: 'auto', days: 30 },
      targets: [{ cluster: { url }, namespace }],
      registry,
      logger: silentLogger(),
      now: later,
      holder: 'scheduler:1',
    });
    await scheduler.runOnce();
    const text = await registry.render();
    expect(text).toContain(`fortiems_retention_deleted_indices_total{namespace="${namespace}"} ${due.length}`);
    expect(text).toContain(`fortiems_retention_lease_acquired_total{namespace="${namespace}"} 1`);
    expect(text).toContain(`fortiems_retention_runs_total{namespace="${namespace}",outcome="done"} 1`);
    expect((await backing(stream)).length).toBe(1);

    const never = new RetentionScheduler({
      config: { mode: 'never' },
      targets: [{ cluster: { url }, namespace }],
      registry,
      logger: silentLogger(),
    });
    never.start();
    await never.stop();
    expect(registry.get('fortiems_retention_runs_total')?.total()).toBe(1);
  });

  it('`fortiems mappings retention`: --dry-run shows and changes nothing; with the lease held elsewhere it does nothing and says so', async () => {
    const run = (...args: string[]) =>
      promisify(execFile)(process.execPath, [cli, 'mappings', 'retention', '--namespace', namespace, ...args], {
        encoding: 'utf8',
        env: { ...process.env, OPENSEARCH_URL: url },
      });
    const stream = dataStreamName('ems-vpn', namespace);
    await addEvent(stream);
    await sleep(1100);
    const before = await readStreams(client, namespace);
    const dry = await run('--dry-run', '--rollover-max-age', '1s');
    expect(dry.stdout).toContain(`would roll over ${stream}`);
    expect(dry.stdout).toContain('nothing to delete');
    expect(await readStreams(client, namespace)).toEqual(before);

    const other = new RetentionLease(client, `retention-${namespace}`, 'other-host:9', 300_000);
    expect(await other.acquire(Date.now())).toEqual({ acquired: true });
    const held = await run('--rollover-max-age', '1s').catch((error: { code: number; stdout: string }) => error);
    expect(held).toMatchObject({ code: 3 });
    expect((held as { stdout: string }).stdout).toMatch(
      /another fortiems \(other-host:9\) holds the retention lease until .*: nothing done/,
    );
    expect(await readStreams(client, namespace)).toEqual(before);
    await other.release();
  });

  it('`fortiems ingest` runs it for its OpenSearch sink where ISM is missing, and /metrics shows it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fortiems-retention-'));
    const other = `${namespace}b`;
    const config = join(dir, 'fortiems.yaml');
    writeFileSync(
      config,
      [
        `data_dir: ${JSON.stringify(join(dir, 'data'))}`,
        'sources: { http: { type: http, path: /ingest } }',
        `sinks: { os: { type: opensearch, url: ${JSON.stringify(url)}, namespace: ${other} } }`,
        'http: { address: "127.0.0.1:0" }',
        'console: { enabled: false }',
        'pipeline: { workers: 0 }',
        'retention: { interval_seconds: 10 }',
      ].join('\n'),
    );
    const ingest = await startIngestProcess(config);
    try {
      let metrics = '';
      for (let attempt = 0; attempt < 60 && !metrics.includes('fortiems_retention_runs_total{'); attempt += 1) {
        await sleep(500);
        metrics = await (await fetch(`${ingest.httpUrl}/metrics`)).text();
      }
      expect(metrics).toContain(`fortiems_retention_runs_total{namespace="${other}",outcome="done"}`);
      expect(metrics).toContain(`fortiems_retention_lease_acquired_total{namespace="${other}"}`);
    } finally {
      ingest.child.kill('SIGTERM');
      await ingest.exited;
      rmSync(dir, { recursive: true, force: true });
      await client.indices.deleteDataStream({ name: `logs-fortiems.*-${other}` }, { ignore: [404] });
      await client.indices.delete({ index: `fortiems-dead-letter-${other}` }, { ignore: [400, 404] });
      await client.delete({ index: LEASE_INDEX, id: `retention-${other}` }, { ignore: [404] });
    }
  });
});
