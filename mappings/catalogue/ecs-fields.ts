/**
 * The ECS fields the catalogue maps vendor fields onto, with their OpenSearch field types.
 * A catalogue field may only name a field listed here (checked at compile time), so every ECS target has one type.
 */
export const ECS_FIELDS = {
  '@timestamp': 'date',
  'agent.type': 'keyword',
  'agent.version': 'keyword',
  'destination.address': 'keyword',
  'destination.as.number': 'long',
  'destination.as.organization.name': 'keyword',
  'destination.bytes': 'long',
  'destination.domain': 'keyword',
  'destination.geo.country_iso_code': 'keyword',
  'destination.ip': 'ip',
  'destination.port': 'long',
  'device.serial_number': 'keyword',
  'error.code': 'keyword',
  'error.message': 'text',
  'error.type': 'keyword',
  'event.action': 'keyword',
  'event.category': 'keyword',
  'event.code': 'keyword',
  'event.dataset': 'keyword',
  'event.duration': 'long',
  'event.id': 'keyword',
  'event.ingested': 'date',
  'event.kind': 'keyword',
  'event.module': 'keyword',
  'event.original': 'keyword',
  'event.outcome': 'keyword',
  'event.reason': 'keyword',
  'event.severity': 'long',
  'event.type': 'keyword',
  'file.name': 'keyword',
  'file.path': 'keyword',
  'group.name': 'keyword',
  'host.hostname': 'keyword',
  'host.id': 'keyword',
  'host.ip': 'ip',
  'host.mac': 'keyword',
  'host.name': 'keyword',
  'host.os.full': 'keyword',
  'host.os.type': 'keyword',
  'log.level': 'keyword',
  'log.syslog.appname': 'keyword',
  'log.syslog.facility.code': 'long',
  'log.syslog.facility.name': 'keyword',
  'log.syslog.hostname': 'keyword',
  'log.syslog.msgid': 'keyword',
  'log.syslog.priority': 'long',
  'log.syslog.procid': 'keyword',
  'log.syslog.severity.code': 'long',
  'log.syslog.severity.name': 'keyword',
  // One field whatever the SD-IDs: the sender chooses them (generic syslog lines, parsers/generic-syslog.ts).
  'log.syslog.structured_data': 'flat_object',
  'log.syslog.version': 'keyword',
  message: 'text',
  'network.application': 'keyword',
  'network.bytes': 'long',
  'network.direction': 'keyword',
  'network.iana_number': 'keyword',
  'network.protocol': 'keyword',
  'network.transport': 'keyword',
  'network.type': 'keyword',
  'observer.hostname': 'keyword',
  'observer.product': 'keyword',
  'observer.serial_number': 'keyword',
  'observer.type': 'keyword',
  'observer.vendor': 'keyword',
  'observer.version': 'keyword',
  'package.name': 'keyword',
  'package.version': 'keyword',
  'process.name': 'keyword',
  'process.pid': 'long',
  'related.hosts': 'keyword',
  'related.ip': 'ip',
  'related.user': 'keyword',
  'rule.category': 'keyword',
  'rule.id': 'keyword',
  'rule.name': 'keyword',
  'server.address': 'keyword',
  'server.domain': 'keyword',
  'service.name': 'keyword',
  'source.as.number': 'long',
  'source.as.organization.name': 'keyword',
  'source.bytes': 'long',
  'source.geo.country_iso_code': 'keyword',
  'source.ip': 'ip',
  'source.port': 'long',
  tags: 'keyword',
  'threat.software.name': 'keyword',
  'threat.software.type': 'keyword',
  'tls.client.x509.serial_number': 'keyword',
  'tls.client.x509.subject.common_name': 'keyword',
  'tls.version': 'keyword',
  'url.domain': 'keyword',
  'url.full': 'keyword',
  'url.path': 'keyword',
  'user.changes.roles': 'keyword',
  'user.domain': 'keyword',
  'user.name': 'keyword',
  'user.target.name': 'keyword',
  'user.target.roles': 'keyword',
  'vulnerability.category': 'keyword',
  'vulnerability.description': 'keyword',
  'vulnerability.id': 'keyword',
  'vulnerability.score.base': 'float',
  'vulnerability.severity': 'keyword',
} as const;

export type EcsFieldName = keyof typeof ECS_FIELDS;
export type OpenSearchFieldType = (typeof ECS_FIELDS)[EcsFieldName] | 'flat_object' | 'alias' | 'object' | 'boolean';

/** ECS event categorisation values used by the catalogue (ECS 8.x allowed values). */
export type EcsEventCategory =
  | 'authentication'
  | 'configuration'
  | 'file'
  | 'host'
  | 'iam'
  | 'intrusion_detection'
  | 'malware'
  | 'network'
  | 'package'
  | 'process'
  | 'session'
  | 'threat'
  | 'vulnerability'
  | 'web';
export type EcsEventType =
  | 'access'
  | 'admin'
  | 'allowed'
  | 'change'
  | 'connection'
  | 'creation'
  | 'deletion'
  | 'denied'
  | 'end'
  | 'error'
  | 'group'
  | 'info'
  | 'installation'
  | 'start'
  | 'user';
export type EcsOutcome = 'success' | 'failure' | 'unknown';
