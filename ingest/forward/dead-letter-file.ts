import { dirname } from 'node:path';
import { makePrivateDir, writePrivateFile } from '../../platform/fs/private-files.js';
import type { DeadLetter } from '../sinks/sink-driver.js';

/** What a line says about where its payload was going: the sink's id and the format the payload is in. */
export interface DeadLetterContext {
  sink: string;
  format: string;
}

/**
 * A syslog receiver has no dead-letter index, so undeliverable messages (too large for a datagram) go to a JSON-lines
 * file next to the sink's spool: one line per message with the error, the sink and format, and the payload (the
 * message exactly as formatted), for an operator to inspect and for `fortiems dead-letter replay --sink` to send again
 * (`ingest/dead-letters/replay-dead-letter-file.ts`).
 */
export async function appendDeadLetters(file: string, letters: readonly DeadLetter[], context?: DeadLetterContext): Promise<void> {
  await makePrivateDir(dirname(file));
  const at = new Date().toISOString();
  const lines = letters.map((letter) =>
    JSON.stringify({
      '@timestamp': at,
      error: { type: letter.errorType, message: letter.error },
      attempts: letter.attempts,
      ...(context ? { sink: context.sink, format: context.format } : {}),
      // Decoded only here: dead letters are the rare path.
      payload: letter.record.payload.toString('utf8'),
    }),
  );
  await writePrivateFile(file, `${lines.join('\n')}\n`, 'a');
}
