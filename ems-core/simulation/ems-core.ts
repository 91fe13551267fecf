import { type CategoryName, categoryByName, eventById, type Level } from '../../mappings/index.js';
import type { EmsLogLine, FieldValue } from '../../syslog/log-line.js';
import type { Endpoint, InventoryEntry } from '../fleet/endpoint.js';
import { toInventoryEntry } from '../fleet/endpoint.js';
import { createFleet } from '../fleet/fleet.js';
import {
  applyPatch,
  defaultLogSettings,
  isEmitted,
  type LogSettings,
  type LogSettingsPatch,
  type SettingChange,
} from '../log-settings/settings.js';
import { ServiceTable } from '../services/services.js';
import { emsDateTime } from './ems-time.js';
import { Random } from './random.js';
import { Scheduler } from './scheduler.js';

export interface EmsIdentity {
  serial: string;
  hostname: string;
  vd: string;
  /** IANA zone EMS writes dtime in. */
  timeZone: string;
}

export interface EmsCoreOptions {
  seed: number;
  /** Virtual start instant (epoch ms). */
  start: number;
  endpoints?: number;
  identity?: Partial<EmsIdentity>;
  settings?: LogSettings;
}

export interface LogOptions {
  endpoint?: Endpoint;
  level?: Level;
  /** Emit even if the log settings filter the category or level out (the audit of a settings change). */
  always?: boolean;
}

export type LineListener = (line: EmsLogLine) => void;

export interface VolumeCounters {
  emitted: Record<string, Record<string, number>>;
  suppressed: Record<string, Record<string, number>>;
}

/** The compact EMS: identity, services, fleet and log settings on a virtual clock; everything it does is logged through `log()`. */
export class EmsCore {
  readonly random: Random;
  readonly scheduler: Scheduler;
  readonly identity: EmsIdentity;
  readonly fleet: Endpoint[];
  readonly services = new ServiceTable();
  private settings: LogSettings;
  private readonly listeners = new Set<LineListener>();
  private readonly settingsListeners = new Set<(settings: LogSettings, changes: SettingChange[]) => void>();
  readonly volume: VolumeCounters = { emitted: {}, suppressed: {} };

  constructor(options: EmsCoreOptions) {
    this.random = new Random(options.seed);
    this.scheduler = new Scheduler(options.start);
    const identityRandom = this.random.fork('identity');
    this.identity = {
      serial: options.identity?.serial ?? `FCTEMS88${identityRandom.digits(8)}`,
      hostname: options.identity?.hostname ?? 'ems01.corp.example.com',
      vd: options.identity?.vd ?? 'default',
      timeZone: options.identity?.timeZone ?? 'UTC',
    };
    this.fleet = createFleet(this.random.fork('fleet'), options.endpoints ?? 250);
    this.settings = options.settings ?? defaultLogSettings();
  }

  get now(): number {
    return this.scheduler.now;
  }

  onLine(listener: LineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onSettingsChange(listener: (settings: LogSettings, changes: SettingChange[]) => void): () => void {
    this.settingsListeners.add(listener);
    return () => this.settingsListeners.delete(listener);
  }

  getSettings(): LogSettings {
    return structuredClone(this.settings);
  }

  /** The settings in force, read-only and uncopied, for the simulation's own hot paths. */
  getSettingsView(): Readonly<LogSettings> {
    return this.settings;
  }

  /** Applies at once, and logs each change as an ems-event audit line that no setting can silence. */
  updateSettings(patch: LogSettingsPatch, actor: { admin: string; srcip?: string }): SettingChange[] {
    const { settings, changes } = applyPatch(this.settings, patch);
    this.settings = settings;
    for (const change of changes) {
      this.log(
        'ems-event',
        'log-settings-changed',
        { admin: actor.admin, srcip: actor.srcip, setting: change.setting, oldvalue: change.oldValue, newvalue: change.newValue },
        { always: true },
      );
    }
    if (changes.length > 0) for (const listener of this.settingsListeners) listener(this.getSettings(), changes);
    return changes;
  }

  /** Builds the line for a vocabulary event and hands it to the listeners if the log settings let it through. */
  log(category: CategoryName, eventId: string, fields: Record<string, FieldValue>, options: LogOptions = {}): void {
    const event = eventById(category, eventId);
    if (!event) throw new Error(`${category} has no event '${eventId}' in the catalogue`);
    for (const name of event.fields ?? []) {
      if (fields[name] === undefined || fields[name] === null) throw new Error(`${category}/${eventId} needs field '${name}'`);
    }
    const level = options.level ?? event.level;
    const counters = options.always || isEmitted(this.settings, category, level) ? this.volume.emitted : this.volume.suppressed;
    counters[category] ??= {};
    const perCategory = counters[category];
    perCategory[level] = (perCategory[level] ?? 0) + 1;
    if (counters === this.volume.suppressed) return;

    const endpoint = event.endpoint ? options.endpoint : undefined;
    if (event.endpoint && !endpoint) throw new Error(`${category}/${eventId} concerns an endpoint; pass one`);
    const record: Record<string, FieldValue> = {
      dtime: emsDateTime(this.now, this.identity.timeZone),
      type: 'event',
      subtype: event.subtype,
      level,
      ...(endpoint
        ? {
            devid: endpoint.devid,
            uid: endpoint.uid,
            hostname: endpoint.hostname,
            user: endpoint.user,
            deviceip: endpoint.deviceip,
            devicemac: endpoint.devicemac,
            os: endpoint.os,
            usingpolicy: endpoint.policy,
            fctver: endpoint.fctver,
          }
        : {}),
      emsserial: this.identity.serial,
      msg: event.msg,
      ...fields,
      emshostname: this.identity.hostname,
      vd: this.identity.vd,
    };
    const line: EmsLogLine = { category, level, time: new Date(this.now), record };
    for (const listener of this.listeners) listener(line);
  }

  inventory(): InventoryEntry[] {
    return this.fleet.filter((endpoint) => endpoint.status !== 'deregistered').map(toInventoryEntry);
  }

  findEndpoint(key: { uid?: string; hostname?: string }): Endpoint | undefined {
    if (key.uid) return this.fleet.find((endpoint) => endpoint.uid === key.uid);
    if (key.hostname) {
      const wanted = key.hostname.toLowerCase();
      return this.fleet.find((endpoint) => endpoint.hostname.toLowerCase() === wanted);
    }
    return undefined;
  }

  /** True when the category exists (for callers that take category names from users). */
  static knowsCategory(name: string): boolean {
    return categoryByName(name) !== undefined;
  }
}
