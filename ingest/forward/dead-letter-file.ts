import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DeadLetter } from '../sinks/sink-driver.js';

/**
 * A syslog receiver has no dead-letter index, so undeliverable messages (too large for a datagram) go to a JSON-lines
 * file next to the sink's spool: one line per message with the error and the payload, for an operator to inspect.
 */
export async function appendDeadLetters(file: string, letters: readonly DeadLetter[]): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const at = new Date().toISOString();
  const lines = letters.map((letter) =>
    JSON.stringify({
      '@timestamp': at,
      error: { type: letter.errorType, message: letter.error },
      attempts: letter.attempts,
      payload: letter.record.payload,
    }),
  );
  await appendFile(file, `${lines.join('\n')}\n`);
}
