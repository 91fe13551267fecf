import { categorySchema, defineCategory } from '../define-category.js';
import { optional } from '../fields.js';

export const emsError = defineCategory({
  name: 'ems-error',
  dataset: 'fortiems.error',
  services: [],
  schema: categorySchema(
    'ems-error',
    'Failures: crashes, and communication errors with endpoints, directories, FDS, the database or FortiOS',
    ['error'],
    [
      optional('service', 'string', { doc: 'EMS service that failed or reported', ecs: 'service.name' }),
      optional('peer', 'string', { doc: 'The other side: endpoint, ad, fds, database, fortios' }),
      optional('errcode', 'string', { doc: 'Error code', ecs: 'error.code' }),
      optional('reason', 'string', { doc: 'Error text', ecs: ['event.reason', 'error.message'] }),
    ],
  ),
  events: [
    {
      id: 'service-crashed',
      subtype: 'error',
      level: 'critical',
      msg: 'Service crashed',
      fields: ['service', 'errcode', 'reason'],
      ecs: { category: ['process'], type: ['end', 'error'], outcome: 'failure' },
    },
    {
      id: 'endpoint-comm-error',
      subtype: 'error',
      level: 'error',
      msg: 'Communication with endpoint failed',
      endpoint: true,
      fields: ['service', 'peer', 'reason'],
      ecs: { category: ['network'], type: ['error'], outcome: 'failure' },
    },
    {
      id: 'new-endpoint-rejected',
      subtype: 'error',
      level: 'error',
      msg: 'New endpoint could not connect: probe service down',
      endpoint: true,
      fields: ['service', 'peer', 'reason'],
      ecs: { category: ['network'], type: ['error', 'denied'], outcome: 'failure' },
    },
    {
      id: 'directory-error',
      subtype: 'error',
      level: 'error',
      msg: 'Directory communication error',
      fields: ['service', 'peer', 'errcode', 'reason'],
      ecs: { category: ['iam', 'network'], type: ['error'], outcome: 'failure' },
    },
    {
      id: 'fds-error',
      subtype: 'error',
      level: 'error',
      msg: 'FortiGuard communication error',
      fields: ['service', 'peer', 'errcode', 'reason'],
      ecs: { category: ['network', 'package'], type: ['error'], outcome: 'failure' },
    },
    {
      id: 'database-error',
      subtype: 'error',
      level: 'critical',
      msg: 'Database error',
      fields: ['service', 'peer', 'errcode', 'reason'],
      ecs: { category: ['process'], type: ['error'], outcome: 'failure' },
    },
    {
      id: 'fortios-error',
      subtype: 'error',
      level: 'error',
      msg: 'FortiOS notification failed',
      fields: ['service', 'peer', 'reason'],
      ecs: { category: ['network'], type: ['error'], outcome: 'failure' },
    },
  ],
});
