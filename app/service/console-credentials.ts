import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makePrivateDirSync, writePrivateFileSync } from '../../platform/fs/private-files.js';

export interface ConsoleCredentials {
  password: string;
  /** Where a generated password is kept (absent when the configuration sets one). */
  file?: string;
  /** True only when this call made the password: the one time it may be shown. */
  generated: boolean;
}

/**
 * The console's admin password when the configuration sets none: there is no anonymous access, so one is generated
 * once, kept (mode 0600, in a 0700 folder) in the data folder and reused, so a restart does not log everyone out of a
 * new password.
 */
export function consolePassword(configured: string | undefined, dataDir: string): ConsoleCredentials {
  if (configured) return { password: configured, generated: false };
  const file = join(dataDir, 'console-admin-password');
  if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored.length >= 8) return { password: stored, file, generated: false };
  }
  makePrivateDirSync(dataDir);
  const password = randomBytes(15).toString('base64url');
  writePrivateFileSync(file, `${password}\n`);
  return { password, file, generated: true };
}
