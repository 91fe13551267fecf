import { EMS_DATETIME, IP, LEVEL, MAC, optional, required } from './fields.js';

/** Fields at the head of every EMS body, in the observed order (reference §3). */
export const HEAD_FIELDS = [
  required('dtime', EMS_DATETIME, { doc: 'EMS local time of the event, no zone', ecs: '@timestamp' }),
  optional('device_id', 'string', { doc: 'Added right after dtime by older EMS builds' }),
  optional('logid', 'string', { doc: 'Log id, shown by some deployments', ecs: 'event.code' }),
  required('type', { type: 'enum', name: 'LogType', symbols: ['event'] }, { doc: 'Always `event` for EMS server logs' }),
] as const;

export const LEVEL_FIELD = required('level', LEVEL, { doc: 'Severity word', ecs: 'log.level' });

/** Present whenever the event concerns one endpoint. */
export const ENDPOINT_FIELDS = [
  optional('devid', 'string', {
    doc: 'FortiClient device id: FCT + 13 characters',
    ecs: 'device.serial_number',
    pattern: '^FCT[0-9A-Z]{13}$',
  }),
  optional('uid', 'string', { doc: 'FortiClient UID: 32 upper-case hex characters', ecs: 'host.id', pattern: '^[0-9A-F]{32}$' }),
  optional('hostname', 'string', { doc: 'Endpoint host name', ecs: ['host.hostname', 'host.name'] }),
  optional('user', 'string', { doc: 'User logged on to the endpoint', ecs: 'user.name' }),
  optional('deviceip', IP, { doc: 'Endpoint IP address', ecs: 'host.ip' }),
  optional('devicemac', MAC, { doc: 'Endpoint MAC, lower-case and hyphenated', ecs: 'host.mac' }),
] as const;

export const OBSERVER_FIELDS = [
  required('emsserial', 'string', { doc: 'EMS serial: FCTEMS + 10 digits', ecs: 'observer.serial_number', pattern: '^FCTEMS[0-9]{10}$' }),
] as const;

export const ENDPOINT_TAIL_FIELDS = [optional('os', 'string', { doc: 'Endpoint operating system', ecs: 'host.os.full' })] as const;

export const MESSAGE_FIELD = required('msg', 'string', { doc: 'The event message (the catalogue vocabulary)', ecs: 'message' });

export const TAIL_FIELDS = [
  optional('usingpolicy', 'string', { doc: 'Endpoint profile in force: Global or a profile name' }),
  required('emshostname', 'string', { doc: 'EMS server host name; may be empty', ecs: 'observer.hostname' }),
  required('vd', 'string', { doc: 'Virtual domain / site, "default" unless multi-tenant' }),
  optional('fctver', 'string', { doc: 'FortiClient version of the endpoint', ecs: 'agent.version' }),
] as const;
