import { describe, expect, it } from 'vitest';
import { runSimulation } from '../../ems-core/simulation/runner.js';
import { SCENARIOS, type ScenarioName, scenarioDays } from '../../ems-core/simulation/scenarios.js';
import { Simulation } from '../../ems-core/simulation/simulation.js';
import { CATEGORY_NAMES, eventByMessage, validateRecord } from '../../mappings/index.js';
import type { EmsLogLine } from '../../syslog/log-line.js';

const MONDAY = Date.parse('2026-11-23T00:00:00Z');
const DAY = 86_400_000;

async function collect(sim: Simulation, options: Parameters<typeof runSimulation>[2]): Promise<EmsLogLine[]> {
  const lines: EmsLogLine[] = [];
  await runSimulation(sim, (line) => void lines.push(line), options);
  return lines;
}

function eventIds(lines: EmsLogLine[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) {
    const id = eventByMessage(line.category, String(line.record.msg))?.id ?? '(unknown)';
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

describe('the EMS core simulation', () => {
  it('is deterministic under a seed, and a different seed gives a different day', async () => {
    const a = await collect(new Simulation({ seed: 42, start: MONDAY }), { count: 2000 });
    const b = await collect(new Simulation({ seed: 42, start: MONDAY }), { count: 2000 });
    const c = await collect(new Simulation({ seed: 43, start: MONDAY }), { count: 2000 });
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('emits all ten categories over a day, every record valid against the catalogue, in time order', async () => {
    const lines = await collect(new Simulation({ seed: 1, start: MONDAY }), { until: MONDAY + DAY });
    expect(new Set(lines.map((l) => l.category))).toEqual(new Set(CATEGORY_NAMES));
    for (const line of lines) expect(validateRecord(line.category, line.record), JSON.stringify(line.record)).toEqual([]);
    const times = lines.map((l) => l.time.getTime());
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(times[0]).toBeGreaterThanOrEqual(MONDAY);
    expect(times[times.length - 1]).toBeLessThanOrEqual(MONDAY + DAY);
  });

  it('writes dtime in the EMS time zone', async () => {
    const [line] = await collect(new Simulation({ seed: 1, start: MONDAY, identity: { timeZone: 'Asia/Tokyo' } }), { count: 1 });
    const utc = line?.time.getTime() ?? 0;
    expect(line?.record.dtime).toBe(new Date(utc + 9 * 3_600_000).toISOString().slice(0, 19).replace('T', ' '));
  });

  it('backfills a day in well under a second of wall time', async () => {
    const started = Date.now();
    const lines = await collect(new Simulation({ seed: 3, start: MONDAY }), { until: MONDAY + DAY });
    expect(lines.length).toBeGreaterThan(1000);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('paces output with a rate control', async () => {
    const started = Date.now();
    const lines = await collect(new Simulation({ seed: 3, start: MONDAY }), { count: 300, rate: 1000 });
    expect(lines).toHaveLength(300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('a normal office day has no incident signatures', async () => {
    const ids = eventIds(await collect(new Simulation({ seed: 5, start: MONDAY }), { until: MONDAY + DAY }));
    expect(ids.get('admin-locked-out') ?? 0).toBe(0);
    expect(ids.get('endpoint-quarantined') ?? 0).toBeLessThan(3);
    expect(ids.get('ad-sync-failed') ?? 0).toBe(0);
    expect(ids.get('vpn-auth-failure') ?? 0).toBeLessThan(10);
    expect(ids.get('service-crashed') ?? 0).toBeLessThan(3);
  });

  const signatures: Record<Exclude<ScenarioName, 'office-day'>, [string, number][]> = {
    'admin-brute-force': [
      ['admin-login-failed', 30],
      ['admin-locked-out', 1],
    ],
    'vpn-password-spray': [['vpn-auth-failure', 60]],
    'ad-connector-outage': [
      ['ad-sync-failed', 5],
      ['ad-task-failed', 5],
      ['directory-error', 5],
    ],
    'fds-update-failures': [
      ['fds-update-failed', 10],
      ['fds-error', 10],
    ],
    'service-crash-loop': [
      ['service-crashed', 5],
      ['service-restarted', 5],
      ['endpoint-comm-error', 20],
    ],
    'mass-quarantine': [['endpoint-quarantined', 30]],
    'malware-outbreak': [
      ['malware-quarantined', 8],
      ['malware-detected', 3],
      ['web-blocked', 15],
    ],
    'unpatched-critical-vulnerability': [['vulnerability-detected', 400]],
    'rogue-admin-after-hours': [
      ['admin-account-created', 1],
      ['admin-role-changed', 1],
    ],
    'ransomware-attack': [
      ['exploit-blocked', 1],
      ['malware-detected', 1],
      ['ransomware-detected', 3],
    ],
    'exposed-critical-vulnerability': [['vulnerability-detected', 1]],
    'admin-tampering': [
      ['policy-deleted', 2],
      ['ztna-tag-removed', 20],
      ['endpoint-released', 3],
      ['ztna-certificate-revoked', 12],
      ['ems-stopped', 1],
    ],
    'tls-interception': [
      ['invalid-certificate-denied', 20],
      ['endpoint-registration-failed', 6],
    ],
  };
  for (const [scenario, expected] of Object.entries(signatures)) {
    it(`scenario ${scenario} shows its incident`, async () => {
      expect(SCENARIOS).toHaveProperty(scenario);
      const ids = eventIds(
        await collect(new Simulation({ seed: 5, start: MONDAY, scenario: scenario as ScenarioName }), {
          until: MONDAY + scenarioDays(scenario as ScenarioName) * DAY,
        }),
      );
      for (const [id, atLeast] of expected) expect(ids.get(id) ?? 0, id).toBeGreaterThanOrEqual(atLeast);
    });
  }
});

describe('service faults have the consequences the guide states', () => {
  it('fcems_probe down: new endpoints cannot connect', () => {
    const sim = new Simulation({ seed: 9, start: MONDAY + 8 * 3_600_000 });
    const lines: EmsLogLine[] = [];
    sim.ems.onLine((line) => lines.push(line));
    sim.ems.services.get('fcems_probe').up = false;
    const newcomer = sim.ems.fleet[0];
    if (!newcomer) throw new Error('empty fleet');
    newcomer.status = 'unregistered';
    sim.lifecycle.connect(newcomer);
    expect(newcomer.status).toBe('unregistered');
    expect(lines.map((l) => l.record.msg)).toEqual(['New endpoint could not connect: probe service down']);
    sim.ems.services.get('fcems_probe').up = true;
    sim.lifecycle.connect(newcomer);
    expect(newcomer.status).toBe('online');
  });

  it('fcems_ecsocksrv down: no endpoint can talk to EMS, until the monitor restarts it', async () => {
    const sim = new Simulation({ seed: 9, start: MONDAY + 8 * 3_600_000 });
    const lines: EmsLogLine[] = [];
    sim.ems.onLine((line) => lines.push(line));
    sim.monitor.crash('fcems_ecsocksrv', { reason: 'segmentation fault (signal 11)' });
    const endpoint = sim.ems.fleet.find((e) => e.status === 'offline');
    if (!endpoint) throw new Error('no offline endpoint');
    sim.lifecycle.connect(endpoint);
    expect(endpoint.status).toBe('offline');
    expect(lines.map((l) => [l.category, l.record.msg])).toEqual([
      ['ems-error', 'Service crashed'],
      ['ems-event', 'Service is down'],
      ['ems-error', 'Communication with endpoint failed'],
    ]);
    await runSimulation(sim, () => undefined, { until: sim.ems.now + 61_000 });
    expect(sim.ems.services.isUp('fcems_ecsocksrv')).toBe(true);
    expect(sim.ems.services.get('fcems_ecsocksrv').restarts).toBe(1);
    sim.lifecycle.connect(endpoint);
    expect(endpoint.status).toBe('online');
  });
});

describe('log settings filter what is emitted', () => {
  it('a disabled category is silent, a raised level adds debug lines, and the change is audited even if ems-event is off', async () => {
    const base = await collect(new Simulation({ seed: 11, start: MONDAY }), { until: MONDAY + DAY / 2 });
    const sim = new Simulation({ seed: 11, start: MONDAY });
    const audit: EmsLogLine[] = [];
    sim.ems.onLine((line) => audit.push(line));
    sim.ems.updateSettings(
      { categories: { 'ems-vpn': { enabled: false }, 'ems-adconnector': { level: 'debug' }, 'ems-event': { enabled: false } } },
      { admin: 'admin' },
    );
    expect(audit.map((l) => [l.record.setting, l.record.oldvalue, l.record.newvalue])).toEqual([
      ['log.ems-vpn.enabled', 'true', 'false'],
      ['log.ems-adconnector.level', 'information', 'debug'],
      ['log.ems-event.enabled', 'true', 'false'],
    ]);
    const after = await collect(sim, { until: MONDAY + DAY / 2 });
    const count = (lines: EmsLogLine[], category: string) => lines.filter((l) => l.category === category).length;
    expect(count(base, 'ems-vpn')).toBeGreaterThan(0);
    expect(count(after, 'ems-vpn')).toBe(0);
    expect(count(after, 'ems-adconnector')).toBeGreaterThan(count(base, 'ems-adconnector'));
    expect(sim.ems.volume.suppressed['ems-vpn']).toBeDefined();
  });
});

describe('the runner in real time', () => {
  it('delivers lines logged between actions (an admin API call), stamped with the wall time, even when stopped right after', async () => {
    const start = Date.now();
    const sim = new Simulation({ seed: 2, start });
    const delivered: EmsLogLine[] = [];
    const controller = new AbortController();
    setTimeout(() => {
      sim.ems.updateSettings({ categories: { 'ems-vpn': { enabled: false } } }, { admin: 'api' });
      controller.abort();
    }, 300);
    await runSimulation(sim, (line) => void delivered.push(line), { realtime: true, signal: controller.signal });
    const audit = delivered.find((line) => line.record.msg === 'Log settings changed');
    expect(audit).toBeDefined();
    expect(audit?.time.getTime()).toBeGreaterThanOrEqual(start + 250);
  });
});
