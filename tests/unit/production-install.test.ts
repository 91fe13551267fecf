/**
 * What `npm ci --omit=dev` puts in production: the lock file's production tree, installed from the npm cache (offline,
 * about 15 s) into a built checkout, holds none of testcontainers' Docker and SSH stack, `npm ls --omit=dev` is clean,
 * and the CLI (dist/) runs: --help, parse, validate.
 * Skipped, saying so, when the cache does not hold every package (a machine that never ran `npm install`).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'fortiems-production-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the production install', () => {
  it('has no @testcontainers, testcontainers, dockerode, ssh2 or tar-fs, resolves every runtime import, and the CLI runs (--help, parse, validate)', (context) => {
    for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(root, file), join(dir, file));
    // A built checkout: the install runs the `prepare` script, which must not need the dev dependencies.
    for (const folder of ['bin', 'dist', 'scripts']) cpSync(join(root, folder), join(dir, folder), { recursive: true });
    const install = spawnSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--offline'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 150_000,
    });
    if (install.status !== 0 && /ENOTCACHED/.test(install.stderr)) context.skip('the npm cache lacks some packages (offline install)');
    expect(install.status, install.stderr).toBe(0);
    for (const name of ['@testcontainers', 'testcontainers', 'dockerode', 'ssh2', 'tar-fs'])
      expect(existsSync(join(dir, 'node_modules', name)), name).toBe(false);
    const installed = JSON.parse(readFileSync(join(dir, 'node_modules', '.package-lock.json'), 'utf8')) as { packages: object };
    // 284 while it was an optional dependency; the production tree is well under half of that now.
    expect(Object.keys(installed.packages).length).toBeLessThan(150);

    expect(install.stderr).toContain('TypeScript is not installed (a production install)');
    // Every runtime import resolves from the production tree (ajv was once a dev dependency imported at run time).
    const listed = spawnSync('npm', ['ls', '--omit=dev', '--all'], { cwd: dir, encoding: 'utf8' });
    expect(listed.status, `${listed.stdout}${listed.stderr}`).toBe(0);
    const help = spawnSync(process.execPath, ['bin/fortiems.js', '--help'], { cwd: dir, encoding: 'utf8' });
    expect(help.status, help.stderr).toBe(0);
    for (const command of ['start', 'ingest', 'parse', 'replay', 'rules']) expect(help.stdout).toContain(command);
    const line =
      '<134>Dec  4 13:00:00 ems01 ems-event: dtime="2026-12-04 13:00:00" type=event subtype=system level=notice emsserial=FCTEMS8822000123 msg="production install" emshostname="ems01" vd="default"';
    const parsed = spawnSync(process.execPath, ['bin/fortiems.js', 'parse', '-'], { cwd: dir, encoding: 'utf8', input: `${line}\n` });
    expect(parsed.status, parsed.stderr).toBe(0);
    const event = JSON.parse(parsed.stdout.trim()) as { event: { dataset: string; original: string } };
    expect(event.event.dataset).toBe('fortiems.event');
    expect(event.event.original).toBe(line);
    const validate = spawnSync(process.execPath, ['bin/fortiems.js', 'validate', '--print-defaults'], { cwd: dir, encoding: 'utf8' });
    expect(validate.status, validate.stderr).toBe(0);
    expect(validate.stdout).toContain('sources:');
    // Asking for testcontainers there says what to do.
    const asked = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const { loadTestcontainers } = await import('./dist/app/opensearch/target.js'); await loadTestcontainers().catch((e) => { console.log(e.name, e.message, e.fix); });",
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(asked.stdout).toMatch(/^ActionableError testcontainers was asked for, but @testcontainers\/opensearch is not installed/);
    expect(asked.stdout).toContain('OPENSEARCH_URL');
  }, 180_000);
});
