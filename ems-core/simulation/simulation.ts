import type { LogSettings } from '../log-settings/settings.js';
import { AdminConsoleActivity } from './activities/admin-console.js';
import { DirectoryActivity } from './activities/directory.js';
import { EndpointLifecycle } from './activities/endpoint-lifecycle.js';
import { EndpointSecurityActivity } from './activities/endpoint-security.js';
import { ServiceMonitor } from './activities/service-monitor.js';
import { UpdateActivity } from './activities/updates.js';
import { VpnActivity } from './activities/vpn.js';
import { EmsCore, type EmsIdentity } from './ems-core.js';
import { startOfLocalDay } from './ems-time.js';
import { planOfficeDay } from './office-day.js';
import { SCENARIOS, type Scenario, type ScenarioName } from './scenarios.js';

export interface SimulationOptions {
  seed: number;
  start: number;
  scenario?: ScenarioName;
  endpoints?: number;
  identity?: Partial<EmsIdentity>;
  settings?: LogSettings;
  /** When the incident of an incident scenario begins; default 10:30 EMS time on the first weekday, or soon after start. */
  incidentAt?: number;
}

/** The EMS core with its activities wired up and a scenario planned on the virtual clock. */
export class Simulation {
  readonly ems: EmsCore;
  readonly lifecycle: EndpointLifecycle;
  readonly vpn: VpnActivity;
  readonly directory: DirectoryActivity;
  readonly updates: UpdateActivity;
  readonly console: AdminConsoleActivity;
  readonly monitor: ServiceMonitor;
  readonly security: EndpointSecurityActivity;
  readonly scenario: ScenarioName;

  constructor(options: SimulationOptions) {
    this.ems = new EmsCore(options);
    this.lifecycle = new EndpointLifecycle(this.ems);
    this.vpn = new VpnActivity(this.ems);
    this.directory = new DirectoryActivity(this.ems);
    this.updates = new UpdateActivity(this.ems);
    this.console = new AdminConsoleActivity(this.ems);
    this.monitor = new ServiceMonitor(this.ems);
    this.security = new EndpointSecurityActivity(this.ems);
    this.lifecycle.certificates = this.security;
    this.scenario = options.scenario ?? 'office-day';
    const scenario: Scenario | undefined = SCENARIOS[this.scenario];
    if (!scenario) throw new Error(`unknown scenario '${options.scenario}' (known: ${Object.keys(SCENARIOS).join(', ')})`);

    planOfficeDay(this, startOfLocalDay(options.start, this.ems.identity.timeZone), true);
    this.directory.schedule();
    this.updates.schedule();
    this.monitor.schedule();
    this.lifecycle.startKeepalives();
    if (scenario.incident) scenario.incident(this, options.incidentAt ?? this.defaultIncidentTime(options.start));
  }

  private defaultIncidentTime(start: number): number {
    const tenThirty = startOfLocalDay(start, this.ems.identity.timeZone) + 10.5 * 3_600_000;
    return tenThirty >= start ? tenThirty : start + 15 * 60_000;
  }

  /** Runs the next scheduled action; false when nothing is left (never, in practice: days re-plan themselves). */
  step(): boolean {
    return this.ems.scheduler.step();
  }
}
