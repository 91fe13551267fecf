import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const cli = new URL('../../bin/fortiems.js', import.meta.url).pathname;
const execFileAsync = promisify(execFile);
type Run = { code: number; stdout: string; stderr: string };
async function fortiems(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const base = { ...process.env };
  delete base.KAFKA_BROKERS;
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...base, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

// Nothing here reaches a network or starts Java: the arguments are refused, or the command has nothing to do.
describe('fortiems kafka', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fortiems-kafka-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has fetch, start, stop and status', async () => {
    const help = (await fortiems(['kafka', '--help'])).stdout;
    for (const command of ['fetch', 'start', 'stop', 'status']) expect(help).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    expect(help).toMatch(/KAFKA_BROKERS/);
    expect((await fortiems(['--help'])).stdout).toMatch(/^\s+kafka\b/m);
  });

  it('rejects a bad port, heap or version before doing anything', async () => {
    expect((await fortiems(['kafka', 'start', '--port', '70000', '--dir', dir])).stderr).toMatch(/0 to 65535/);
    expect((await fortiems(['kafka', 'start', '--heap', 'lots', '--dir', dir])).stderr).toMatch(/512m or 2g/);
    expect((await fortiems(['kafka', 'fetch', '--version', 'latest'])).stderr).toMatch(/not an Apache Kafka version/);
    expect((await fortiems(['kafka', 'fetch', '--version', '3.9.1'])).stderr).toMatch(/4\.x line/);
  });

  it('says down, with exit code 3, for a folder where no broker runs', async () => {
    expect(await fortiems(['kafka', 'status', '--dir', dir])).toMatchObject({ code: 3, stdout: 'down\n' });
    const json = await fortiems(['kafka', 'status', '--dir', dir, '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ status: 'down', source: 'managed' });
    expect(await fortiems(['kafka', 'stop', '--dir', dir])).toMatchObject({ code: 0, stdout: 'Kafka was not running\n' });
  });

  it('leaves a KAFKA_BROKERS cluster alone: start and stop do nothing and say why', async () => {
    const env = { KAFKA_BROKERS: 'kafka1:9092,kafka2:9092' };
    const started = await fortiems(['kafka', 'start', '--dir', dir], env);
    expect(started).toMatchObject({
      code: 0,
      stdout: 'KAFKA_BROKERS is set (kafka1:9092,kafka2:9092): that cluster is used, nothing started\n',
    });
    const stopped = await fortiems(['kafka', 'stop', '--dir', dir], env);
    expect(stopped.stdout).toMatch(/nothing stopped/);
  });

  it('names the fix for a malformed KAFKA_BROKERS', async () => {
    const run = await fortiems(['kafka', 'start', '--dir', dir], { KAFKA_BROKERS: 'kafka1' });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/KAFKA_BROKERS is not a broker list/);
    expect(run.stderr).toMatch(/fix: +set it like kafka1:9092/);
  });
});
