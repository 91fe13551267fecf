import { categorySchema, defineCategory } from '../define-category.js';
import { IP, optional } from '../fields.js';

const auth = { category: ['authentication'] } as const;

export const emsAuthentication = defineCategory({
  name: 'ems-authentication',
  dataset: 'fortiems.authentication',
  services: ['apache2'],
  schema: categorySchema(
    'ems-authentication',
    'EMS console and API administrator authentication, and administrator account changes',
    ['auth'],
    [
      optional('admin', 'string', { doc: 'Administrator account', ecs: 'user.name' }),
      optional('srcip', IP, { doc: 'Address the administrator connected from', ecs: 'source.ip' }),
      optional('ui', 'string', { doc: 'GUI or API' }),
      optional('method', 'string', { doc: 'local, ldap, radius, saml' }),
      optional('failcount', 'int', { doc: 'Consecutive failed attempts for the account' }),
      optional('lockoutdur', 'int', { doc: 'Lockout length in seconds' }),
      optional('reason', 'string', { doc: 'Failure reason', ecs: 'event.reason' }),
      optional('targetadmin', 'string', { doc: 'Administrator account created, deleted or changed', ecs: 'user.target.name' }),
      optional('role', 'string', {
        doc: "The account's administrator role (before the change, for a role change)",
        ecs: 'user.target.roles',
      }),
      optional('newrole', 'string', { doc: 'The role after a role change', ecs: 'user.changes.roles' }),
    ],
  ),
  events: [
    {
      id: 'admin-login',
      subtype: 'auth',
      level: 'information',
      msg: 'Administrator logged in',
      fields: ['admin', 'srcip', 'ui', 'method'],
      ecs: { ...auth, type: ['start'], outcome: 'success' },
    },
    {
      id: 'admin-logout',
      subtype: 'auth',
      level: 'information',
      msg: 'Administrator logged out',
      fields: ['admin', 'srcip', 'ui'],
      ecs: { ...auth, type: ['end'], outcome: 'success' },
    },
    {
      id: 'admin-login-failed',
      subtype: 'auth',
      level: 'warning',
      msg: 'Administrator login failed',
      fields: ['admin', 'srcip', 'ui', 'method', 'failcount', 'reason'],
      ecs: { ...auth, type: ['start'], outcome: 'failure' },
    },
    {
      id: 'admin-locked-out',
      subtype: 'auth',
      level: 'alert',
      msg: 'Administrator account locked out',
      fields: ['admin', 'srcip', 'failcount', 'lockoutdur'],
      ecs: { category: ['authentication', 'iam'], type: ['user', 'change'], outcome: 'success' },
    },
    {
      id: 'admin-session-timeout',
      subtype: 'auth',
      level: 'information',
      msg: 'Administrator session timed out',
      fields: ['admin', 'srcip', 'ui'],
      ecs: { ...auth, type: ['end'], outcome: 'success' },
    },
    // Administrator accounts are managed in the same console (apache2), and a SOC reads them with the logins: an
    // account created and given full rights at 3 a.m. is an authentication story.
    {
      id: 'admin-account-created',
      subtype: 'auth',
      level: 'notice',
      msg: 'Administrator account created',
      fields: ['admin', 'srcip', 'targetadmin', 'role'],
      ecs: { category: ['iam'], type: ['user', 'creation'], outcome: 'success' },
    },
    {
      id: 'admin-account-deleted',
      subtype: 'auth',
      level: 'notice',
      msg: 'Administrator account deleted',
      fields: ['admin', 'srcip', 'targetadmin', 'role'],
      ecs: { category: ['iam'], type: ['user', 'deletion'], outcome: 'success' },
    },
    {
      id: 'admin-role-changed',
      subtype: 'auth',
      level: 'warning',
      msg: 'Administrator role changed',
      fields: ['admin', 'srcip', 'targetadmin', 'role', 'newrole'],
      ecs: { category: ['iam'], type: ['user', 'change'], outcome: 'success' },
    },
  ],
});
