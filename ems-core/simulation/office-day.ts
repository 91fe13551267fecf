import { ADMINS } from './activities/admin-console.js';
import { localWeekday } from './ems-time.js';
import { HOUR, MINUTE } from './scheduler.js';
import type { Simulation } from './simulation.js';

const MINOR_SERVICES = ['fcems_forensics', 'fcems_scep', 'fcems_mdmproxy', 'fcems_dbop', 'fcems_upload', 'fcems_sip'];

/**
 * Plans one local day of a normal office: arrivals, VPN, admins at work, deployments, the odd hiccup, and what endpoints
 * upload (detections, web blocks, scans, software changes). Re-plans itself every day.
 */
export function planOfficeDay(sim: Simulation, dayStart: number, firstDay: boolean): void {
  const { ems } = sim;
  const random = ems.random;
  const weekday = [1, 2, 3, 4, 5].includes(localWeekday(dayStart + 12 * HOUR, ems.identity.timeZone));
  const at = (offset: number, action: () => void) => {
    if (dayStart + offset >= ems.now) ems.scheduler.at(dayStart + offset, action);
  };

  for (const endpoint of ems.fleet) {
    if (endpoint.status === 'deregistered') continue;
    const present = weekday ? random.chance(0.92) : random.chance(0.08);
    if (!present) continue;
    const arrive = (weekday ? 7.5 * HOUR : 10 * HOUR) + random.int(0, 120) * MINUTE;
    const leave = (weekday ? 16.5 * HOUR : 13 * HOUR) + random.int(0, 150) * MINUTE;
    if (firstDay && dayStart + arrive < ems.now && dayStart + leave > ems.now) sim.lifecycle.markOnline(endpoint);
    at(arrive, () => sim.lifecycle.connect(endpoint));
    at(leave, () => sim.lifecycle.disconnect(endpoint));
    if (endpoint.remote && random.chance(0.8)) {
      const start = arrive + random.int(2, 10) * MINUTE;
      at(start, () => endpoint.status === 'online' && sim.vpn.session(endpoint, Math.max(10 * MINUTE, leave - start - 5 * MINUTE)));
    }
  }

  if (weekday) {
    at(8 * HOUR + random.int(5, 30) * MINUTE, () => sim.console.session());
    for (let i = random.int(2, 5); i > 0; i--) at(random.int(9 * 60, 18 * 60) * MINUTE, () => sim.console.session());
    if (random.chance(0.35)) {
      at(random.int(12 * 60, 14 * 60) * MINUTE, () => {
        const targets = ems.fleet
          .filter((e) => e.status === 'online' && e.osFamily === 'windows' && e.fctver < '7.4.1')
          .slice(0, random.int(10, 25));
        sim.updates.deployUpgrade(targets, '7.4.1.1736');
      });
    }
    if (random.chance(0.25)) {
      at(random.int(10 * 60, 16 * 60) * MINUTE, () => {
        const suspect = ems.fleet.find((e) => e.status === 'online' && !e.compliant);
        if (!suspect) return;
        const admin = random.pick(ADMINS).name;
        sim.lifecycle.quarantine(suspect, admin, 'non-compliant endpoint');
        ems.scheduler.after(random.int(60, 150) * MINUTE, () => sim.lifecycle.release(suspect, admin));
      });
    }
    if (random.chance(0.1)) {
      at(random.int(10 * 60, 17 * 60) * MINUTE, () => {
        const leaver = ems.fleet.find((e) => e.status === 'offline');
        if (leaver) sim.lifecycle.deregister(leaver, random.pick(ADMINS).name);
      });
    }
  }
  // Endpoints that drop off the network mid-session.
  for (let i = random.int(2, 6); i > 0; i--) {
    at(random.int(8 * 60, 18 * 60) * MINUTE, () => {
      const online = ems.fleet.filter((e) => e.status === 'online');
      if (online.length === 0) return;
      ems.log(
        'ems-error',
        'endpoint-comm-error',
        { service: 'fcems_ka', peer: 'endpoint', reason: random.pick(['keepalive timed out', 'connection reset by peer']) },
        { endpoint: random.pick(online) },
      );
    });
  }
  if (random.chance(0.5)) at(random.int(0, 23 * 60) * MINUTE, () => sim.monitor.crash(random.pick(MINOR_SERVICES)));
  at(3 * HOUR + random.int(0, 30) * MINUTE, () =>
    ems.log('ems-update', 'installer-list-updated', { component: 'installer-list', tover: `7.4.1.${random.int(1700, 1799)}` }),
  );
  if (random.chance(0.05))
    at(4 * HOUR, () => ems.log('ems-update', 'ems-update-available', { component: 'ems', fromver: '7.4.1', tover: '7.4.2' }));
  sim.security.planDay(dayStart, weekday, ADMINS);
  ems.scheduler.at(dayStart + 24 * HOUR, () => planOfficeDay(sim, dayStart + 24 * HOUR, false));
}
