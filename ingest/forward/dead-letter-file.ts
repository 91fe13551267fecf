import { dirname } from 'node:path';
import { makePrivateDir, writePrivateFile } from '../../platform/fs/private-files.js';
import type { DeadLetter } from '../sinks/sink-driver.js';

/**
 * A syslog receiver has no dead-letter index, so undeliverable messages (too large for a datagram) go to a JSON-lines
 * file next to the sink's spool: one line per message with the error and the payload, for an operator to inspect.
 */
export async function appendDeadLetters(file: string, letters: readonly DeadLetter[]): Promise<void> {
  await makePrivateDir(dirname(file));
  const at = new Date().toISOString();
  const lines = letters.map((letter) =>
    JSON.stringify({
      '@timestamp': at,
      error: { type: letter.errorType, message: letter.error },
      attempts: letter.attempts,
      // Decoded only here: dead letters are the rare path.
      payload: letter.record.payload.toString('utf8'),
    }),
  );
  await writePrivateFile(file, `${lines.join('\n')}\n`, 'a');
}
