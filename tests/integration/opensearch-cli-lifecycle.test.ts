import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDistribution } from '../../app/opensearch/distribution.js';
import { startManagedNode } from '../../app/opensearch/managed-node.js';
import { describeManagedServerErrors } from '../support/managed-server-errors.js';
import { openSearchProcessesUsing } from '../support/opensearch-global-setup.js';

const cli = new URL('../../bin/fortiems.js', import.meta.url).pathname;
const execFileAsync = promisify(execFile);
const fortiems = (...args: string[]) => execFileAsync(process.execPath, [cli, ...args], { encoding: 'utf8' });

describe('fortiems opensearch start | status | stop, as a new user runs them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fortiems-it-cli-'));
  afterAll(async () => {
    await fortiems('opensearch', 'stop', '--dir', dir).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts a real node whose printed URL answers with its version JSON, and stops it leaving no java behind', async () => {
    const started = await fortiems('opensearch', 'start', '--port', '0', '--heap', '512m', '--dir', dir);
    const url = started.stdout.match(/is up: (http:\/\/127\.0\.0\.1:\d+)/)?.[1];
    expect(url, started.stdout).toBeDefined();

    const info = (await (await fetch(`${url}/`)).json()) as { version: { number: string; distribution: string } };
    expect(info.version.distribution).toBe('opensearch');
    expect(info.version.number).toMatch(/^2\.19\.\d+$/);

    const status = await fortiems('opensearch', 'status', '--dir', dir, '--json');
    expect(JSON.parse(status.stdout)).toMatchObject({ status: 'up', url, version: info.version.number });

    const again = await fortiems('opensearch', 'start', '--port', '0', '--dir', dir);
    expect(again.stdout).toContain(`already running: ${url}`);

    expect(openSearchProcessesUsing(dir)).toHaveLength(1);
    const stopped = await fortiems('opensearch', 'stop', '--dir', dir);
    expect(stopped.stdout).toContain('OpenSearch stopped');
    expect(openSearchProcessesUsing(dir)).toEqual([]);

    const down = await fortiems('opensearch', 'status', '--dir', dir).catch((error: { code: number; stdout: string }) => error);
    expect(down).toMatchObject({ code: 3, stdout: 'down\n' });
  });
});

describeManagedServerErrors({
  name: 'node',
  start: (options) => startManagedNode(options),
  failingHeap: { heap: '4000g', why: 'a heap larger than the machine' },
  processesUsing: openSearchProcessesUsing,
  fetchUnknownVersion: (cacheDir) => ensureDistribution({ request: { kind: 'exact', version: '0.0.1' }, cacheDir }),
  unfetchable: { message: /Maven could not fetch .*opensearch:0\.0\.1:zip/, fix: /Maven Central is reachable/ },
});
