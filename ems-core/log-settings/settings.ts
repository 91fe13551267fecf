import { CATEGORY_NAMES, type CategoryName, LEVELS, type Level, meetsMinimum, normalizeLevel } from '../../mappings/index.js';

/** What EMS admins tune: which categories are logged, from which level, where they go, and for how long. */
export interface CategorySetting {
  enabled: boolean;
  /** The least severe level still emitted. */
  level: Level;
}

export interface SyslogDestination {
  name: string;
  host: string;
  port: number;
  protocol: 'udp' | 'tcp' | 'tls';
  format: 'rfc3164' | 'rfc5424';
  /** Syslog facility number 0-23 (16 = local0). */
  facility: number;
  /** TCP and TLS framing. */
  framing: 'octet' | 'newline';
  /** TLS only: accept a self-signed receiver certificate (EMS does). */
  tlsInsecure: boolean;
  enabled: boolean;
}

export interface LogSettings {
  categories: Record<CategoryName, CategorySetting>;
  destinations: SyslogDestination[];
  retentionDays: number;
}

export const DEFAULT_LEVEL: Level = 'information';

export function defaultLogSettings(): LogSettings {
  const categories = Object.fromEntries(CATEGORY_NAMES.map((name) => [name, { enabled: true, level: DEFAULT_LEVEL }])) as Record<
    CategoryName,
    CategorySetting
  >;
  return { categories, destinations: [], retentionDays: 30 };
}

export function isEmitted(settings: LogSettings, category: CategoryName, level: Level): boolean {
  const setting = settings.categories[category];
  return setting.enabled && meetsMinimum(level, setting.level);
}

/** A partial update, as the admin API and the CLI send it. */
export interface LogSettingsPatch {
  categories?: Partial<Record<string, Partial<{ enabled: boolean; level: string | number }>>>;
  destinations?: unknown[];
  retentionDays?: number;
}

export interface SettingChange {
  setting: string;
  oldValue: string;
  newValue: string;
}

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid log settings: ${problems.join('; ')}`);
    this.name = 'SettingsError';
  }
}

const DESTINATION_KEYS: readonly string[] = ['name', 'host', 'port', 'protocol', 'format', 'facility', 'framing', 'tlsInsecure', 'enabled'];

function validateDestination(raw: unknown, index: number, problems: string[]): SyslogDestination | undefined {
  const where = `destinations[${index}]`;
  if (typeof raw !== 'object' || raw === null) {
    problems.push(`${where} must be an object`);
    return undefined;
  }
  const d = raw as Record<string, unknown>;
  // A misspelt key (`tlsinsecure`, `frameing`) would otherwise be dropped and its default used without a word.
  for (const key of Object.keys(d))
    if (!DESTINATION_KEYS.includes(key)) problems.push(`${where}.${key} is not a setting (${DESTINATION_KEYS.join(', ')})`);
  if (d.name !== undefined && typeof d.name !== 'string') problems.push(`${where}.name must be a string`);
  for (const key of ['tlsInsecure', 'enabled'])
    if (d[key] !== undefined && typeof d[key] !== 'boolean') problems.push(`${where}.${key} must be true or false`);
  const protocol = d.protocol ?? 'tls';
  const format = d.format ?? 'rfc3164';
  const framing = d.framing ?? 'octet';
  const facility = d.facility ?? 16;
  const port = d.port;
  if (typeof d.host !== 'string' || d.host.trim() === '' || /[\s/]/.test(d.host))
    problems.push(`${where}.host must be a host name or IP address`);
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)
    problems.push(`${where}.port must be a whole number from 1 to 65535`);
  if (protocol !== 'udp' && protocol !== 'tcp' && protocol !== 'tls') problems.push(`${where}.protocol must be udp, tcp or tls`);
  if (format !== 'rfc3164' && format !== 'rfc5424') problems.push(`${where}.format must be rfc3164 or rfc5424`);
  if (framing !== 'octet' && framing !== 'newline') problems.push(`${where}.framing must be octet or newline`);
  if (typeof facility !== 'number' || !Number.isInteger(facility) || facility < 0 || facility > 23)
    problems.push(`${where}.facility must be 0-23`);
  return {
    name: typeof d.name === 'string' && d.name ? d.name : `syslog-${index + 1}`,
    host: String(d.host),
    port: Number(port),
    protocol: protocol as SyslogDestination['protocol'],
    format: format as SyslogDestination['format'],
    facility: Number(facility),
    framing: framing as SyslogDestination['framing'],
    tlsInsecure: d.tlsInsecure === true,
    enabled: d.enabled !== false,
  };
}

/** Applies a patch; returns the new settings and every leaf that changed, or throws a SettingsError naming each problem. */
export function applyPatch(current: LogSettings, patch: LogSettingsPatch): { settings: LogSettings; changes: SettingChange[] } {
  const problems: string[] = [];
  const next: LogSettings = structuredClone(current);
  const changes: SettingChange[] = [];
  if (typeof patch !== 'object' || patch === null) throw new SettingsError(['the body must be a JSON object']);
  for (const key of Object.keys(patch)) {
    if (!['categories', 'destinations', 'retentionDays'].includes(key))
      problems.push(`unknown setting '${key}' (known: categories, destinations, retentionDays)`);
  }
  for (const [name, update] of Object.entries(patch.categories ?? {})) {
    if (!(CATEGORY_NAMES as readonly string[]).includes(name)) {
      problems.push(`unknown category '${name}' (known: ${CATEGORY_NAMES.join(', ')})`);
      continue;
    }
    const category = name as CategoryName;
    if (typeof update !== 'object' || update === null) {
      problems.push(`categories.${name} must be an object like {"enabled": true, "level": "warning"}`);
      continue;
    }
    for (const key of Object.keys(update))
      if (key !== 'enabled' && key !== 'level') problems.push(`categories.${name}.${key} is not a setting (enabled, level)`);
    if (update.enabled !== undefined) {
      if (typeof update.enabled !== 'boolean') problems.push(`categories.${name}.enabled must be true or false`);
      else if (update.enabled !== next.categories[category].enabled) {
        changes.push({
          setting: `log.${name}.enabled`,
          oldValue: String(next.categories[category].enabled),
          newValue: String(update.enabled),
        });
        next.categories[category].enabled = update.enabled;
      }
    }
    if (update.level !== undefined) {
      const level = normalizeLevel(update.level);
      if (!level) problems.push(`categories.${name}.level must be one of ${LEVELS.join(', ')}`);
      else if (level !== next.categories[category].level) {
        changes.push({ setting: `log.${name}.level`, oldValue: next.categories[category].level, newValue: level });
        next.categories[category].level = level;
      }
    }
  }
  if (patch.retentionDays !== undefined) {
    if (
      typeof patch.retentionDays !== 'number' ||
      !Number.isInteger(patch.retentionDays) ||
      patch.retentionDays < 1 ||
      patch.retentionDays > 3650
    ) {
      problems.push('retentionDays must be a whole number of days from 1 to 3650');
    } else if (patch.retentionDays !== next.retentionDays) {
      changes.push({ setting: 'log.retentionDays', oldValue: String(next.retentionDays), newValue: String(patch.retentionDays) });
      next.retentionDays = patch.retentionDays;
    }
  }
  if (patch.destinations !== undefined) {
    if (!Array.isArray(patch.destinations)) problems.push('destinations must be a list');
    else {
      const destinations = patch.destinations
        .map((raw, index) => validateDestination(raw, index, problems))
        .filter((d): d is SyslogDestination => Boolean(d));
      const describe = (list: SyslogDestination[]) =>
        list.map((d) => `${d.protocol}://${d.host}:${d.port}/${d.format}${d.enabled ? '' : '(off)'}`).join(',');
      if (describe(destinations) !== describe(next.destinations)) {
        changes.push({ setting: 'log.destinations', oldValue: describe(next.destinations), newValue: describe(destinations) });
      }
      next.destinations = destinations;
    }
  }
  if (problems.length > 0) throw new SettingsError(problems);
  return { settings: next, changes };
}

/** Validates a whole settings document (as read from the file) by applying it to the defaults. */
export function parseSettings(raw: unknown): LogSettings {
  return applyPatch(defaultLogSettings(), raw as LogSettingsPatch).settings;
}
