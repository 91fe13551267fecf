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
const RANSOMWARE = {
  virus: 'W32/Filecoder.LockBit!tr.ransom',
  viruscat: 'Ransomware',
  windowsPath: 'AppData\\Local\\Temp\\wupdsvc.exe',
} as const;

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

/** A machine the fleet did not have: a rogue laptop, a new one being enrolled, a server in the DMZ. */
function extraEndpoint(
  sim: Simulation,
  shape: { hostname: string; user: string; os: string; deviceip: string; group: string; remote: boolean; status: Endpoint['status'] },
): Endpoint {
  const random = sim.security.random;
  return {
    uid: random.hex(32),
    devid: `FCT${random.alphanumeric(13)}`,
    hostname: shape.hostname,
    user: shape.user,
    osFamily: 'windows',
    os: shape.os,
    fctver: '7.2.5.1049',
    deviceip: shape.deviceip,
    devicemac: Array.from({ length: 6 }, () => random.hex(2, false)).join('-'),
    publicIp: undefined,
    remote: shape.remote,
    groups: [shape.group],
    ztnaTags: [],
    policy: 'Global',
    status: shape.status,
    compliant: true,
    lastSeen: undefined,
  };
}

/** Online office workstations (not remote), in fleet order. */
function officeOnline(sim: Simulation): Endpoint[] {
  return sim.ems.fleet.filter((e) => e.status === 'online' && !e.remote);
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
  'ransomware-attack': {
    description:
      "a normal day, then a booby-trapped document: the anti-exploit engine blocks Word, a ransomware loader is detected but left on disk, and the anti-ransomware engine stops it encrypting the user's documents",
    incident: (sim, at) => {
      const { ems, security } = sim;
      ems.scheduler.at(at, () => {
        const victim = officeOnline(sim).find((e) => e.osFamily === 'windows') ?? ems.fleet.find((e) => e.status === 'online');
        if (!victim) return;
        const documents = `C:\\Users\\${victim.user}\\Documents`;
        const steps: [number, () => void][] = [
          [
            0,
            () =>
              ems.log(
                'ems-client',
                'exploit-blocked',
                {
                  file: 'C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE',
                  action: 'blocked',
                  detectedby: 'Anti-exploit',
                },
                { endpoint: victim },
              ),
          ],
          [
            45 * SECOND,
            () =>
              security.detectMalware(victim, RANSOMWARE, {
                action: 'detected',
                detectedby: 'On-demand scan',
                file: security.filePath(victim, RANSOMWARE),
              }),
          ],
          ...[0, 1, 2].map((i): [number, () => void] => [
            3 * MINUTE + i * 20 * SECOND,
            () =>
              ems.log(
                'ems-client',
                'ransomware-detected',
                {
                  file: `${documents}\\${['Q4_budget.xlsx', 'contracts_2026.docx', 'payroll.pdf'][i]}.lockbit`,
                  action: 'blocked',
                  detectedby: 'Anti-ransomware',
                },
                { endpoint: victim },
              ),
          ]),
        ];
        for (const [offset, step] of steps) ems.scheduler.at(at + offset, step);
      });
    },
  },
  'exposed-critical-vulnerability': {
    description:
      'a normal day, and a web server in the DMZ, reachable on a public address, reports a critical Windows TCP/IP remote code execution (CVE-2024-38063, CVSS 9.8) at its scan',
    incident: (sim, at) => {
      const { ems, security } = sim;
      ems.scheduler.at(at, () => {
        const server = extraEndpoint(sim, {
          hostname: 'DMZ-WEB-01',
          user: 'svc_iis',
          os: 'Microsoft Windows Server 2022 Standard, 64-bit (build 20348)',
          deviceip: publicAddress(security.random),
          group: 'All Groups/corp.example.com/Servers',
          remote: false,
          status: 'online',
        });
        security.plantUnpatched(server, ['CVE-2024-38063']);
        security.scanVulnerabilities(server);
      });
    },
  },
  'admin-tampering': {
    description:
      'a normal day, then an administrator weakens the defences in half an hour: deletes two endpoint policies, drops the Vulnerable-High Zero Trust tag from every endpoint, releases the endpoints the SOC quarantined, deregisters a dozen endpoints (their ZTNA certificates revoked) and stops EMS',
    incident: (sim, at) => {
      const { ems, security } = sim;
      const admin = { name: 'j.morel', srcip: '10.10.1.22' };
      ems.scheduler.at(at, () => {
        const online = officeOnline(sim);
        // Quarantined by the SOC that morning, so there is something to release.
        const contained = online.slice(0, 3);
        for (const endpoint of contained) sim.lifecycle.quarantine(endpoint, 'admin', 'malware detected');
        const tagged = online.slice(3, 23);
        const removed = online.slice(23, 35);
        const steps: [number, () => void][] = [
          [20 * MINUTE, () => sim.console.attemptLogin(admin.name, admin.srcip, true)],
          [23 * MINUTE, () => ems.log('ems-policy', 'policy-deleted', { admin: admin.name, policy: 'Finance-Policy', policyid: 4 })],
          [24 * MINUTE, () => ems.log('ems-policy', 'policy-deleted', { admin: admin.name, policy: 'Legal-Policy', policyid: 6 })],
          [
            26 * MINUTE,
            () =>
              ems.log('ems-event', 'config-changed', {
                admin: admin.name,
                srcip: admin.srcip,
                setting: 'ztna.tagging_rules',
                oldvalue: 'Vulnerable-High: critical vulnerability',
                newvalue: 'Vulnerable-High: (none)',
              }),
          ],
          ...tagged.map((endpoint, i): [number, () => void] => [
            27 * MINUTE + i * security.random.int(5, 12) * SECOND,
            () => {
              endpoint.ztnaTags = endpoint.ztnaTags.filter((tag) => tag !== 'Vulnerable-High');
              ems.log('ems-client', 'ztna-tag-removed', { ztnatag: 'Vulnerable-High' }, { endpoint });
            },
          ]),
          ...contained.map((endpoint, i): [number, () => void] => [
            33 * MINUTE + i * 30 * SECOND,
            () => sim.lifecycle.release(endpoint, admin.name),
          ]),
          ...removed.map((endpoint, i): [number, () => void] => [
            36 * MINUTE + i * 15 * SECOND,
            () => sim.lifecycle.deregister(endpoint, admin.name),
          ]),
          [42 * MINUTE, () => ems.log('ems-event', 'ems-stopped', {})],
          [52 * MINUTE, () => ems.log('ems-event', 'ems-started', {})],
        ];
        for (const [offset, step] of steps) ems.scheduler.at(at + offset, step);
      });
    },
  },
  'tls-interception': {
    description:
      'a normal day, then a TLS-inspecting proxy appears on the office network for 20 minutes: EMS sees untrusted certificates from two dozen office endpoints (denied) and new laptops fail to register',
    incident: (sim, at) => {
      const { ems, security } = sim;
      ems.scheduler.at(at, () => {
        officeOnline(sim)
          .slice(0, 24)
          .forEach((endpoint, i) => {
            ems.scheduler.at(at + i * 45 * SECOND + security.random.int(0, 30) * SECOND, () =>
              ems.log(
                'ems-network',
                'invalid-certificate-denied',
                { srcip: endpoint.deviceip, service: 'fcems_ecsocksrv', certstatus: 'untrusted', certaction: 'deny' },
                { endpoint },
              ),
            );
          });
        for (let i = 0; i < 6; i++) {
          const laptop = extraEndpoint(sim, {
            hostname: `LAPTOP-NEW${String(i + 1).padStart(2, '0')}`,
            user: `new.hire${i + 1}`,
            os: 'Microsoft Windows 11 Enterprise Edition, 64-bit (build 26100)',
            deviceip: `10.10.40.${20 + i}`,
            group: 'All Groups',
            remote: false,
            status: 'unregistered',
          });
          ems.scheduler.at(at + 2 * MINUTE + i * 90 * SECOND, () =>
            ems.log('ems-client', 'endpoint-registration-failed', { reason: 'certificate verification failed' }, { endpoint: laptop }),
          );
        }
      });
    },
  },
} satisfies Record<string, Scenario>;

export type ScenarioName = keyof typeof SCENARIOS;

export function isScenarioName(name: string): name is ScenarioName {
  return Object.hasOwn(SCENARIOS, name);
}
