import type { Endpoint } from '../../fleet/endpoint.js';
import type { EmsCore } from '../ems-core.js';
import { HOUR, MINUTE } from '../scheduler.js';

const FDS = 'update.fortiguard.net';

/** FortiGuard (FDS) database updates, installer lists and FortiClient upgrade deployments. */
export class UpdateActivity {
  /** While set, FDS cannot be reached until this instant. */
  fdsDownUntil: number | undefined;
  private versions: Record<string, number> = { 'av-signatures': 92_117, 'vuln-db': 1_402, 'installer-list': 14 };

  constructor(private readonly ems: EmsCore) {}

  private get fdsDown(): boolean {
    return this.fdsDownUntil !== undefined && this.ems.now < this.fdsDownUntil;
  }

  check(): void {
    const ems = this.ems;
    const random = ems.random;
    if (!ems.services.isUp('fcems_update')) return;
    for (const component of ['av-signatures', 'vuln-db'] as const) {
      ems.log('ems-update', 'fds-update-started', { component, server: FDS });
      if (this.fdsDown || random.chance(0.01)) {
        const reason = this.fdsDown
          ? random.pick(['connection to FDS timed out', 'TLS handshake with FDS failed', 'FDS returned HTTP 503'])
          : 'download interrupted';
        ems.log('ems-update', 'fds-update-failed', { component, server: FDS, reason });
        ems.log('ems-error', 'fds-error', { service: 'fcems_update', peer: 'fds', errcode: this.fdsDown ? 'ETIMEDOUT' : 'EPIPE', reason });
        continue;
      }
      const current = this.versions[component] ?? 1;
      if (random.chance(component === 'av-signatures' ? 0.6 : 0.15)) {
        const next = current + random.int(1, 3);
        this.versions[component] = next;
        ems.log('ems-update', 'fds-update-completed', { component, fromver: `1.${current}`, tover: `1.${next}`, server: FDS });
      } else {
        ems.log('ems-update', 'fds-up-to-date', { component, tover: `1.${current}`, server: FDS });
      }
    }
  }

  /** An admin pushes a FortiClient upgrade to some endpoints; each reports back over the following hour. */
  deployUpgrade(targets: Endpoint[], toVersion: string): void {
    const ems = this.ems;
    const random = ems.random;
    if (targets.length === 0) return;
    ems.log('ems-update', 'fct-upgrade-scheduled', { component: 'forticlient', tover: toVersion, endpoints: targets.length });
    for (const endpoint of targets) {
      ems.scheduler.after(random.int(2, 60) * MINUTE, () => {
        if (endpoint.status !== 'online') return;
        const fromver = endpoint.fctver;
        if (random.chance(0.08)) {
          ems.log(
            'ems-update',
            'fct-upgrade-failed',
            {
              component: 'forticlient',
              fromver,
              tover: toVersion,
              reason: random.pick(['installer exited with code 1603', 'not enough disk space', 'reboot pending']),
            },
            { endpoint },
          );
        } else {
          endpoint.fctver = toVersion;
          ems.log('ems-update', 'fct-upgrade-completed', { component: 'forticlient', fromver, tover: toVersion }, { endpoint });
        }
      });
    }
  }

  schedule(): void {
    const ems = this.ems;
    const loop = () => {
      this.check();
      ems.scheduler.after(this.fdsDown ? 10 * MINUTE : HOUR, loop);
    };
    ems.scheduler.after(ems.random.int(1, 59) * MINUTE, loop);
  }
}
