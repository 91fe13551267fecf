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
  return keptSecret(configured, join(dataDir, 'console-admin-password'), dataDir);
}

/**
 * The bearer token of GET /tap (`fortiems tap`) when `http.tap_token` is not set: like the console's password,
 * generated once and kept in `<data_dir>/tap-token` (0600), where `fortiems tap` on the same host reads it.
 */
export function tapToken(configured: string | undefined, dataDir: string): ConsoleCredentials {
  return keptSecret(configured, join(dataDir, TAP_TOKEN_FILE), dataDir, 24);
}

export const TAP_TOKEN_FILE = 'tap-token';

function keptSecret(configured: string | undefined, file: string, dataDir: string, bytes = 15): ConsoleCredentials {
  if (configured) return { password: configured, generated: false };
  if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored.length >= 8) return { password: stored, file, generated: false };
  }
  makePrivateDirSync(dataDir);
  const password = randomBytes(bytes).toString('base64url');
  writePrivateFileSync(file, `${password}\n`);
  return { password, file, generated: true };
}
