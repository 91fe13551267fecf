import type { Endpoint } from '../fleet/endpoint.js';
import { publicAddress } from '../fleet/fleet.js';
import { MINUTE, SECOND } from './scheduler.js';
import type { Simulation } from './simulation.js';

export interface Scenario {
  description: string;
  /** What happens on top of the office day, starting at `at`. */
  incident?: (sim: Simulation, at: number) => void;
}

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
} satisfies Record<string, Scenario>;

export type ScenarioName = keyof typeof SCENARIOS;

export function isScenarioName(name: string): name is ScenarioName {
  return Object.hasOwn(SCENARIOS, name);
}
