/**
 * Column sets for `events` panels. The columns are what a table shows at a glance; the search still returns the whole
 * `_source`, so a row opens onto every field and the raw line (`event.original`).
 */
const HEAD = ['@timestamp', 'observer.hostname', 'data_stream.dataset', 'log.level', 'event.action'] as const;
/** Last in every set: the line as EMS sent it, the evidence behind every parsed field. */
const RAW = 'event.original';

export const EVENT_COLUMNS = {
  /** Every board's common view, ending with the raw syslog line. */
  all: [...HEAD, 'host.hostname', 'user.name', 'source.ip', 'service.name', 'message', RAW],
  endpoint: [...HEAD, 'host.hostname', 'user.name', 'user.target.name', 'event.reason', 'message', RAW],
  admin: [...HEAD, 'user.name', 'source.ip', 'source.geo.country_iso_code', 'ems.failcount', 'event.reason', 'message', RAW],
  vpn: [...HEAD, 'user.target.name', 'host.hostname', 'source.ip', 'source.geo.country_iso_code', 'destination.ip', 'event.reason', RAW],
  directory: [...HEAD, 'user.domain', 'server.address', 'ems.task', 'error.code', 'event.reason', 'message', RAW],
  update: [...HEAD, 'package.name', 'package.version', 'host.hostname', 'server.address', 'event.reason', 'message', RAW],
  error: [...HEAD, 'service.name', 'ems.peer', 'error.code', 'host.hostname', 'event.reason', 'message', RAW],
  /** A detection: where, which file, which malware, what the endpoint did with it. */
  malware: [
    '@timestamp',
    'host.hostname',
    'file.path',
    'threat.software.name',
    'threat.software.type',
    'ems.action',
    'ems.detectedby',
    'user.name',
    'data_stream.dataset',
    RAW,
  ],
} as const satisfies Record<string, readonly string[]>;
