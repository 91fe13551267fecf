/**
 * What `npm install --omit=dev` puts in production: the lock file's production tree, installed from the npm cache
 * (offline, about 15 s), holds none of testcontainers' Docker and SSH stack, and the CLI (dist/) runs without it.
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
  it('has no @testcontainers, testcontainers, dockerode, ssh2 or tar-fs, and the CLI runs without them', (context) => {
    for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(root, file), join(dir, file));
    const install = spawnSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--offline'], {
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

    cpSync(join(root, 'bin'), join(dir, 'bin'), { recursive: true });
    cpSync(join(root, 'dist'), join(dir, 'dist'), { recursive: true });
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
