import { link, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writePrivateFile } from '../../platform/fs/private-files.js';

export const LOCK_FILE = 'lock';

let drafts = 0;

/** Thrown when another live process holds the spool directory. */
export class SpoolLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    const who = pid === process.pid ? `this process (${pid})` : `process ${pid}`;
    super(
      `disk spool ${dir} is in use by ${who}: only one process may open a spool directory ` +
        `(if no fortiems runs as pid ${pid}, delete ${join(dir, LOCK_FILE)})`,
    );
    this.name = 'SpoolLockedError';
  }
}

/**
 * Takes the spool directory's lock file (our pid inside) and returns its release. A lock left by a dead process is
 * taken over. The file is created with its content already in it (written aside, then hard-linked into place, which
 * fails if the name exists), so a reader never sees an empty lock of a process that is still starting.
 */
export async function acquireSpoolLock(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_FILE);
  const mine = `${process.pid}\n`;
  const draft = join(dir, `${LOCK_FILE}.${process.pid}.${++drafts}.tmp`);
  await writePrivateFile(draft, mine);
  try {
    for (let attempt = 0; attempt < 10; attempt++) {
      if (await linkOrExists(draft, path)) return () => releaseSpoolLock(path, mine);
      const held = await readOrMissing(path);
      if (held === undefined) continue;
      const pid = parsePid(held);
      if (pid !== undefined && isAlive(pid)) throw new SpoolLockedError(dir, pid);
      // Moving the stale lock aside is atomic: of two processes taking over at once, only one moves it.
      const aside = join(dir, `${LOCK_FILE}.stale.${process.pid}`);
      try {
        await rename(path, aside);
      } catch (error) {
        if (isCode(error, 'ENOENT')) continue;
        throw error;
      }
      const moved = await readFile(aside, 'utf8');
      if (moved !== held) {
        // Someone else took over between our read and our move: theirs is live; put it back.
        await linkOrExists(aside, path);
        await unlink(aside);
        throw new SpoolLockedError(dir, parsePid(moved) ?? -1);
      }
      await unlink(aside);
    }
    throw new Error(`disk spool ${dir}: could not take the lock file ${path} (it keeps changing)`);
  } finally {
    await unlink(draft).catch(() => {});
  }
}

async function releaseSpoolLock(path: string, mine: string): Promise<void> {
  if ((await readOrMissing(path)) === mine) await unlink(path).catch(() => {});
}

async function linkOrExists(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (error) {
    if (isCode(error, 'EEXIST')) return false;
    throw error;
  }
}

async function readOrMissing(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isCode(error, 'ENOENT')) return undefined;
    throw error;
  }
}

function parsePid(text: string): number | undefined {
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return isCode(error, 'EPERM');
  }
}

export function isCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === code;
}
