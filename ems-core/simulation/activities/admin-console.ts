import { DEPARTMENTS } from '../../fleet/fleet.js';
import type { EmsCore } from '../ems-core.js';
import { MINUTE } from '../scheduler.js';

export const ADMINS = [
  { name: 'admin', srcip: '10.10.1.15' },
  { name: 'j.morel', srcip: '10.10.1.22' },
  { name: 's.okafor', srcip: '10.10.1.31' },
] as const;

const PROFILE_TYPES = ['system', 'vpn', 'ztna', 'webfilter', 'vulnerability', 'malware'] as const;

/** Administrators at the console: logins, policy and profile changes, deployments, configuration changes. */
export class AdminConsoleActivity {
  private readonly failures = new Map<string, number>();
  private readonly lockedUntil = new Map<string, number>();
  static readonly LOCKOUT_THRESHOLD = 5;
  static readonly LOCKOUT_SECONDS = 900;

  constructor(private readonly ems: EmsCore) {}

  /** One login attempt; consecutive failures lock the account out, as EMS does. */
  attemptLogin(admin: string, srcip: string, succeed: boolean, ui: 'GUI' | 'API' = 'GUI'): boolean {
    const ems = this.ems;
    if (!ems.services.isUp('apache2')) return false;
    const locked = this.lockedUntil.get(admin);
    if (locked !== undefined && ems.now < locked) {
      ems.log('ems-authentication', 'admin-login-failed', {
        admin,
        srcip,
        ui,
        method: 'local',
        failcount: this.failures.get(admin) ?? 0,
        reason: 'account locked',
      });
      return false;
    }
    if (succeed) {
      this.failures.set(admin, 0);
      ems.log('ems-authentication', 'admin-login', { admin, srcip, ui, method: admin.includes('.') ? 'ldap' : 'local' });
      return true;
    }
    const failcount = (this.failures.get(admin) ?? 0) + 1;
    this.failures.set(admin, failcount);
    ems.log('ems-authentication', 'admin-login-failed', { admin, srcip, ui, method: 'local', failcount, reason: 'invalid password' });
    if (failcount >= AdminConsoleActivity.LOCKOUT_THRESHOLD) {
      this.lockedUntil.set(admin, ems.now + AdminConsoleActivity.LOCKOUT_SECONDS * 1000);
      ems.log('ems-authentication', 'admin-locked-out', { admin, srcip, failcount, lockoutdur: AdminConsoleActivity.LOCKOUT_SECONDS });
    }
    return false;
  }

  /** A working session: log in (sometimes after a typo), change a few things, leave or time out. */
  session(): void {
    const ems = this.ems;
    const random = ems.random;
    const who = random.pick(ADMINS);
    if (random.chance(0.1)) this.attemptLogin(who.name, who.srcip, false);
    if (!this.attemptLogin(who.name, who.srcip, true)) return;
    const actions = random.int(1, 4);
    let offset = 0;
    for (let i = 0; i < actions; i++) {
      offset += random.int(1, 12) * MINUTE;
      ems.scheduler.after(offset, () => this.change(who.name, who.srcip));
    }
    ems.scheduler.after(offset + random.int(2, 20) * MINUTE, () => {
      if (random.chance(0.3)) ems.log('ems-authentication', 'admin-session-timeout', { admin: who.name, srcip: who.srcip, ui: 'GUI' });
      else ems.log('ems-authentication', 'admin-logout', { admin: who.name, srcip: who.srcip, ui: 'GUI' });
    });
  }

  private change(admin: string, srcip: string): void {
    const ems = this.ems;
    const random = ems.random;
    const department = random.pick(DEPARTMENTS);
    const policy = `${department}-Policy`;
    const policyid = DEPARTMENTS.indexOf(department) + 2;
    const group = `All Groups/corp.example.com/${department}`;
    switch (
      random.weighted([
        ['policy', 3],
        ['profile', 3],
        ['assign', 1],
        ['config', 2],
      ] as const)
    ) {
      case 'policy':
        ems.log('ems-policy', 'policy-modified', { admin, policy, policyid });
        this.deploy(policy, group);
        break;
      case 'profile':
        ems.log('ems-policy', 'profile-modified', {
          admin,
          profile: `${department}-${random.pick(PROFILE_TYPES)}`,
          profiletype: random.pick(PROFILE_TYPES),
        });
        break;
      case 'assign':
        ems.log('ems-policy', 'policy-assigned', { admin, policy, group });
        this.deploy(policy, group);
        break;
      case 'config': {
        const setting = random.pick(['system.session_timeout', 'endpoint.keepalive_interval', 'fortiguard.schedule', 'ztna.tagging_rules']);
        ems.log('ems-event', 'config-changed', {
          admin,
          srcip,
          setting,
          oldvalue: String(random.int(5, 30)),
          newvalue: String(random.int(5, 30)),
        });
        break;
      }
    }
  }

  private deploy(policy: string, group: string): void {
    const ems = this.ems;
    const random = ems.random;
    const endpoints = random.int(5, 60);
    ems.scheduler.after(random.int(1, 5) * MINUTE, () => {
      if (!ems.services.isUp('fcems_deploy') || random.chance(0.05)) {
        ems.log('ems-policy', 'policy-deploy-failed', {
          policy,
          group,
          endpoints,
          failed: endpoints,
          reason: ems.services.isUp('fcems_deploy') ? 'endpoints unreachable' : 'deployment service down',
        });
      } else {
        ems.log('ems-policy', 'policy-deployed', { policy, group, endpoints, failed: random.chance(0.2) ? random.int(1, 3) : 0 });
      }
    });
  }
}
