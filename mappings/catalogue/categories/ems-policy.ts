import { categorySchema, defineCategory } from '../define-category.js';
import { optional } from '../fields.js';

const config = { category: ['configuration'] } as const;

export const emsPolicy = defineCategory({
  name: 'ems-policy',
  dataset: 'fortiems.policy',
  services: ['fcems_deploy', 'fcems_das'],
  schema: categorySchema(
    'ems-policy',
    'Endpoint policies and profiles: changes, assignments, deployments',
    ['policy'],
    [
      optional('admin', 'string', { doc: 'Administrator who made the change', ecs: 'user.name' }),
      optional('policy', 'string', { doc: 'Endpoint policy name', ecs: 'rule.name' }),
      optional('policyid', 'int', { doc: 'Endpoint policy id', ecs: 'rule.id' }),
      optional('profile', 'string', { doc: 'Profile (VPN, web filter, ...) changed or assigned' }),
      optional('profiletype', 'string', { doc: 'Profile kind: system, vpn, ztna, webfilter, vulnerability, ...' }),
      optional('group', 'string', { doc: 'Endpoint group the policy targets', ecs: 'group.name' }),
      optional('endpoints', 'int', { doc: 'Endpoints a deployment targeted' }),
      optional('failed', 'int', { doc: 'Endpoints a deployment failed on' }),
      optional('reason', 'string', { doc: 'Failure reason', ecs: 'event.reason' }),
    ],
  ),
  events: [
    {
      id: 'policy-created',
      subtype: 'policy',
      level: 'notice',
      msg: 'Endpoint policy created',
      fields: ['admin', 'policy', 'policyid'],
      ecs: { ...config, type: ['creation'], outcome: 'success' },
    },
    {
      id: 'policy-modified',
      subtype: 'policy',
      level: 'notice',
      msg: 'Endpoint policy modified',
      fields: ['admin', 'policy', 'policyid'],
      ecs: { ...config, type: ['change'], outcome: 'success' },
    },
    {
      id: 'policy-deleted',
      subtype: 'policy',
      level: 'notice',
      msg: 'Endpoint policy deleted',
      fields: ['admin', 'policy', 'policyid'],
      ecs: { ...config, type: ['deletion'], outcome: 'success' },
    },
    {
      id: 'profile-modified',
      subtype: 'policy',
      level: 'notice',
      msg: 'Profile modified',
      fields: ['admin', 'profile', 'profiletype'],
      ecs: { ...config, type: ['change'], outcome: 'success' },
    },
    {
      id: 'policy-assigned',
      subtype: 'policy',
      level: 'notice',
      msg: 'Endpoint policy assigned to group',
      fields: ['admin', 'policy', 'group'],
      ecs: { ...config, type: ['change'], outcome: 'success' },
    },
    {
      id: 'policy-deployed',
      subtype: 'policy',
      level: 'information',
      msg: 'Policy deployment completed',
      fields: ['policy', 'group', 'endpoints', 'failed'],
      ecs: { ...config, type: ['change', 'installation'], outcome: 'success' },
    },
    {
      id: 'policy-deploy-failed',
      subtype: 'policy',
      level: 'error',
      msg: 'Policy deployment failed',
      fields: ['policy', 'group', 'endpoints', 'failed', 'reason'],
      ecs: { ...config, type: ['change', 'error'], outcome: 'failure' },
    },
  ],
});
