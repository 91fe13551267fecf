import { DOMAIN } from '../../fleet/fleet.js';
import type { EmsCore } from '../ems-core.js';
import { MINUTE } from '../scheduler.js';

const SERVERS = ['dc01.corp.example.com', 'dc02.corp.example.com'];
const TASKS = ['delta-sync', 'group-refresh', 'computer-import', 'full-sync'] as const;

/** AD / Entra ID connector syncs and the background worker tasks behind them. */
export class DirectoryActivity {
  /** While set, the directory is unreachable (an outage) until this instant. */
  outageUntil: number | undefined;
  private taskId = 1000;

  constructor(private readonly ems: EmsCore) {}

  private get inOutage(): boolean {
    return this.outageUntil !== undefined && this.ems.now < this.outageUntil;
  }

  sync(): void {
    const ems = this.ems;
    const random = ems.random;
    const server = random.pick(SERVERS);
    const connector = random.chance(0.85) ? 'ad' : 'entra';
    const domain = connector === 'ad' ? DOMAIN : 'corpexample.onmicrosoft.com';
    if (!ems.services.isUp('fcems_adconnector')) return;
    if (this.inOutage && connector === 'ad') {
      const credential = random.chance(0.2);
      ems.log('ems-adconnector', credential ? 'ad-credential-error' : 'ad-network-error', {
        connector,
        domain,
        server,
        errcode: credential ? '49' : 'ETIMEDOUT',
        reason: credential ? 'LDAP bind: invalid credentials (data 52e)' : `connect to ${server}:636 timed out`,
      });
      ems.log('ems-adconnector', 'ad-sync-failed', { connector, domain, reason: 'directory server unreachable' });
      ems.log('ems-error', 'directory-error', {
        service: 'fcems_adconnector',
        peer: 'ad',
        errcode: credential ? '49' : 'ETIMEDOUT',
        reason: `sync of ${domain} failed`,
      });
      this.task('delta-sync', domain, false);
      return;
    }
    ems.log('ems-adconnector', 'ad-connected', { connector, domain, server });
    ems.log('ems-adconnector', 'ad-sync-started', { connector, domain });
    const queries = random.int(2, 6);
    for (let i = 0; i < queries; i++) {
      ems.log('ems-adconnector', 'ad-ldap-query', {
        connector,
        domain,
        server,
        query: random.pick([
          '(objectClass=user)',
          '(objectClass=group)',
          '(&(objectCategory=computer)(operatingSystem=Windows*))',
          '(memberOf=CN=VPN-Users,OU=Groups,DC=corp,DC=example,DC=com)',
        ]),
        duration: random.int(20, 900),
      });
    }
    ems.scheduler.after(random.int(5, 90) * 1000, () => {
      ems.log('ems-adconnector', 'ad-sync-completed', {
        connector,
        domain,
        users: random.int(300, 340),
        groups: random.int(40, 48),
        duration: random.int(2_000, 60_000),
      });
      this.task(random.pick(TASKS), domain, true);
    });
  }

  private task(task: string, domain: string, succeed: boolean): void {
    const ems = this.ems;
    const random = ems.random;
    const taskid = this.taskId++;
    const service = task === 'computer-import' ? 'fcems_adtask' : random.pick(['fcems_addaemon', 'fcems_adevtsrv']);
    ems.log('ems-addaemonworker', 'ad-task-started', { service, task, taskid, domain });
    ems.scheduler.after(random.int(1, 30) * 1000, () => {
      if (succeed)
        ems.log('ems-addaemonworker', 'ad-task-completed', {
          service,
          task,
          taskid,
          domain,
          items: random.int(1, 400),
          duration: random.int(200, 30_000),
        });
      else ems.log('ems-addaemonworker', 'ad-task-failed', { service, task, taskid, domain, reason: 'directory connection lost' });
    });
  }

  /** Syncs every 30 minutes normally, every 5 while failing (EMS retries). */
  schedule(): void {
    const ems = this.ems;
    const loop = () => {
      this.sync();
      ems.scheduler.after(this.inOutage ? 5 * MINUTE : 30 * MINUTE, loop);
    };
    ems.scheduler.after(ems.random.int(1, 30) * MINUTE, loop);
  }
}
