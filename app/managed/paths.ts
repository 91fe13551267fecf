import { homedir } from 'node:os';
import { join } from 'node:path';
import { isRoot } from './service-user.js';

/**
 * Where fortiems keeps downloads (cache) and running instances (state), for every managed server.
 * As root the defaults move out of /root, which the unprivileged service users cannot traverse.
 */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FORTIEMS_CACHE_DIR) return env.FORTIEMS_CACHE_DIR;
  if (isRoot()) return '/var/cache/fortiems';
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'fortiems');
}

export function stateRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FORTIEMS_STATE_DIR) return env.FORTIEMS_STATE_DIR;
  if (isRoot()) return '/var/lib/fortiems';
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'fortiems');
}
