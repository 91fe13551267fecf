import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The console's admin password when the configuration sets none: there is no anonymous access, so one is generated
 * once, kept (mode 0600) in the data folder and reused, so a restart does not log everyone out of a new password.
 */
export function consolePassword(configured: string | undefined, dataDir: string): { password: string; file?: string } {
  if (configured) return { password: configured };
  const file = join(dataDir, 'console-admin-password');
  if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored.length >= 8) return { password: stored, file };
  }
  mkdirSync(dataDir, { recursive: true });
  const password = randomBytes(15).toString('base64url');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return { password, file };
}
