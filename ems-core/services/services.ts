/** The EMS services of the Administration Guide's Appendix A, with the severity EMS gives each. */
export type ServiceSeverity = 'critical' | 'medium' | 'low';

export const EMS_SERVICES: Readonly<Record<string, ServiceSeverity>> = {
  apache2: 'critical',
  fcems_chromebook: 'critical',
  fcems_das: 'critical',
  fcems_ecsocksrv: 'critical',
  fcems_ka: 'critical',
  fcems_monitor: 'critical',
  fcems_notify: 'critical',
  fcems_pgbouncer: 'critical',
  fcems_probe: 'critical',
  fcems_reg: 'critical',
  fcems_tag: 'critical',
  fcems_wspgbouncer: 'critical',
  fcems_ztna: 'critical',
  fcems_adconnector: 'medium',
  fcems_addaemon: 'medium',
  fcems_adtask: 'medium',
  fcems_deploy: 'medium',
  fcems_sip: 'medium',
  fcems_task: 'medium',
  fcems_update: 'medium',
  fcems_upload: 'medium',
  redis: 'medium',
  fcems_adevtsrv: 'low',
  fcems_dbop: 'low',
  fcems_forensics: 'low',
  fcems_ftntdbimporter: 'low',
  fcems_installer: 'low',
  fcems_mdmproxy: 'low',
  fcems_scep: 'low',
};

export type ServiceName = keyof typeof EMS_SERVICES & string;

export interface ServiceState {
  name: string;
  severity: ServiceSeverity;
  up: boolean;
  /** Times the monitor restarted it. */
  restarts: number;
  /** A crash-looping service goes down again soon after each restart, until the loop ends. */
  crashLoopUntil: number | undefined;
  downSince: number | undefined;
}

export class ServiceTable {
  private readonly services = new Map<string, ServiceState>();

  constructor() {
    for (const [name, severity] of Object.entries(EMS_SERVICES)) {
      this.services.set(name, { name, severity, up: true, restarts: 0, crashLoopUntil: undefined, downSince: undefined });
    }
  }

  get(name: string): ServiceState {
    const state = this.services.get(name);
    if (!state) throw new Error(`unknown EMS service '${name}' (known: ${[...this.services.keys()].join(', ')})`);
    return state;
  }

  has(name: string): boolean {
    return this.services.has(name);
  }

  isUp(name: string): boolean {
    return this.get(name).up;
  }

  all(): ServiceState[] {
    return [...this.services.values()].map((state) => ({ ...state }));
  }

  down(): ServiceState[] {
    return [...this.services.values()].filter((state) => !state.up);
  }
}
