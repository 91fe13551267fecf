import { isIP } from 'node:net';
import { normalizeLevel, parseEmsDateTime, severityOf } from '../mappings/index.js';
import { emsMac } from './ems-decode.js';
import type { BodyProducer } from './producer.js';

/**
 * Lines from EMS's neighbours (reference §7): FortiClient endpoint logs, the same re-forwarded by FortiAnalyzer,
 * and FortiGate endpoint events. The catalogue does not type their fields, so every raw key is kept in the flat field
 * and the well-known ones are also placed in ECS.
 */
export const NEIGHBOUR_DATASETS = {
  forticlient: 'fortiems.forticlient',
  fortianalyzer: 'fortiems.forticlient',
  fortigate: 'fortiems.fortigate',
} as const;

const PRODUCT: Record<string, string> = { forticlient: 'FortiClient', fortianalyzer: 'FortiClient', fortigate: 'FortiGate' };

// Raw key → ECS path. The first key that fills a path wins.
const COMMON_ECS: readonly [string, string][] = [
  ['uid', 'host.id'],
  ['fctuid', 'host.id'],
  ['hostname', 'host.hostname'],
  ['hostname', 'host.name'],
  ['user', 'user.name'],
  ['deviceip', 'host.ip'],
  ['srcip', 'source.ip'],
  ['dstip', 'destination.ip'],
  ['remip', 'source.ip'],
  ['msg', 'message'],
  ['fctver', 'agent.version'],
  ['os', 'host.os.full'],
  ['action', 'event.action'],
  ['service', 'service.name'],
];

function setIfAbsent(document: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = document;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i] as string;
    if (typeof node[part] !== 'object' || node[part] === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  const last = parts[parts.length - 1] as string;
  if (node[last] === undefined) node[last] = value;
}

/** Seconds, milliseconds, microseconds or nanoseconds since the epoch, told apart by their digit count. */
function epochMillis(text: string | undefined): number | undefined {
  if (!text || !/^\d{9,19}$/.test(text)) return undefined;
  const digits = text.length;
  const value = Number(text);
  return digits >= 18 ? Math.floor(value / 1e6) : digits >= 15 ? Math.floor(value / 1e3) : digits >= 12 ? value : value * 1000;
}

/**
 * FortiGate's `eventtime` first: it is exact, while its `date`/`time` are the device's wall clock, whose zone (its `tz`)
 * need not be the source zone. Then `date=2026-11-22 time=10:00:01` in the source zone; FortiAnalyzer's `itime` (when it
 * received the log) last.
 */
function neighbourTime(pairs: Record<string, string>, zone: string): number | undefined {
  const eventTime = epochMillis(pairs.eventtime);
  if (eventTime !== undefined) return eventTime;
  if (pairs.date && pairs.time) {
    const instant = parseEmsDateTime(`${pairs.date} ${pairs.time.slice(0, 8)}`, zone);
    if (instant !== undefined) return instant;
  }
  return epochMillis(pairs.itime);
}

export function normalizeNeighbour(producer: Exclude<BodyProducer, 'ems' | 'unknown'>, pairs: Record<string, string>, zone: string) {
  const document: Record<string, unknown> = {};
  const problems: string[] = [];
  const related = { ip: [] as string[], user: [] as string[], hosts: [] as string[] };
  for (const [key, path] of COMMON_ECS) {
    const value = pairs[key];
    if (value === undefined || value === '') continue;
    if ((path.endsWith('.ip') || path === 'source.ip') && isIP(value) === 0) {
      problems.push(`${key}: not an IP address`);
      continue;
    }
    setIfAbsent(document, path, value);
    if (path.endsWith('.ip') && !related.ip.includes(value)) related.ip.push(value);
    if (path === 'user.name' && !related.user.includes(value)) related.user.push(value);
    if (path === 'host.hostname' && !related.hosts.includes(value)) related.hosts.push(value);
  }
  const mac = pairs.devicemac ? emsMac(pairs.devicemac) : undefined;
  if (mac) setIfAbsent(document, 'host.mac', mac.toUpperCase());
  const code = pairs.logid ?? pairs.id;
  if (code) setIfAbsent(document, 'event.code', code);
  const level = pairs.level ? normalizeLevel(pairs.level) : undefined;
  if (level) {
    setIfAbsent(document, 'log.level', level);
    setIfAbsent(document, 'event.severity', severityOf(level));
  }
  if (producer === 'fortigate') {
    if (pairs.devname) setIfAbsent(document, 'observer.hostname', pairs.devname);
    if (pairs.devid) setIfAbsent(document, 'observer.serial_number', pairs.devid);
  } else {
    if (pairs.devid) setIfAbsent(document, 'device.serial_number', pairs.devid);
    if (pairs.emsserial) setIfAbsent(document, 'observer.serial_number', pairs.emsserial);
  }
  setIfAbsent(document, 'observer.vendor', 'Fortinet');
  setIfAbsent(document, 'observer.product', PRODUCT[producer]);
  const time = neighbourTime(pairs, zone);
  if (related.ip.length + related.user.length + related.hosts.length > 0) {
    document.related = Object.fromEntries(Object.entries(related).filter(([, list]) => list.length > 0));
  }
  return { document, time, dataset: NEIGHBOUR_DATASETS[producer], problems };
}
