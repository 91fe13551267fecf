import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const cli = new URL('../../bin/fortiems.js', import.meta.url).pathname;
const run = (...args: string[]) => execFileSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

describe('the fortiems CLI', () => {
  it('lists its commands', () => {
    const help = run('--help');
    expect(help).toMatch(/Usage: fortiems/);
    expect(help).toMatch(/^\s+start\b/m);
    expect(help).toMatch(/^\s+opensearch\b/m);
  });

  it('has fetch, start, stop and status under opensearch', () => {
    const help = run('opensearch', '--help');
    for (const command of ['fetch', 'start', 'stop', 'status']) expect(help).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  });

  it('rejects a bad port before doing anything', () => {
    expect(() => execFileSync(process.execPath, [cli, 'opensearch', 'start', '--port', '70000'], { stdio: 'pipe' })).toThrow(/0 to 65535/);
  });
});
