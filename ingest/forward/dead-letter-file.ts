import { dirname } from 'node:path';
import { makePrivateDir, writePrivateFile } from '../../platform/fs/private-files.js';
import type { DeadLetter } from '../sinks/sink-driver.js';

/** What a line says about where its payload was going: the sink's id and the format the payload is in. */
export interface DeadLetterContext {
  sink: string;
  format: string;
}

/**
 * The payload as a line carries it: its UTF-8 text, readable in the file, and, only when that text would not give the
 * same bytes back (bytes that are not UTF-8), `payload_base64` too, which a replay sends instead.
 */
export function payloadFields(payload: Buffer): { payload: string; payload_base64?: string } {
  const text = payload.toString('utf8');
  // Decoding replaces what is not UTF-8 with U+FFFD, so a byte length that differs is the common sign; equals settles it.
  const exact = Buffer.byteLength(text, 'utf8') === payload.length && Buffer.from(text, 'utf8').equals(payload);
  return exact ? { payload: text } : { payload: text, payload_base64: payload.toString('base64') };
}

/** The bytes a line's payload stands for (see `payloadFields`); a line of before `payload_base64` has only its text. */
export function payloadBytes(line: { payload?: unknown; payload_base64?: unknown }): Buffer | undefined {
  if (typeof line.payload_base64 === 'string') return Buffer.from(line.payload_base64, 'base64');
  return typeof line.payload === 'string' ? Buffer.from(line.payload, 'utf8') : undefined;
}

/**
 * A syslog receiver or a Kafka broker has no dead-letter index, so what a forwarding or kafka sink cannot deliver (too
 * large for a datagram or for the topic) goes to a JSON-lines file next to the sink's spool: one line per message with
 * the error, the sink and format, and the payload (the message exactly as formatted; for a kafka sink its spool payload,
 * `<key>\n<value>`), for an operator to inspect and for `fortiems dead-letter replay --sink` to send again
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
      ...payloadFields(letter.record.payload),
    }),
  );
  await writePrivateFile(file, `${lines.join('\n')}\n`, 'a');
}
