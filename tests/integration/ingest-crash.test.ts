import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createOpenSearchClient } from '../../ingest/opensearch/client.js';
import { waitForCount } from '../support/ingest-harness.js';

const CLI = join(import.meta.dirname, '..', '..', 'bin', 'fortiems.js');

/** `fortiems ingest` as a real process; resolves with it and its HTTP URL once it listens. */
async function startIngest(
  configFile: string,
  sinkUrl: string,
): Promise<{ child: ChildProcess; httpUrl: string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [CLI, 'ingest', '--config', configFile], {
    env: { ...process.env, SINK_URL: sinkUrl, FORTIEMS_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  const httpUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fortiems ingest did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /http (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`fortiems ingest exited (${code}):\n${output}`)));
  });
  return { child, httpUrl, exited };
}

describe('a crash right after the HTTP source answered 200', () => {
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
