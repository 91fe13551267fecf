/** One managed endpoint as EMS knows it; the inventory API serves these fields. */
export type OsFamily = 'windows' | 'macos' | 'linux' | 'ios' | 'android' | 'chromeos';

export type EndpointStatus = 'unregistered' | 'offline' | 'online' | 'quarantined' | 'deregistered';

export interface Endpoint {
  uid: string;
  devid: string;
  hostname: string;
  user: string;
  osFamily: OsFamily;
  os: string;
  fctver: string;
  deviceip: string;
  devicemac: string;
  /** Where a remote endpoint's traffic comes from; undefined for office endpoints. */
  publicIp: string | undefined;
  remote: boolean;
  groups: string[];
  ztnaTags: string[];
  policy: string;
  status: EndpointStatus;
  /** Compliance as EMS evaluates it from posture. */
  compliant: boolean;
  lastSeen: number | undefined;
}

/** The read-only view the inventory API and the pipeline's enrichment get. */
export interface InventoryEntry {
  uid: string;
  devid: string;
  hostname: string;
  user: string;
  os: string;
  osFamily: OsFamily;
  fctver: string;
  ip: string;
  mac: string;
  groups: string[];
  tags: string[];
  policy: string;
  status: EndpointStatus;
  compliant: boolean;
  lastSeen: string | null;
}

export function toInventoryEntry(endpoint: Endpoint): InventoryEntry {
  return {
    uid: endpoint.uid,
    devid: endpoint.devid,
    hostname: endpoint.hostname,
    user: endpoint.user,
    os: endpoint.os,
    osFamily: endpoint.osFamily,
    fctver: endpoint.fctver,
    ip: endpoint.deviceip,
    mac: endpoint.devicemac,
    groups: [...endpoint.groups],
    tags: [...endpoint.ztnaTags],
    policy: endpoint.policy,
    status: endpoint.status,
    compliant: endpoint.compliant,
    lastSeen: endpoint.lastSeen === undefined ? null : new Date(endpoint.lastSeen).toISOString(),
  };
}
