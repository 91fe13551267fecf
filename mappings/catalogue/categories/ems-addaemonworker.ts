import { categorySchema, defineCategory } from '../define-category.js';
import { optional } from '../fields.js';

const task = { category: ['process', 'iam'] } as const;

export const emsAddaemonworker = defineCategory({
  name: 'ems-addaemonworker',
  dataset: 'fortiems.addaemonworker',
  services: ['fcems_addaemon', 'fcems_adtask', 'fcems_adevtsrv'],
  schema: categorySchema(
    'ems-addaemonworker',
    'Background Active Directory worker tasks',
    ['addaemon'],
    [
      optional('service', 'string', { doc: 'Worker service', ecs: 'service.name' }),
      optional('task', 'string', { doc: 'Task kind: full-sync, delta-sync, group-refresh, computer-import' }),
      optional('taskid', 'long', { doc: 'Task id' }),
      optional('domain', 'string', { doc: 'Directory domain', ecs: 'user.domain' }),
      optional('items', 'int', { doc: 'Objects processed' }),
      optional('duration', 'int', { doc: 'Task duration in milliseconds' }),
      optional('reason', 'string', { doc: 'Failure reason', ecs: 'event.reason' }),
    ],
  ),
  events: [
    {
      id: 'ad-task-started',
      subtype: 'addaemon',
      level: 'debug',
      msg: 'AD task started',
      fields: ['service', 'task', 'taskid', 'domain'],
      ecs: { ...task, type: ['start'], outcome: 'unknown' },
    },
    {
      id: 'ad-task-completed',
      subtype: 'addaemon',
      level: 'information',
      msg: 'AD task completed',
      fields: ['service', 'task', 'taskid', 'domain', 'items', 'duration'],
      ecs: { ...task, type: ['end'], outcome: 'success' },
    },
    {
      id: 'ad-task-failed',
      subtype: 'addaemon',
      level: 'error',
      msg: 'AD task failed',
      fields: ['service', 'task', 'taskid', 'domain', 'reason'],
      ecs: { ...task, type: ['end', 'error'], outcome: 'failure' },
    },
    {
      id: 'ad-task-stopped',
      subtype: 'addaemon',
      level: 'notice',
      msg: 'AD task stopped',
      fields: ['service', 'task', 'taskid', 'reason'],
      ecs: { ...task, type: ['end'], outcome: 'unknown' },
    },
  ],
});
