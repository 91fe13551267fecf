import { isIP } from 'node:net';
import { normalizeLevel, severityOf } from '../mappings/index.js';
import { emsMac } from './ems-decode.js';
import { neighbourTime } from './neighbour-time.js';

/**
 * FortiGate's endpoint events about FortiClient and EMS (reference §7). The catalogue does not type their fields, so
 * every raw key is kept in the flat field and the well-known ones are also placed in ECS. (FortiClient's own lines,
 * direct or forwarded by FortiAnalyzer, are typed against the FORTICLIENT producer schema: parse-line.ts.)
 */
export const FORTIGATE_DATASET = 'fortiems.fortigate';

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

export function normalizeFortigate(pairs: Record<string, string>, zone: string) {
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
  if (pairs.devname) setIfAbsent(document, 'observer.hostname', pairs.devname);
  if (pairs.devid) setIfAbsent(document, 'observer.serial_number', pairs.devid);
  setIfAbsent(document, 'observer.vendor', 'Fortinet');
  setIfAbsent(document, 'observer.product', 'FortiGate');
  const time = neighbourTime(pairs, zone, problems);
  if (related.ip.length + related.user.length + related.hosts.length > 0) {
    document.related = Object.fromEntries(Object.entries(related).filter(([, list]) => list.length > 0));
  }
  return { document, time, dataset: FORTIGATE_DATASET, problems };
}
