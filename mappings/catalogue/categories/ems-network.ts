import { categorySchema, defineCategory } from '../define-category.js';
import { IP, optional } from '../fields.js';

const connection = { category: ['network'], type: ['connection'] } as const;

export const emsNetwork = defineCategory({
  name: 'ems-network',
  dataset: 'fortiems.network',
  services: ['fcems_ecsocksrv', 'fcems_probe'],
  schema: categorySchema(
    'ems-network',
    'Endpoint connections to EMS: probes, connections, TLS and certificate checks',
    ['network'],
    [
      optional('srcip', IP, { doc: 'Address the endpoint connected from', ecs: 'source.ip' }),
      optional('srcport', 'int', { doc: 'Source port', ecs: 'source.port' }),
      optional('dstport', 'int', { doc: 'EMS port the endpoint connected to (8013 telemetry)', ecs: 'destination.port' }),
      optional('service', 'string', { doc: 'EMS service that handled the connection', ecs: 'service.name' }),
      optional('certstatus', 'string', { doc: 'Result of the EMS certificate check: valid, invalid, expired, untrusted' }),
      optional(
        'certaction',
        { type: 'enum', name: 'CertAction', symbols: ['allow', 'deny'] },
        { doc: 'Configured action for an invalid certificate' },
      ),
      optional('tlsver', 'string', { doc: 'TLS protocol version', ecs: 'tls.version' }),
      optional('reason', 'string', { doc: 'Why a connection failed or closed', ecs: 'event.reason' }),
    ],
  ),
  events: [
    {
      id: 'probe-received',
      subtype: 'network',
      level: 'debug',
      msg: 'Probe request received',
      endpoint: true,
      fields: ['srcip', 'service'],
      ecs: { ...connection, type: ['connection', 'start'], outcome: 'success' },
    },
    {
      id: 'connection-accepted',
      subtype: 'network',
      level: 'information',
      msg: 'Connection accepted',
      endpoint: true,
      fields: ['srcip', 'srcport', 'dstport', 'service', 'certstatus', 'tlsver'],
      ecs: { ...connection, type: ['connection', 'allowed'], outcome: 'success' },
    },
    {
      id: 'connection-closed',
      subtype: 'network',
      level: 'information',
      msg: 'Connection closed',
      endpoint: true,
      fields: ['srcip', 'service'],
      ecs: { ...connection, type: ['connection', 'end'], outcome: 'success' },
    },
    {
      id: 'connection-refused',
      subtype: 'network',
      level: 'warning',
      msg: 'Connection refused',
      endpoint: true,
      fields: ['srcip', 'service', 'reason'],
      ecs: { ...connection, type: ['connection', 'denied'], outcome: 'failure' },
    },
    {
      id: 'tls-handshake-failed',
      subtype: 'network',
      level: 'warning',
      msg: 'TLS handshake failed',
      endpoint: true,
      fields: ['srcip', 'service', 'reason'],
      ecs: { ...connection, type: ['connection', 'error'], outcome: 'failure' },
    },
    {
      id: 'invalid-certificate-allowed',
      subtype: 'network',
      level: 'warning',
      msg: 'Invalid certificate, connection allowed by policy',
      endpoint: true,
      fields: ['srcip', 'service', 'certstatus', 'certaction'],
      ecs: { ...connection, type: ['connection', 'allowed'], outcome: 'success' },
    },
    {
      id: 'invalid-certificate-denied',
      subtype: 'network',
      level: 'warning',
      msg: 'Invalid certificate, connection denied',
      endpoint: true,
      fields: ['srcip', 'service', 'certstatus', 'certaction'],
      ecs: { ...connection, type: ['connection', 'denied'], outcome: 'failure' },
    },
  ],
});
