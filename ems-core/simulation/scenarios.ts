import type { Endpoint } from '../fleet/endpoint.js';
import { publicAddress } from '../fleet/fleet.js';
import { localWeekday, startOfLocalDay } from './ems-time.js';
import { HOUR, MINUTE, SECOND } from './scheduler.js';
import type { Simulation } from './simulation.js';

export interface Scenario {
  description: string;
  /** What happens on top of the office day, starting at `at`. */
  incident?: (sim: Simulation, at: number) => void;
  /** Simulated days the incident needs to show in full (default 1); a shorter run shows only its beginning. */
  days?: number;
}

/** How many simulated days a run of the scenario should cover. */
export function scenarioDays(name: ScenarioName): number {
  return (SCENARIOS[name] as Scenario).days ?? 1;
}

/**
 * The first after-hours instant from `at` on: `at` itself when it already is outside 07:00-20:00 local on a weekday
 * (or on a weekend), else 02:41 that night if it is still ahead, else 22:41 that evening (the account is created 6
 * minutes later: 02:47).
 */
function afterHours(sim: Simulation, at: number): number {
  const zone = sim.ems.identity.timeZone;
  const dayStart = startOfLocalDay(at, zone);
  const hour = (at - dayStart) / HOUR;
  const weekday = [1, 2, 3, 4, 5].includes(localWeekday(at, zone));
  if (!weekday || hour < 7 || hour >= 20) return at;
  const small = dayStart + 2 * HOUR + 41 * MINUTE;
  return small >= sim.ems.now ? small : dayStart + 22 * HOUR + 41 * MINUTE;
}

const OUTBREAK = {
  virus: 'W32/Qakbot.BQR!tr',
  viruscat: 'Trojan',
  windowsPath: 'AppData\\Roaming\\Microsoft\\Lzbxuqo\\qbot_loader.dll',
} as const;
const C2_DOMAIN = 'cdn-sync-telemetry.top';

function rogueEndpoint(sim: Simulation, index: number): Endpoint {
  const random = sim.ems.random;
  return {
    uid: random.hex(32),
    devid: `FCT${random.alphanumeric(13)}`,
    hostname: `DESKTOP-${random.alphanumeric(7)}`,
    user: `user${index}`,
    osFamily: 'windows',
    os: 'Microsoft Windows 10 Professional Edition, 64-bit (build 19045)',
    fctver: '7.0.9.0493',
    deviceip: `192.168.${random.int(0, 9)}.${random.int(2, 254)}`,
    devicemac: Array.from({ length: 6 }, () => random.hex(2, false)).join('-'),
    publicIp: publicAddress(random),
    remote: true,
    groups: [],
    ztnaTags: [],
    policy: 'Global',
    status: 'offline',
    compliant: false,
    lastSeen: undefined,
  };
}

export const SCENARIOS = {
  'office-day': { description: 'a normal office day: endpoints arrive and leave, VPN, admins at work, directory syncs, FDS updates' },
  'admin-brute-force': {
    description: 'a normal day, then 40 console login failures from one outside address against admin accounts, ending in lockouts',
    incident: (sim, at) => {
      const attacker = publicAddress(sim.ems.random);
      const accounts = ['admin', 'admin', 'admin', 'administrator', 'root'];
      for (let i = 0; i < 40; i++) {
        sim.ems.scheduler.at(at + i * sim.ems.random.int(2, 6) * SECOND, () =>
          sim.console.attemptLogin(accounts[i % accounts.length] as string, attacker, false),
        );
      }
    },
  },
  'vpn-password-spray': {
    description: 'a normal day, then three outside sources try 60 user names once or twice each against the SSL-VPN within 15 minutes',
    incident: (sim, at) => {
      const attackers = [0, 1, 2].map((i) => rogueEndpoint(sim, i));
      const names = [...new Set(sim.ems.fleet.map((e) => e.user))].slice(0, 60);
      sim.ems.scheduler.at(at, () => sim.vpn.passwordSpray(attackers, names, 15 * MINUTE));
    },
  },
  'ad-connector-outage': {
    description: 'a normal day, then the domain controllers are unreachable for 45 minutes: syncs and AD tasks fail, then recover',
    incident: (sim, at) => {
      sim.ems.scheduler.at(at, () => {
        sim.directory.outageUntil = at + 45 * MINUTE;
        sim.directory.sync();
      });
    },
  },
  'fds-update-failures': {
    description: 'a normal day, then FortiGuard is unreachable for 3 hours: every update attempt fails',
    incident: (sim, at) => {
      sim.ems.scheduler.at(at, () => {
        sim.updates.fdsDownUntil = at + 180 * MINUTE;
        sim.updates.check();
      });
    },
  },
  'service-crash-loop': {
    description:
      'a normal day, then fcems_ecsocksrv crashes again and again for 20 minutes; the monitor keeps restarting it and endpoints cannot talk to EMS',
    incident: (sim, at) => {
      sim.ems.scheduler.at(at, () =>
        sim.monitor.crash('fcems_ecsocksrv', { crashLoopMs: 20 * MINUTE, reason: 'segmentation fault (signal 11)' }),
      );
    },
  },
  'mass-quarantine': {
    description: 'a normal day, then one administrator quarantines 40 endpoints within five minutes',
    incident: (sim, at) => {
      sim.ems.scheduler.at(at, () => {
        const admin = 'j.morel';
        sim.console.attemptLogin(admin, '10.10.1.22', true);
        const victims = sim.ems.fleet.filter((e) => e.status === 'online').slice(0, 40);
        victims.forEach((endpoint, i) => {
          sim.ems.scheduler.at(at + (i + 1) * 7 * SECOND, () => sim.lifecycle.quarantine(endpoint, admin, 'manual quarantine'));
        });
      });
    },
  },
  'malware-outbreak': {
    description:
      'a normal day, then the same trojan is detected on a dozen endpoints of one department within the hour; some copies are only blocked or detected, not quarantined, and infected endpoints try to reach its C2 domain',
    incident: (sim, at) => {
      const { ems, security } = sim;
      ems.scheduler.at(at, () => {
        const online = ems.fleet.filter((e) => e.status === 'online' && e.osFamily === 'windows');
        const byGroup = new Map<string, typeof online>();
        for (const endpoint of online) {
          const group = endpoint.groups[0] ?? 'All Groups';
          byGroup.set(group, [...(byGroup.get(group) ?? []), endpoint]);
        }
        const group = [...byGroup.values()].sort((a, b) => b.length - a.length)[0] ?? [];
        // A small fleet has no department of ten: the worm then spreads across the office LAN (the same site).
        const office = online.filter((e) => !e.remote && !group.includes(e));
        const victims = [...group, ...office].slice(0, Math.max(12, Math.min(14, group.length)));
        const checksum = security.random.hex(8, false);
        victims.forEach((endpoint, i) => {
          const when = at + i * 4 * MINUTE + security.random.int(0, 150) * SECOND;
          const how = security.random.weighted([
            [{ action: 'quarantined', detectedby: 'Realtime' }, 6],
            [{ action: 'blocked', detectedby: 'Realtime' }, 2],
            [{ action: 'detected', detectedby: 'On-demand scan' }, 2],
          ] as const);
          ems.scheduler.at(when, () => {
            security.detectMalware(endpoint, OUTBREAK, { ...how, file: security.filePath(endpoint, OUTBREAK), checksum });
            if (how.action === 'quarantined') return;
            for (let beacon = 1; beacon <= 3; beacon++) {
              ems.scheduler.at(when + beacon * security.random.int(3, 6) * MINUTE, () =>
                security.blockWeb(endpoint, 'Malicious Websites', C2_DOMAIN, `/t3/${security.random.alphanumeric(6).toLowerCase()}`),
              );
            }
          });
        });
      });
    },
  },
  'unpatched-critical-vulnerability': {
    description:
      'a normal office week, with one workstation reporting the same critical Windows and Outlook CVEs (CVSS 9.8) on every daily vulnerability scan and never patched',
    days: 4,
    incident: (sim, at) => {
      const { ems, security } = sim;
      ems.scheduler.at(at, () => {
        // A workstation in the office, at work now: it takes the noon scan every day it is switched on.
        const victim = ems.fleet.find((e) => e.osFamily === 'windows' && !e.remote && e.status === 'online');
        if (!victim) return;
        security.plantUnpatched(victim, ['CVE-2024-38063', 'CVE-2024-21413']);
        security.scanVulnerabilities(victim);
      });
    },
  },
  'rogue-admin-after-hours': {
    description:
      'a normal day, and at night someone logs in as admin from an outside address, creates an administrator account, gives it Super Administrator rights, and that account logs in',
    incident: (sim, at) => {
      const { ems, security } = sim;
      const start = afterHours(sim, at);
      const outsider = publicAddress(security.random);
      const rogue = 'svc_backup';
      const steps: [number, () => void][] = [
        [0, () => sim.console.attemptLogin('admin', outsider, true)],
        [
          6 * MINUTE,
          () =>
            security.changeAdminAccount(
              { name: 'admin', srcip: outsider },
              { kind: 'created', target: rogue, role: 'Standard Administrator' },
            ),
        ],
        [
          7 * MINUTE + 12 * SECOND,
          () =>
            security.changeAdminAccount(
              { name: 'admin', srcip: outsider },
              { kind: 'role', target: rogue, role: 'Standard Administrator', newrole: 'Super Administrator' },
            ),
        ],
        [8 * MINUTE, () => ems.log('ems-authentication', 'admin-logout', { admin: 'admin', srcip: outsider, ui: 'GUI' })],
        [11 * MINUTE, () => sim.console.attemptLogin(rogue, outsider, true)],
        [38 * MINUTE, () => sim.console.attemptLogin(rogue, outsider, true, 'API')],
        [83 * MINUTE, () => sim.console.attemptLogin(rogue, outsider, true, 'API')],
      ];
      for (const [offset, step] of steps) ems.scheduler.at(start + offset, step);
    },
  },
} satisfies Record<string, Scenario>;

export type ScenarioName = keyof typeof SCENARIOS;

export function isScenarioName(name: string): name is ScenarioName {
  return Object.hasOwn(SCENARIOS, name);
}
