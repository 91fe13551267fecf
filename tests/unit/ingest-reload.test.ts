import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IngestService } from '../../app/service/ingest-service.js';
import { parseConfig } from '../../ingest/config/load-config.js';
import { silentLogger } from '../../platform/logging/logger.js';
import { type FakeBulkServer, startFakeBulkServer } from '../support/fake-bulk-server.js';
import { sendLines } from '../support/ingest-harness.js';

const CLI = join(import.meta.dirname, '..', '..', 'bin', 'fortiems.js');
const line = (i: number) =>
  `<134>Dec  1 09:00:00 ems01 ems-event: dtime="2026-12-01 09:00:00" type=event subtype=system level=notice emsserial=FCTEMS8822000123 msg="reload ${i}" emshostname="ems01" vd="default"`;

const configYaml = (dir: string, sinkUrl: string, extra: { udp?: boolean; maxEvents?: number } = {}) => `data_dir: ${JSON.stringify(dir)}
sources:
  syslog_tcp: { type: syslog, mode: tcp, address: "127.0.0.1:0" }
${extra.udp ? '  syslog_udp: { type: syslog, mode: udp, address: "127.0.0.1:0" }\n' : ''}pipeline:
  enrich: { geoip: false }
sinks:
  search: { type: elasticsearch, url: ${JSON.stringify(sinkUrl)}, batch: { max_events: ${extra.maxEvents ?? 50}, timeout_ms: 20 }, buffer: { type: memory } }
http:
  address: "127.0.0.1:0"
`;

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('configuration reload', () => {
  let fake: FakeBulkServer | undefined;
  let service: IngestService | undefined;
  let child: ChildProcess | undefined;
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'fortiems-reload-'));
    dirs.push(dir);
    return dir;
  };

  afterEach(async () => {
    child?.kill('SIGKILL');
    await service?.stop();
    await fake?.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('replaces what changed, keeps what did not, and loses nothing across a sink swap', async () => {
    fake = await startFakeBulkServer({ flavor: 'elasticsearch' });
    const dir = tempDir();
    service = new IngestService({ dataDir: dir, logger: silentLogger() });
    await service.start(parseConfig(configYaml(dir, fake.url)));
    const tcpPort = service.ports().syslog_tcp as number;
    await sendLines(
      `tcp://127.0.0.1:${tcpPort}?framing=octet`,
      Array.from({ length: 100 }, (_, i) => line(i)),
    );
    await until(() => fake?.documents('logs-fortiems.event-*').length === 100, '100 documents');

    const changes = await service.reload(parseConfig(configYaml(dir, fake.url, { udp: true, maxEvents: 10 })));
    expect(changes).toEqual(['sources.syslog_udp started', 'sinks.search stopped', 'sinks.search started']);
    expect(service.ports().syslog_tcp).toBe(tcpPort);

    await sendLines(
      `tcp://127.0.0.1:${tcpPort}?framing=octet`,
      Array.from({ length: 100 }, (_, i) => line(100 + i)),
    );
    await sendLines(
      `udp://127.0.0.1:${service.ports().syslog_udp}`,
      Array.from({ length: 10 }, (_, i) => line(200 + i)),
    );
    await until(() => fake?.documents('logs-fortiems.event-*').length === 210, '210 documents');
    // After the swap the new batch size is in force.
    const lastBulk = fake.bulkRequests().at(-1);
    expect(lastBulk?.operations.length).toBeLessThanOrEqual(10);

    const removed = await service.reload(parseConfig(configYaml(dir, fake.url, { maxEvents: 10 })));
    expect(removed).toEqual(['sources.syslog_udp stopped']);
    expect(service.ports().syslog_udp).toBeUndefined();
  });

  // A child process that loads the whole service, reloads twice and drains: on a loaded 2-core CI box its start alone
  // can take most of the unit project's 20 s default.
  it('SIGHUP reloads the file; an invalid file is refused and the running configuration kept', async () => {
    fake = await startFakeBulkServer({ flavor: 'elasticsearch' });
    const dir = tempDir();
    const file = join(dir, 'fortiems.yaml');
    writeFileSync(file, configYaml(join(dir, 'data'), fake.url));
    child = spawn(process.execPath, [CLI, 'ingest', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    await until(() => /syslog tcp:\/\/127\.0\.0\.1:\d+/.test(stdout), 'the pipeline to listen');

    writeFileSync(file, `${configYaml(join(dir, 'data'), fake.url)}sourcez: {}\n`);
    child.kill('SIGHUP');
    await until(() => stderr.includes('the new configuration is invalid'), 'the refusal');
    expect(stderr).toContain("unknown setting 'sourcez'");
    expect(child.exitCode).toBeNull();

    writeFileSync(file, configYaml(join(dir, 'data'), fake.url, { udp: true }));
    child.kill('SIGHUP');
    await until(() => stderr.includes('configuration reloaded'), 'the reload');
    expect(stderr).toContain('sources.syslog_udp started');

    const port = Number(/syslog tcp:\/\/127\.0\.0\.1:(\d+)/.exec(stdout)?.[1]);
    await sendLines(`tcp://127.0.0.1:${port}?framing=octet`, [line(1)]);
    await until(() => fake?.documents('logs-fortiems.event-*').length === 1, 'the event after the reload');
    const exited = new Promise<number | null>((resolve) => child?.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);
});
