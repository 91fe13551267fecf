import { categorySchema, defineCategory } from '../define-category.js';
import { optional } from '../fields.js';

const pkg = { category: ['package'] } as const;

export const emsUpdate = defineCategory({
  name: 'ems-update',
  dataset: 'fortiems.update',
  services: ['fcems_update', 'fcems_ftntdbimporter', 'fcems_deploy'],
  schema: categorySchema(
    'ems-update',
    'FortiGuard (FDS) database updates, installers, FortiClient upgrades, EMS software updates',
    ['update'],
    [
      optional('component', 'string', {
        doc: 'What was updated: av-signatures, vuln-db, installer-list, forticlient, ems',
        ecs: 'package.name',
      }),
      optional('fromver', 'string', { doc: 'Version before' }),
      optional('tover', 'string', { doc: 'Version after (or targeted)', ecs: 'package.version' }),
      optional('server', 'string', { doc: 'Update server (FDS)', ecs: 'server.address' }),
      optional('endpoints', 'int', { doc: 'Endpoints an upgrade targeted' }),
      optional('failed', 'int', { doc: 'Endpoints an upgrade failed on' }),
      optional('reason', 'string', { doc: 'Failure reason', ecs: 'event.reason' }),
    ],
  ),
  events: [
    {
      id: 'fds-update-started',
      subtype: 'update',
      level: 'debug',
      msg: 'FortiGuard update check started',
      fields: ['component', 'server'],
      ecs: { ...pkg, type: ['start'], outcome: 'unknown' },
    },
    {
      id: 'fds-update-completed',
      subtype: 'update',
      level: 'information',
      msg: 'FortiGuard database updated',
      fields: ['component', 'fromver', 'tover', 'server'],
      ecs: { ...pkg, type: ['installation', 'change'], outcome: 'success' },
    },
    {
      id: 'fds-up-to-date',
      subtype: 'update',
      level: 'information',
      msg: 'FortiGuard database already up to date',
      fields: ['component', 'tover', 'server'],
      ecs: { ...pkg, type: ['info'], outcome: 'success' },
    },
    {
      id: 'fds-update-failed',
      subtype: 'update',
      level: 'error',
      msg: 'FortiGuard update failed',
      fields: ['component', 'server', 'reason'],
      ecs: { ...pkg, type: ['installation', 'error'], outcome: 'failure' },
    },
    {
      id: 'installer-list-updated',
      subtype: 'update',
      level: 'information',
      msg: 'FortiClient installer list updated',
      fields: ['component', 'tover'],
      ecs: { ...pkg, type: ['change'], outcome: 'success' },
    },
    {
      id: 'fct-upgrade-scheduled',
      subtype: 'update',
      level: 'notice',
      msg: 'FortiClient upgrade scheduled',
      fields: ['component', 'tover', 'endpoints'],
      ecs: { ...pkg, type: ['installation', 'start'], outcome: 'unknown' },
    },
    {
      id: 'fct-upgrade-completed',
      subtype: 'update',
      level: 'information',
      msg: 'FortiClient upgrade completed',
      endpoint: true,
      fields: ['component', 'fromver', 'tover'],
      ecs: { ...pkg, type: ['installation'], outcome: 'success' },
    },
    {
      id: 'fct-upgrade-failed',
      subtype: 'update',
      level: 'error',
      msg: 'FortiClient upgrade failed',
      endpoint: true,
      fields: ['component', 'fromver', 'tover', 'reason'],
      ecs: { ...pkg, type: ['installation', 'error'], outcome: 'failure' },
    },
    {
      id: 'ems-update-available',
      subtype: 'update',
      level: 'notice',
      msg: 'EMS software update available',
      fields: ['component', 'fromver', 'tover'],
      ecs: { ...pkg, type: ['info'], outcome: 'success' },
    },
  ],
});
