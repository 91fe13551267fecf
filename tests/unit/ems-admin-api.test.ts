import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildEmsAdminServer } from '../../ems-core/api/admin-api.js';
import type { InventoryEntry } from '../../ems-core/fleet/endpoint.js';
import { defaultLogSettings, type LogSettings } from '../../ems-core/log-settings/settings.js';
import { SettingsFile } from '../../ems-core/log-settings/store.js';
import { runSimulation } from '../../ems-core/simulation/runner.js';
import { Simulation } from '../../ems-core/simulation/simulation.js';
import type { EmsLogLine } from '../../syslog/log-line.js';

const MONDAY = Date.parse('2026-11-23T00:00:00Z');
const HOUR = 3_600_000;
const TOKEN = 'test-admin-token-0123456789abcdef';
const AUTH = { authorization: `Bearer ${TOKEN}` };

const servers: FastifyInstance[] = [];
const temporaryDirectories: string[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  for (const directory of temporaryDirectories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function setUp(settingsFile?: SettingsFile) {
  const sim = new Simulation({ seed: 7, start: MONDAY, endpoints: 60 });
  const api = buildEmsAdminServer({ sim, adminToken: TOKEN, settingsFile });
  servers.push(api);
  return { sim, api };
}

function recordLines(sim: Simulation): EmsLogLine[] {
  const lines: EmsLogLine[] = [];
  sim.ems.onLine((line) => lines.push(line));
  return lines;
}

async function linesUntil(sim: Simulation, until: number): Promise<EmsLogLine[]> {
  const lines: EmsLogLine[] = [];
  await runSimulation(sim, (line) => void lines.push(line), { until });
  return lines;
}

const count = (lines: EmsLogLine[], category: string, level?: string) =>
  lines.filter((line) => line.category === category && (level === undefined || line.level === level)).length;

describe('EMS admin API: authentication', () => {
  it('answers 401 with a JSON error and WWW-Authenticate without a token, with a wrong one, or a wrong scheme', async () => {
    const { api } = setUp();
    const attempts: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${'x'.repeat(TOKEN.length)}` },
      { authorization: 'Bearer short' },
      { authorization: `Bearer ${TOKEN}extra` },
      { authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` },
      { authorization: TOKEN },
    ];
    for (const headers of attempts) {
      for (const url of ['/api/v1/log-settings', '/api/v1/services', '/api/v1/inventory/endpoints', '/api/v1/volume', '/api/v1/nowhere']) {
        const response = await api.inject({ method: 'GET', url, headers });
        expect(response.statusCode, `${url} ${JSON.stringify(headers)}`).toBe(401);
        expect(response.headers['www-authenticate']).toBe('Bearer');
        expect(response.json()).toEqual({ error: 'unauthorized', message: 'send Authorization: Bearer <admin token>' });
      }
    }
    const patch = await api.inject({ method: 'PATCH', url: '/api/v1/log-settings', payload: { retentionDays: 1 } });
    expect(patch.statusCode).toBe(401);
  });

  it('lets the right token through, and serves /health without one', async () => {
    const { api } = setUp();
    expect((await api.inject({ method: 'GET', url: '/api/v1/log-settings', headers: AUTH })).statusCode).toBe(200);
    expect(
      (await api.inject({ method: 'GET', url: '/api/v1/log-settings', headers: { authorization: `bearer ${TOKEN}` } })).statusCode,
    ).toBe(200);
    const health = await api.inject({ method: 'GET', url: '/api/v1/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
    const unknown = await api.inject({ method: 'GET', url: '/api/v1/nowhere', headers: AUTH });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: 'not found' });
  });

  it('refuses to start without an admin token', async () => {
    const sim = new Simulation({ seed: 1, start: MONDAY, endpoints: 5 });
    const api = buildEmsAdminServer({ sim, adminToken: '' });
    servers.push(api);
    await expect(api.ready()).rejects.toThrow(/non-empty admin token/);
  });
});

describe('EMS admin API: log settings', () => {
  it('GET returns the current settings', async () => {
    const { sim, api } = setUp();
    const response = await api.inject({ method: 'GET', url: '/api/v1/log-settings', headers: AUTH });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual(sim.ems.getSettings());
    expect(response.json()).toEqual(defaultLogSettings());
  });

  it('PATCH applies the change, returns it, audits it as ems-event lines and changes what the EMS emits', async () => {
    const control = setUp().sim;
    const { sim, api } = setUp();
    const before = await linesUntil(sim, MONDAY + 9 * HOUR);
    expect(await linesUntil(control, MONDAY + 9 * HOUR)).toEqual(before);
    expect(count(before, 'ems-vpn')).toBeGreaterThan(0);

    const audit = recordLines(sim);
    const response = await api.inject({
      method: 'PATCH',
      url: '/api/v1/log-settings',
      headers: { ...AUTH, 'x-fortiems-admin': 'alice' },
      payload: { categories: { 'ems-vpn': { enabled: false }, 'ems-adconnector': { level: 'debug' } } },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json() as { settings: LogSettings; changes: unknown[] };
    expect(body.changes).toEqual([
      { setting: 'log.ems-vpn.enabled', oldValue: 'true', newValue: 'false' },
      { setting: 'log.ems-adconnector.level', oldValue: 'information', newValue: 'debug' },
    ]);
    expect(body.settings.categories['ems-vpn']).toEqual({ enabled: false, level: 'information' });
    expect(body.settings.categories['ems-adconnector']).toEqual({ enabled: true, level: 'debug' });
    expect(sim.ems.getSettings()).toEqual(body.settings);

    expect(audit.map((line) => [line.category, line.record.msg, line.record.setting, line.record.oldvalue, line.record.newvalue])).toEqual([
      ['ems-event', 'Log settings changed', 'log.ems-vpn.enabled', 'true', 'false'],
      ['ems-event', 'Log settings changed', 'log.ems-adconnector.level', 'information', 'debug'],
    ]);
    for (const line of audit) expect(line.record).toMatchObject({ admin: 'alice', srcip: '127.0.0.1' });

    const after = await linesUntil(sim, MONDAY + 15 * HOUR);
    const controlAfter = await linesUntil(control, MONDAY + 15 * HOUR);
    expect(count(controlAfter, 'ems-vpn')).toBeGreaterThan(0);
    expect(count(after, 'ems-vpn')).toBe(0);
    expect(count(controlAfter, 'ems-adconnector', 'debug')).toBe(0);
    expect(count(after, 'ems-adconnector', 'debug')).toBeGreaterThan(0);
    expect(count(after, 'ems-adconnector')).toBeGreaterThan(count(controlAfter, 'ems-adconnector'));

    // The volume counters show the cost of each setting: what was silenced and what debug added.
    const volume = (await api.inject({ method: 'GET', url: '/api/v1/volume', headers: AUTH })).json() as typeof sim.ems.volume;
    expect(volume).toEqual(JSON.parse(JSON.stringify(sim.ems.volume)));
    expect(Object.values(volume.suppressed['ems-vpn'] ?? {}).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(
      count(controlAfter, 'ems-vpn'),
    );
    expect(volume.emitted['ems-adconnector']?.debug).toBe(count(after, 'ems-adconnector', 'debug'));
    expect(control.ems.volume.emitted['ems-adconnector']?.debug).toBeUndefined();
  });

  it('names the admin "api" when no X-Fortiems-Admin header is sent, and rejects an odd admin name', async () => {
    const { sim, api } = setUp();
    const audit = recordLines(sim);
    await api.inject({ method: 'PATCH', url: '/api/v1/log-settings', headers: AUTH, payload: { retentionDays: 14 } });
    expect(audit.map((line) => line.record.admin)).toEqual(['api']);
    const odd = await api.inject({
      method: 'PATCH',
      url: '/api/v1/log-settings',
      headers: { ...AUTH, 'x-fortiems-admin': 'eve" level=emergency' },
      payload: { retentionDays: 15 },
    });
    expect(odd.statusCode).toBe(400);
    expect(odd.json()).toMatchObject({ error: 'invalid request' });
    expect(sim.ems.getSettings().retentionDays).toBe(14);
  });

  it('answers 400 with every problem for bad input, and changes nothing', async () => {
    const { sim, api } = setUp();
    const audit = recordLines(sim);
    const response = await api.inject({
      method: 'PATCH',
      url: '/api/v1/log-settings',
      headers: AUTH,
      payload: {
        categories: { 'ems-nope': { enabled: false }, 'ems-vpn': { level: 'loud' }, 'ems-client': { enabled: false } },
        destinations: [{ host: 'siem.example.com', port: 70000 }],
      },
    });
    expect(response.statusCode).toBe(400);
    const body = response.json() as { error: string; problems: string[] };
    expect(body.error).toBe('invalid log settings');
    expect(body.problems).toHaveLength(3);
    expect(body.problems[0]).toMatch(/unknown category 'ems-nope'/);
    expect(body.problems[1]).toMatch(/categories\.ems-vpn\.level must be one of/);
    expect(body.problems[2]).toMatch(/destinations\[0\]\.port must be a whole number from 1 to 65535/);
    expect(sim.ems.getSettings()).toEqual(defaultLogSettings());
    expect(audit).toEqual([]);

    const notAnObject = await api.inject({ method: 'PATCH', url: '/api/v1/log-settings', headers: AUTH, payload: [1, 2] });
    expect(notAnObject.statusCode).toBe(400);
    expect(notAnObject.json()).toEqual({ error: 'invalid request', problems: ['body must be object'] });

    const badJson = await api.inject({
      method: 'PATCH',
      url: '/api/v1/log-settings',
      headers: { ...AUTH, 'content-type': 'application/json' },
      payload: '{"retentionDays": <script>',
    });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json()).toEqual({ error: 'bad request', message: 'the body is not valid JSON' });
  });

  it('PATCH and PUT answer 400 naming unknown fields at every level, and change nothing', async () => {
    const { sim, api } = setUp();
    const audit = recordLines(sim);
    const destination = { host: 'siem.example.com', port: 6514, protocol: 'tls' };
    const patch = await api.inject({
      method: 'PATCH',
      url: '/api/v1/log-settings',
      headers: AUTH,
      payload: {
        retentionDays: 20,
        retention: 5,
        categories: { 'ems-vpn': { enabled: false, lvl: 'debug' } },
        destinations: [{ ...destination, tlsinsecure: true, frameing: 'newline' }],
      },
    });
    expect(patch.statusCode).toBe(400);
    const problems = (patch.json() as { problems: string[] }).problems;
    expect(problems).toEqual([
      "unknown setting 'retention' (known: categories, destinations, retentionDays)",
      'categories.ems-vpn.lvl is not a setting (enabled, level)',
      expect.stringMatching(/^destinations\[0\]\.tlsinsecure is not a setting \(name, host, port, .*tlsInsecure, enabled\)$/),
      expect.stringMatching(/^destinations\[0\]\.frameing is not a setting /),
    ]);
    // A value of the wrong type is refused too, rather than read as its default.
    const typed = await api.inject({
      method: 'PATCH',
      url: '/api/v1/log-settings',
      headers: AUTH,
      payload: { destinations: [{ ...destination, enabled: 'false', tlsInsecure: 1, name: 7 }] },
    });
    expect(typed.statusCode).toBe(400);
    expect((typed.json() as { problems: string[] }).problems).toEqual([
      'destinations[0].name must be a string',
      'destinations[0].tlsInsecure must be true or false',
      'destinations[0].enabled must be true or false',
    ]);
    const whole = defaultLogSettings();
    const put = await api.inject({
      method: 'PUT',
      url: '/api/v1/log-settings',
      headers: AUTH,
      payload: { ...whole, destinations: [{ ...destination, colour: 'red' }] },
    });
    expect(put.statusCode).toBe(400);
    expect((put.json() as { problems: string[] }).problems).toEqual([expect.stringMatching(/^destinations\[0\]\.colour is not a setting/)]);
    expect(sim.ems.getSettings()).toEqual(defaultLogSettings());
    expect(audit).toEqual([]);
    // The same destination without the stray field is taken.
    const fine = await api.inject({
      method: 'PATCH',
      url: '/api/v1/log-settings',
      headers: AUTH,
      payload: { destinations: [destination] },
    });
    expect(fine.statusCode).toBe(200);
  });

  it('PUT replaces the settings, auditing each difference; an incomplete document is refused', async () => {
    const { sim, api } = setUp();
    const audit = recordLines(sim);
    const replacement = defaultLogSettings();
    replacement.categories['ems-update'] = { enabled: false, level: 'warning' };
    replacement.retentionDays = 90;
    replacement.destinations = [
      {
        name: 'siem',
        host: '10.0.0.5',
        port: 6514,
        protocol: 'tls',
        format: 'rfc5424',
        facility: 16,
        framing: 'octet',
        tlsInsecure: false,
        enabled: true,
      },
    ];
    const response = await api.inject({ method: 'PUT', url: '/api/v1/log-settings', headers: AUTH, payload: replacement });
    expect(response.statusCode).toBe(200);
    expect(response.json().settings).toEqual(replacement);
    expect(sim.ems.getSettings()).toEqual(replacement);
    expect(audit.map((line) => line.record.setting)).toEqual([
      'log.ems-update.enabled',
      'log.ems-update.level',
      'log.retentionDays',
      'log.destinations',
    ]);

    const incomplete = await api.inject({ method: 'PUT', url: '/api/v1/log-settings', headers: AUTH, payload: { retentionDays: 5 } });
    expect(incomplete.statusCode).toBe(400);
    expect(incomplete.json().problems).toEqual(["body must have required property 'categories'"]);
    const invalid = await api.inject({
      method: 'PUT',
      url: '/api/v1/log-settings',
      headers: AUTH,
      payload: { ...replacement, retentionDays: 0 },
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toEqual({
      error: 'invalid log settings',
      problems: ['retentionDays must be a whole number of days from 1 to 3650'],
    });
    expect(sim.ems.getSettings()).toEqual(replacement);
  });

  it('persists accepted changes to the settings file, and leaves it alone on a rejected one', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'fortiems-admin-api-'));
    temporaryDirectories.push(directory);
    const file = new SettingsFile(join(directory, 'ems', 'log-settings.json'));
    const { api } = setUp(file);
    const response = await api.inject({
      method: 'PATCH',
      url: '/api/v1/log-settings',
      headers: AUTH,
      payload: { categories: { 'ems-vpn': { enabled: false } }, retentionDays: 7 },
    });
    expect(response.statusCode).toBe(200);
    const saved = file.load();
    expect(saved).toEqual(response.json().settings);
    expect(saved.retentionDays).toBe(7);
    expect(saved.categories['ems-vpn'].enabled).toBe(false);

    const rejected = await api.inject({ method: 'PATCH', url: '/api/v1/log-settings', headers: AUTH, payload: { retentionDays: -1 } });
    expect(rejected.statusCode).toBe(400);
    expect(file.load()).toEqual(saved);
  });
});

describe('EMS admin API: inventory', () => {
  const list = async (api: FastifyInstance, query: string) => {
    const response = await api.inject({ method: 'GET', url: `/api/v1/inventory/endpoints${query}`, headers: AUTH });
    return { status: response.statusCode, body: response.json() as { endpoints: InventoryEntry[]; total: number } };
  };

  it('lists the inventory with filters and a limit', async () => {
    const { sim, api } = setUp();
    await linesUntil(sim, MONDAY + 10 * HOUR);
    const inventory = sim.ems.inventory();
    const all = await list(api, '');
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(inventory.length);
    expect(all.body.endpoints).toEqual(inventory);

    const limited = await list(api, '?limit=5');
    expect(limited.body.endpoints).toEqual(inventory.slice(0, 5));
    expect(limited.body.total).toBe(inventory.length);

    const target = inventory[3] as InventoryEntry;
    expect((await list(api, `?uid=${target.uid}`)).body).toEqual({ endpoints: [target], total: 1 });
    expect((await list(api, `?uid=${target.uid.toLowerCase()}`)).body.endpoints).toEqual([target]);
    expect((await list(api, `?hostname=${encodeURIComponent(target.hostname.toLowerCase())}`)).body.endpoints).toEqual([target]);
    expect((await list(api, `?hostname=${encodeURIComponent(target.hostname.toUpperCase())}`)).body.endpoints).toEqual([target]);
    expect((await list(api, '?hostname=no-such-host')).body).toEqual({ endpoints: [], total: 0 });

    const online = await list(api, '?status=online');
    expect(online.body.total).toBe(inventory.filter((entry) => entry.status === 'online').length);
    expect(online.body.total).toBeGreaterThan(0);
    expect(online.body.endpoints.every((entry) => entry.status === 'online')).toBe(true);
  });

  it('refuses out-of-range limits and unknown statuses', async () => {
    const { api } = setUp();
    for (const query of ['?limit=0', '?limit=10001', '?limit=ten', '?status=deregistered']) {
      const response = await list(api, query);
      expect(response.status, query).toBe(400);
      expect((response.body as unknown as { error: string }).error).toBe('invalid request');
    }
    expect((await list(api, '?limit=10000')).status).toBe(200);
  });

  it('returns one endpoint by uid, or 404', async () => {
    const { sim, api } = setUp();
    const target = sim.ems.inventory()[0] as InventoryEntry;
    const found = await api.inject({ method: 'GET', url: `/api/v1/inventory/endpoints/${target.uid}`, headers: AUTH });
    expect(found.statusCode).toBe(200);
    expect(found.json()).toEqual(target);
    const missing = await api.inject({ method: 'GET', url: `/api/v1/inventory/endpoints/${'0'.repeat(32)}`, headers: AUTH });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: 'not found', message: 'no endpoint in the inventory has that uid' });
  });
});

describe('EMS admin API: services', () => {
  type ServiceView = { name: string; severity: string; up: boolean; restarts: number; downSince: string | null };
  const services = async (api: FastifyInstance) =>
    ((await api.inject({ method: 'GET', url: '/api/v1/services', headers: AUTH })).json() as { services: ServiceView[] }).services;

  it('lists every service with its severity, state and restarts', async () => {
    const { sim, api } = setUp();
    const listed = await services(api);
    expect(listed).toHaveLength(sim.ems.services.all().length);
    expect(listed.find((service) => service.name === 'fcems_probe')).toEqual({
      name: 'fcems_probe',
      severity: 'critical',
      up: true,
      restarts: 0,
      downSince: null,
      crashLoopUntil: null,
    });
  });

  it('injects a crash: the service shows down, the EMS logs it, and the monitor restarts it as the simulation steps', async () => {
    const { sim, api } = setUp();
    await linesUntil(sim, MONDAY + 9 * HOUR);
    const crashed = recordLines(sim);
    const response = await api.inject({ method: 'POST', url: '/api/v1/services/fcems_adconnector/crash', headers: AUTH });
    expect(response.statusCode).toBe(200);
    expect(response.json().service).toMatchObject({ name: 'fcems_adconnector', up: false, downSince: new Date(sim.ems.now).toISOString() });
    expect((await services(api)).find((service) => service.name === 'fcems_adconnector')).toMatchObject({ up: false, restarts: 0 });
    expect(crashed.map((line) => [line.category, line.record.service])).toEqual([
      ['ems-error', 'fcems_adconnector'],
      ['ems-event', 'fcems_adconnector'],
    ]);

    const stepped = await linesUntil(sim, sim.ems.now + 5 * 60_000);
    const restarts = stepped.filter((line) => line.category === 'ems-event' && line.record.service === 'fcems_adconnector');
    expect(restarts.length).toBeGreaterThan(0);
    expect((await services(api)).find((service) => service.name === 'fcems_adconnector')).toMatchObject({ up: true, restarts: 1 });
  });

  it('with crashLoopSeconds, the service keeps crashing after each restart while the loop lasts', async () => {
    const { sim, api } = setUp();
    const response = await api.inject({
      method: 'POST',
      url: '/api/v1/services/fcems_probe/crash',
      headers: AUTH,
      payload: { crashLoopSeconds: 1800 },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().service.crashLoopUntil).toBe(new Date(MONDAY + 1800_000).toISOString());
    const lines = await linesUntil(sim, MONDAY + HOUR);
    const crashes = lines.filter((line) => line.category === 'ems-error' && line.record.service === 'fcems_probe');
    expect(crashes.length).toBeGreaterThan(2);
  });

  it('answers 404 naming the known services for an unknown one, and 400 for a bad body', async () => {
    const { sim, api } = setUp();
    const unknown = await api.inject({ method: 'POST', url: '/api/v1/services/fcems_nope/crash', headers: AUTH });
    expect(unknown.statusCode).toBe(404);
    const body = unknown.json() as { error: string; known: string[] };
    expect(body.error).toBe('unknown service');
    expect(body.known).toContain('fcems_probe');
    const bad = await api.inject({
      method: 'POST',
      url: '/api/v1/services/fcems_probe/crash',
      headers: AUTH,
      payload: { crashLoopSeconds: -5 },
    });
    expect(bad.statusCode).toBe(400);
    expect(sim.ems.services.isUp('fcems_probe')).toBe(true);
  });
});
