import { categorySchema, defineCategory } from '../define-category.js';
import { optional } from '../fields.js';

const iam = { category: ['iam'] } as const;

export const emsAdconnector = defineCategory({
  name: 'ems-adconnector',
  dataset: 'fortiems.adconnector',
  services: ['fcems_adconnector'],
  schema: categorySchema(
    'ems-adconnector',
    'Active Directory and Entra ID connectors: connection, sync, LDAP queries, errors',
    ['adconnector'],
    [
      optional('connector', 'string', { doc: 'Connector kind: ad or entra' }),
      optional('domain', 'string', { doc: 'Directory domain', ecs: 'user.domain' }),
      optional('server', 'string', { doc: 'Directory server host', ecs: 'server.address' }),
      optional('users', 'int', { doc: 'Users synchronized' }),
      optional('groups', 'int', { doc: 'Groups synchronized' }),
      optional('duration', 'int', { doc: 'Sync or query duration in milliseconds' }),
      optional('query', 'string', { doc: 'LDAP filter' }),
      optional('errcode', 'string', { doc: 'Directory error code', ecs: 'error.code' }),
      optional('reason', 'string', { doc: 'Failure reason', ecs: 'event.reason' }),
    ],
  ),
  events: [
    {
      id: 'ad-connected',
      subtype: 'adconnector',
      level: 'information',
      msg: 'Connected to directory server',
      fields: ['connector', 'domain', 'server'],
      ecs: { ...iam, type: ['info'], outcome: 'success' },
    },
    {
      id: 'ad-sync-started',
      subtype: 'adconnector',
      level: 'information',
      msg: 'Directory sync started',
      fields: ['connector', 'domain'],
      ecs: { ...iam, type: ['start'], outcome: 'unknown' },
    },
    {
      id: 'ad-sync-completed',
      subtype: 'adconnector',
      level: 'information',
      msg: 'Directory sync completed',
      fields: ['connector', 'domain', 'users', 'groups', 'duration'],
      ecs: { ...iam, type: ['end'], outcome: 'success' },
    },
    {
      id: 'ad-ldap-query',
      subtype: 'adconnector',
      level: 'debug',
      msg: 'LDAP query',
      fields: ['connector', 'domain', 'server', 'query', 'duration'],
      ecs: { ...iam, type: ['access'], outcome: 'success' },
    },
    {
      id: 'ad-credential-error',
      subtype: 'adconnector',
      level: 'error',
      msg: 'Directory bind failed: invalid credentials',
      fields: ['connector', 'domain', 'server', 'errcode', 'reason'],
      ecs: { category: ['iam', 'authentication'], type: ['error'], outcome: 'failure' },
    },
    {
      id: 'ad-network-error',
      subtype: 'adconnector',
      level: 'error',
      msg: 'Directory server unreachable',
      fields: ['connector', 'domain', 'server', 'errcode', 'reason'],
      ecs: { category: ['iam', 'network'], type: ['error'], outcome: 'failure' },
    },
    {
      id: 'ad-sync-failed',
      subtype: 'adconnector',
      level: 'error',
      msg: 'Directory sync failed',
      fields: ['connector', 'domain', 'reason'],
      ecs: { ...iam, type: ['end', 'error'], outcome: 'failure' },
    },
  ],
});
