import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { assignmentsToPatch, registerEmsSettingsCommand } from '../../app/cli/ems-settings-command.js';
import { buildEmsAdminServer } from '../../ems-core/api/admin-api.js';
import { defaultLogSettings } from '../../ems-core/log-settings/settings.js';
import { SettingsFile } from '../../ems-core/log-settings/store.js';
import { Simulation } from '../../ems-core/simulation/simulation.js';
import { ActionableError } from '../../platform/errors.js';
import type { EmsLogLine } from '../../syslog/log-line.js';

const TOKEN = 'cli-test-token-0123456789abcdef';

let sim: Simulation;
let server: FastifyInstance;
let url: string;
const directories: string[] = [];

beforeAll(async () => {
  sim = new Simulation({ seed: 5, start: Date.parse('2026-11-23T00:00:00Z'), endpoints: 20 });
  server = buildEmsAdminServer({ sim, adminToken: TOKEN });
  url = await server.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await server.close();
});

afterEach(() => {
  vi.unstubAllEnvs();
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function temporaryFile(): string {
  const directory = mkdtempSync(join(tmpdir(), 'fortiems-settings-cli-'));
  directories.push(directory);
  return join(directory, 'log-settings.json');
}

/** Runs `fortiems ems settings …` as the lead's CLI will, and returns what it printed on stdout. */
async function run(...args: string[]): Promise<string> {
  const program = new Command('fortiems').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerEmsSettingsCommand(program.command('ems'));
  let printed = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['ems', 'settings', ...args], { from: 'user' });
  } finally {
    write.mockRestore();
  }
  return printed;
}

async function failure(...args: string[]): Promise<ActionableError> {
  const error = await run(...args).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ActionableError);
  return error as ActionableError;
}

describe('assignmentsToPatch', () => {
  it('builds one patch, reading values as JSON when they parse and as text otherwise', () => {
    expect(assignmentsToPatch(['ems-vpn.enabled=false', 'ems-adconnector.level=debug', 'ems-vpn.level=4', 'retentionDays=14'])).toEqual({
      categories: { 'ems-vpn': { enabled: false, level: 4 }, 'ems-adconnector': { level: 'debug' } },
      retentionDays: 14,
    });
    expect(assignmentsToPatch(['destinations=[{"host":"siem","port":6514}]'])).toEqual({ destinations: [{ host: 'siem', port: 6514 }] });
  });

  it('rejects what is not an assignment', () => {
    expect(() => assignmentsToPatch(['ems-vpn.enabled'])).toThrow(ActionableError);
    expect(() => assignmentsToPatch(['=false'])).toThrow(/is not an assignment/);
  });
});

describe('fortiems ems settings (against a running EMS admin API)', () => {
  it('show prints the settings as a table, and as JSON with --json', async () => {
    const table = await run('show', '--url', url, '--token', TOKEN);
    expect(table).toMatch(/^categories:\n/);
    expect(table).toMatch(/ {2}ems-vpn +enabled +from information\n/);
    expect(table).toContain('destinations:\n  (none)\n');
    expect(table).toContain('retentionDays: 30\n');
    const json = await run('show', '--url', `${url}/api/v1`, '--token', TOKEN, '--json');
    expect(JSON.parse(json)).toEqual(sim.ems.getSettings());
  });

  it('set sends one PATCH, prints the changes, and the EMS audits them under the local user', async () => {
    vi.stubEnv('FORTIEMS_EMS_TOKEN', TOKEN);
    const audit: EmsLogLine[] = [];
    const stop = sim.ems.onLine((line) => audit.push(line));
    try {
      const printed = await run('set', 'ems-vpn.enabled=false', 'ems-adconnector.level=debug', 'retentionDays=14', '--url', url);
      expect(printed).toBe(
        ['log.ems-vpn.enabled: true -> false', 'log.ems-adconnector.level: information -> debug', 'log.retentionDays: 30 -> 14', ''].join(
          '\n',
        ),
      );
    } finally {
      stop();
    }
    const settings = sim.ems.getSettings();
    expect(settings.categories['ems-vpn'].enabled).toBe(false);
    expect(settings.categories['ems-adconnector'].level).toBe('debug');
    expect(settings.retentionDays).toBe(14);
    expect(audit).toHaveLength(3);
    const expectedAdmin = /^[A-Za-z0-9._@-]{1,64}$/.test(userInfo().username) ? userInfo().username : 'api';
    for (const line of audit) expect(line.record).toMatchObject({ msg: 'Log settings changed', admin: expectedAdmin, srcip: '127.0.0.1' });

    expect(await run('set', 'retentionDays=14', '--url', url)).toBe('no change: the settings already say that\n');
  });

  it('explains a rejected token, a missing token, and rejected settings', async () => {
    const unauthorized = await failure('show', '--url', url, '--token', 'wrong');
    expect(unauthorized.message).toMatch(/refused the token \(401/);
    expect(unauthorized.fix).toMatch(/--token or FORTIEMS_EMS_TOKEN/);

    vi.stubEnv('FORTIEMS_EMS_TOKEN', '');
    const missing = await failure('show', '--url', url);
    expect(missing.message).toBe('no EMS admin token');

    const before = sim.ems.getSettings();
    const rejected = await failure('set', 'ems-nope.enabled=false', 'ems-vpn.level=loud', '--url', url, '--token', TOKEN);
    expect(rejected.message).toBe('the log settings were rejected');
    expect(rejected.details).toMatch(/unknown category 'ems-nope'/);
    expect(rejected.details).toMatch(/categories\.ems-vpn\.level must be one of/);
    expect(sim.ems.getSettings()).toEqual(before);
  });

  it('explains a refused connection', async () => {
    const closed = buildEmsAdminServer({ sim, adminToken: TOKEN });
    const closedUrl = await closed.listen({ port: 0, host: '127.0.0.1' });
    await closed.close();
    const refused = await failure('show', '--url', closedUrl, '--token', TOKEN);
    expect(refused.message).toBe(`cannot reach the EMS admin API at ${closedUrl} (connection refused)`);
    expect(refused.fix).toMatch(/fortiems ems serve/);

    const notUrl = await failure('show', '--url', 'not a url', '--token', TOKEN);
    expect(notUrl.message).toMatch(/is not a URL/);
  });
});

describe('fortiems ems settings --file (offline)', () => {
  it('set edits the file (starting from the defaults when it is missing) and show reads it', async () => {
    const path = temporaryFile();
    const printed = await run('set', 'ems-vpn.enabled=false', 'ems-client.level=warning', '--file', path);
    expect(printed).toBe('log.ems-vpn.enabled: true -> false\nlog.ems-client.level: information -> warning\n');
    const expected = defaultLogSettings();
    expected.categories['ems-vpn'].enabled = false;
    expected.categories['ems-client'].level = 'warning';
    expect(new SettingsFile(path).load()).toEqual(expected);
    expect(JSON.parse(await run('show', '--file', path, '--json'))).toEqual(expected);
    expect(await run('show', '--file', path)).toMatch(/ {2}ems-vpn +disabled +from information\n/);
  });

  it('reports problems without touching the file, and explains a broken file', async () => {
    const path = temporaryFile();
    await run('set', 'retentionDays=10', '--file', path);
    const rejected = await failure('set', 'retentionDays=0', 'destinations=[{"host":"siem","port":0}]', '--file', path);
    expect(rejected.details).toMatch(/retentionDays must be a whole number/);
    expect(rejected.details).toMatch(/destinations\[0\]\.port must be/);
    expect(new SettingsFile(path).load().retentionDays).toBe(10);

    writeFileSync(path, '{ not json');
    const broken = await failure('show', '--file', path);
    expect(broken.message).toMatch(/is not valid JSON/);
    expect(broken.fix).toContain(path);
  });

  it('refuses --file together with --url or --token', async () => {
    const path = temporaryFile();
    await expect(run('show', '--file', path, '--url', url)).rejects.toBeInstanceOf(CommanderError);
    await expect(run('set', 'retentionDays=3', '--file', path, '--token', TOKEN)).rejects.toBeInstanceOf(CommanderError);
  });
});
