import { execFileSync } from 'node:child_process';
import { chownSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ActionableError } from '../../platform/errors.js';

/** OpenSearch refuses to start as root; as root we run it as this unprivileged system user. */
export const SERVICE_USER = 'fortiems-opensearch';
/** Kafka would run as root, but a network server has no business with root's rights: the same model, its own user. */
export const KAFKA_SERVICE_USER = 'fortiems-kafka';

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
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: 'pipe' }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: 'pipe' }).trim());
    return { uid, gid, name };
  } catch {
    return undefined;
  }
}

/** Returns the identity to run a managed server as: the current user, or (as root) the service user, created once. */
export function ensureServiceIdentity(user = SERVICE_USER): ServiceIdentity | undefined {
  if (!isRoot()) return undefined;
  const existing = lookupUser(user);
  if (existing) return existing;
  try {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', user], {
      stdio: 'pipe',
    });
  } catch (error) {
    throw new ActionableError(
      `running as root, and the unprivileged user '${user}' could not be created`,
      `create it yourself (useradd --system --user-group ${user}) or run fortiems as a normal user`,
      String((error as { stderr?: Buffer }).stderr ?? error),
    );
  }
  const created = lookupUser(user);
  if (!created) throw new ActionableError(`user '${user}' was created but cannot be found`, 'check /etc/passwd');
  return created;
}

/** Hands a folder tree to the service user so the server can write its data, logs and config there. */
export function chownTree(path: string, identity: ServiceIdentity | undefined): void {
  if (!identity) return;
  chownSync(path, identity.uid, identity.gid);
  const stat = lstatSync(path);
  if (!stat.isDirectory()) return;
  for (const entry of readdirSync(path)) chownTree(join(path, entry), identity);
}
