import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { writePrivateFile } from '../../platform/fs/private-files.js';
import { isCode } from './spool-lock.js';

/**
 * The persisted ack watermark: one decimal seq, the lowest not yet acked, replaced atomically (write aside, rename).
 * It is not fsynced on purpose: a watermark that a crash rolls back only makes the next start serve acked records again,
 * which at-least-once delivery allows, and it saves an fsync every checkpoint on the hot path.
 */
export const ACK_FILE = 'ack';

export async function readAckFile(dir: string, warn: (message: string) => void): Promise<number | undefined> {
  const path = join(dir, ACK_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isCode(error, 'ENOENT')) return undefined;
    throw error;
  }
  const seq = Number(text.trim());
  if (text.trim() !== '' && Number.isSafeInteger(seq) && seq > 0) return seq;
  warn(`disk spool ${dir}: the ack file ${path} is unreadable (${JSON.stringify(text.slice(0, 40))}); serving every record kept`);
  return undefined;
}

export async function writeAckFile(dir: string, watermark: number): Promise<void> {
  const path = join(dir, ACK_FILE);
  await writePrivateFile(`${path}.tmp`, `${watermark}\n`);
  await rename(`${path}.tmp`, path);
}
