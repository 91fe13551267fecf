import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FieldValue } from '@opensearch-project/opensearch/api/_types/_common.js';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import { countDocuments, waitForCount } from '../support/ingest-harness.js';
import { CLI, type IngestProcess, startIngestProcess } from '../support/ingest-process.js';

/** `fortiems ingest` as a real process writing to `sinkUrl` (the configurations name `${SINK_URL}`). */
function startIngest(configFile: string, sinkUrl: string): Promise<IngestProcess> {
  return startIngestProcess(configFile, { env: { SINK_URL: sinkUrl } });
}

describe.each([1, 2])('a crash right after the HTTP source answered 200 (pipeline.workers: %i)', (workers) => {
  const url = inject('opensearchUrl');
  const client = createOpenSearchClient({ url });
  const namespace = `crash${randomUUID().slice(0, 8)}`;
  const dir = mkdtempSync(join(tmpdir(), 'fortiems-it-crash-'));
  const configFile = join(dir, 'fortiems.yaml');
  writeFileSync(
    configFile,
    `data_dir: ${JSON.stringify(join(dir, 'data'))}
sources:
  http: { type: http }
pipeline:
  enrich: { geoip: false }
  workers: ${workers}
sinks:
  opensearch: { type: opensearch, url: "\${SINK_URL}", namespace: ${namespace} }
http:
  address: "127.0.0.1:0"
`,
  );
  const children: ChildProcess[] = [];

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await client.indices.deleteDataStream({ name: `logs-fortiems.*-${namespace}` }, { ignore: [404] });
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers the acknowledged events after a restart (the spool was durable before the 200)', async () => {
    // First run: the sink's target refuses connections, so nothing can leave the spool before the crash.
    const first = await startIngest(configFile, 'http://127.0.0.1:1');
    children.push(first.child);
    const lines = Array.from(
      { length: 500 },
      (_, i) =>
        `<134>Dec  1 09:00:00 ems01 ems-event: dtime="2026-12-01 09:00:00" type=event subtype=system level=notice emsserial=FCTEMS8822000123 msg="crash test ${i}" emshostname="ems01" vd="default"`,
    );
    const response = await fetch(`${first.httpUrl}/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: lines.map((line) => JSON.stringify(line)).join('\n'),
    });
    const answer = await response.json();
    first.child.kill('SIGKILL');
    expect(response.status).toBe(200);
    expect(answer).toEqual({ accepted: 500 });
    await first.exited;

    const second = await startIngest(configFile, url);
    children.push(second.child);
    expect(await waitForCount(client, `logs-fortiems.event-${namespace}`, 500, 90_000)).toBe(500);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});

describe.each([1, 2])('a SIGKILL and restart in the middle of a replay into the HTTP source (pipeline.workers: %i)', (workers) => {
  const url = inject('opensearchUrl');
  const client = createOpenSearchClient({ url });
  const namespace = `crashreplay${randomUUID().slice(0, 8)}`;
  const dir = mkdtempSync(join(tmpdir(), 'fortiems-it-crash-replay-'));
  const children: ChildProcess[] = [];

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await client.indices.deleteDataStream({ name: `logs-fortiems.*-${namespace}` }, { ignore: [404] });
    rmSync(dir, { recursive: true, force: true });
  });

  it('still stores every line exactly once, including a request killed after its events were spooled', async () => {
    // The restarted pipeline must answer where replay keeps retrying: one fixed port for both runs.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    // The first run also has a sink that takes 1 MiB and then blocks (its target is down): the HTTP source answers only
    // once every sink holds a request's events, so a request stalls with its events already fsynced in the OpenSearch
    // sink's spool. That is the window a crash can hit in production (between the fsync and the 200), held open.
    const config = (stall: boolean) => `data_dir: ${JSON.stringify(join(dir, 'data'))}
sources:
  http: { type: http }
pipeline:
  enrich: { geoip: false }
  workers: ${workers}
sinks:
  opensearch: { type: opensearch, url: "\${SINK_URL}", namespace: ${namespace} }
${stall ? `  stall: { type: opensearch, url: "http://127.0.0.1:1", namespace: ${namespace}, buffer: { type: memory, max_bytes: 1048576 } }\n` : ''}http:
  address: "127.0.0.1:${port}"
`;
    writeFileSync(join(dir, 'first.yaml'), config(true));
    writeFileSync(join(dir, 'restart.yaml'), config(false));
    // A quarter of the lines repeat earlier ones byte for byte (thousands of lines apart): still distinct events.
    const total = 20_000;
    const distinct = 15_000;
    const file = join(dir, 'replay.log');
    writeFileSync(
      file,
      `${Array.from(
        { length: total },
        (_, i) =>
          `<134>Dec  1 09:00:00 ems01 ems-event: dtime="2026-12-01 09:00:00" type=event subtype=system level=notice emsserial=FCTEMS8822000123 msg="replay crash ${i % distinct}" emshostname="ems01" vd="default"`,
      ).join('\n')}\n`,
    );

    const first = await startIngest(join(dir, 'first.yaml'), url);
    children.push(first.child);
    const replay = spawn(process.execPath, [CLI, 'replay', file, '--to', first.httpUrl, '--timeout', '120s'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(replay);
    let replayErrors = '';
    replay.stderr?.on('data', (chunk: Buffer) => {
      replayErrors += chunk.toString();
    });
    const replayed = new Promise<number | null>((resolve) => replay.once('exit', (code) => resolve(code)));

    // Killed once the OpenSearch sink holds durably (in its spool, or delivered) events the source has not acknowledged.
    const metric = (text: string, name: string, component: string) =>
      Number(new RegExp(`${name}\\{[^}]*component_id="${component}"[^}]*\\} (\\d+)`).exec(text)?.[1] ?? 0);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const text = await (await fetch(`${first.httpUrl}/metrics`)).text();
      const durable =
        metric(text, 'fortiems_buffer_events', 'opensearch') + metric(text, 'fortiems_component_sent_events_total', 'opensearch');
      // What the stalled sink has not written cannot have been acknowledged (the source answers once every sink holds
      // a request's events): durable in the OpenSearch sink beyond that is durable and unacknowledged. (The source's
      // received count is no measure: it counts lines when the pipeline takes them, before they are durable.)
      if (durable > metric(text, 'fortiems_buffer_events', 'stall')) break;
      if (Date.now() > deadline) throw new Error(`the first run never held unacknowledged events:\n${text}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    first.child.kill('SIGKILL');
    await first.exited;
    expect(replay.exitCode).toBeNull(); // mid-run, its request unanswered

    const second = await startIngest(join(dir, 'restart.yaml'), url);
    children.push(second.child);
    expect(second.httpUrl).toBe(first.httpUrl);
    expect(await replayed, replayErrors).toBe(0);

    const index = `logs-fortiems.event-${namespace}`;
    expect(await waitForCount(client, index, total, 120_000)).toBe(total);
    // Late duplicates would show as a count above the total.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await countDocuments(client, index)).toBe(total);
    const copies = new Map<string, number>();
    let after: FieldValue[] | undefined;
    for (;;) {
      const body: Record<string, unknown> = { size: 5000, _source: ['message'], sort: [{ _id: 'asc' }] };
      if (after) body.search_after = after;
      const page = await client.search({ index, body });
      const hits = page.body.hits.hits as { _source?: { message?: string }; sort?: FieldValue[] }[];
      if (hits.length === 0) break;
      for (const hit of hits) copies.set(hit._source?.message ?? '', (copies.get(hit._source?.message ?? '') ?? 0) + 1);
      after = hits.at(-1)?.sort;
    }
    expect(copies.size).toBe(distinct);
    const expected = (i: number) => (i < total - distinct ? 2 : 1);
    const wrong = [...copies].filter(([message, count]) => count !== expected(Number(/replay crash (\d+)/.exec(message)?.[1])));
    expect(wrong).toEqual([]);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 300_000);
});
