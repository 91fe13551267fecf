import { execFileSync } from 'node:child_process';
import { chownSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ActionableError } from '../../platform/errors.js';

/** OpenSearch refuses to start as root; as root we run it as this unprivileged system user. */
export const SERVICE_USER = 'fortiems-opensearch';

export interface ServiceIdentity {
  uid: number;
  gid: number;
  name: string;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function lookupUser(name: string): ServiceIdentity | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
    return { uid, gid, name };
  } catch {
    return undefined;
  }
}

/** Returns the identity to run OpenSearch as: the current user, or (as root) the service user, created once. */
export function ensureServiceIdentity(): ServiceIdentity | undefined {
  if (!isRoot()) return undefined;
  const existing = lookupUser(SERVICE_USER);
  if (existing) return existing;
  try {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', SERVICE_USER], {
      stdio: 'pipe',
    });
  } catch (error) {
    throw new ActionableError(
      `running as root, and the unprivileged user '${SERVICE_USER}' could not be created`,
      `create it yourself (useradd --system --user-group ${SERVICE_USER}) or run fortiems as a normal user`,
      String((error as { stderr?: Buffer }).stderr ?? error),
    );
  }
  const created = lookupUser(SERVICE_USER);
  if (!created) throw new ActionableError(`user '${SERVICE_USER}' was created but cannot be found`, 'check /etc/passwd');
  return created;
}

/** Hands a folder tree to the service user so OpenSearch can write its data, logs and config there. */
export function chownTree(path: string, identity: ServiceIdentity | undefined): void {
  if (!identity) return;
  chownSync(path, identity.uid, identity.gid);
  const stat = lstatSync(path);
  if (!stat.isDirectory()) return;
  for (const entry of readdirSync(path)) chownTree(join(path, entry), identity);
}
