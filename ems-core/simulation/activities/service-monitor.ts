import type { EmsCore } from '../ems-core.js';
import { MINUTE, SECOND } from '../scheduler.js';

const CRASH_REASONS = ['segmentation fault (signal 11)', 'out of memory', 'unhandled exception', 'killed by watchdog'];

/** fcems_monitor: checks the services every minute and restarts those that are down. Faults are injected here. */
export class ServiceMonitor {
  constructor(private readonly ems: EmsCore) {}

  /** A service goes down (crash). With `crashLoopMs`, it crashes again soon after each restart until that time has passed. */
  crash(name: string, options: { crashLoopMs?: number; reason?: string } = {}): void {
    const ems = this.ems;
    const state = ems.services.get(name);
    if (options.crashLoopMs !== undefined) state.crashLoopUntil = ems.now + options.crashLoopMs;
    if (!state.up) return;
    state.up = false;
    state.downSince = ems.now;
    const reason = options.reason ?? ems.random.pick(CRASH_REASONS);
    ems.log('ems-error', 'service-crashed', { service: name, errcode: `E${ems.random.int(100, 999)}`, reason });
    ems.log('ems-event', 'service-down', { service: name, reason });
  }

  private restart(name: string): void {
    const ems = this.ems;
    const state = ems.services.get(name);
    // The monitor restarts everything but itself; the OS supervisor brings the monitor back.
    if (state.up || (name !== 'fcems_monitor' && !ems.services.isUp('fcems_monitor'))) return;
    state.up = true;
    state.restarts++;
    state.downSince = undefined;
    ems.log('ems-event', 'service-restarted', { service: name });
    ems.log('ems-event', 'service-started', { service: name });
    if (state.crashLoopUntil !== undefined && ems.now < state.crashLoopUntil) {
      ems.scheduler.after(ems.random.int(30, 120) * SECOND, () => this.crash(name));
    }
  }

  schedule(): void {
    const ems = this.ems;
    const loop = () => {
      for (const state of ems.services.down()) this.restart(state.name);
      ems.scheduler.after(MINUTE, loop);
    };
    ems.scheduler.after(MINUTE, loop);
  }
}
