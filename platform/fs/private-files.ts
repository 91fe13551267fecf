/**
 * Spools, acks, locks, dead letters, detection cursors, the generated TLS key and the console password hold log data or
 * secrets: their folders are 0700 and their files 0600 whatever the process umask is. A mode passed at creation is
 * masked by the umask and ignored for a file that already exists, so every helper sets the mode explicitly afterwards.
 */
import { chmodSync, closeSync, fchmodSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { chmod, mkdir, open } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** The folders from the first one `mkdir -p` created down to `dir` (pre-existing parents are not ours to change). */
function createdChain(dir: string, firstCreated: string | undefined): string[] {
  const leaf = resolve(dir);
  if (firstCreated === undefined) return [leaf];
  const chain = [resolve(firstCreated)];
  for (const part of relative(chain[0] as string, leaf)
    .split(sep)
    .filter(Boolean))
    chain.push(resolve(chain[chain.length - 1] as string, part));
  return chain;
}

// A folder that was there before and belongs to someone else (data_dir: /srv/shared) cannot be narrowed by us; what we
// create inside it still is.
const notOwned = (error: unknown) => (error as NodeJS.ErrnoException).code === 'EPERM';

/** `mkdir -p`; the folders it created and `dir` itself end up 0700. Returns the first folder created, like `mkdir`. */
export async function makePrivateDir(dir: string): Promise<string | undefined> {
  const first = await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  for (const folder of createdChain(dir, first))
    await chmod(folder, PRIVATE_DIR_MODE).catch((error: unknown) => {
      if (first !== undefined || !notOwned(error)) throw error;
    });
  return first;
}

export function makePrivateDirSync(dir: string): string | undefined {
  const first = mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  for (const folder of createdChain(dir, first))
    try {
      chmodSync(folder, PRIVATE_DIR_MODE);
    } catch (error) {
      if (first !== undefined || !notOwned(error)) throw error;
    }
  return first;
}

/** Opens a file (flags as fs.open) that is 0600 before anything is written to it. */
export async function openPrivateFile(path: string, flags: string) {
  const handle = await open(path, flags, PRIVATE_FILE_MODE);
  try {
    await handle.chmod(PRIVATE_FILE_MODE);
  } catch (error) {
    await handle.close();
    throw error;
  }
  return handle;
}

/** Writes (or, with flag 'a', appends) text to a 0600 file. */
export async function writePrivateFile(path: string, data: string, flags = 'w'): Promise<void> {
  const handle = await openPrivateFile(path, flags);
  try {
    await handle.writeFile(data, 'utf8');
  } finally {
    await handle.close();
  }
}

export function writePrivateFileSync(path: string, data: string): void {
  const fd = openSync(path, 'w', PRIVATE_FILE_MODE);
  try {
    fchmodSync(fd, PRIVATE_FILE_MODE);
    writeFileSync(fd, data, 'utf8');
  } finally {
    closeSync(fd);
  }
}
