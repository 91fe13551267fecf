import { readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { writePrivateFile } from '../../platform/fs/private-files.js';
import type { BufferRecord } from '../buffers/event-buffer.js';
import type { ItemOutcome, SinkDriver } from '../sinks/sink-driver.js';

/** One line of a forwarding sink's dead-letter file (`forward/dead-letter-file.ts`). */
export interface FileDeadLetter {
  '@timestamp'?: string;
  error?: { type?: string; message?: string };
  attempts?: number;
  /** The message exactly as the sink formatted it (UTF-8 text of the bytes it tried to send). */
  payload?: string;
  /** The sink and the format of `payload` (lines written before these were recorded have neither). */
  sink?: string;
  format?: string;
  /** How many replays failed to deliver it. */
  replays?: number;
}

export interface FileReplaySummary {
  /** Lines in the file when the replay started. */
  matched: number;
  /** Letters sent again. */
  replayed: number;
  delivered: number;
  /** Refused again or the destination kept failing: kept in the file. */
  stillFailing: number;
  /** Lines that are not a dead letter with a payload, or whose payload is in another format than the sink's now (kept as they are). */
  unreadable: number;
  /** Lines removed from the file: the delivered ones. */
  deleted: number;
  failures: { line: number; reason: string; message: string }[];
}

export interface FileReplayOptions {
  /**
   * The sink's format now: a letter formatted otherwise (the sink was switched from CEF to LEEF, say) is not sent, since
   * the receiver expects the new one; it stays, counted unreadable.
   */
  format?: string;
  /** Messages per send (default 500). */
  batchSize?: number;
  /** Attempts for a send that failed as a whole (default 4). */
  attempts?: number;
  backoffMs?: number;
}

const missing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * A forwarding sink's dead letters sent again through its driver (the sink's destination as configured now: a message
 * too large for a UDP datagram goes through once the sink is TCP), then the file rewritten without the delivered ones,
 * atomically (a private temporary file renamed over it). The messages go as they were formatted: the file holds the
 * finished message, not the event. A letter refused again stays with its new reason and `replays` + 1; one the
 * destination could not take (down) stays unchanged. Lines the running sink appended meanwhile are kept; a running
 * sink that appends between that last read and the rename (a few microseconds) would lose its lines, so replay while
 * the pipeline is stopped, or accept that window. Idempotent: a second replay finds only what still fails.
 */
export async function replayDeadLetterFile(file: string, driver: SinkDriver, options: FileReplayOptions = {}): Promise<FileReplaySummary> {
  const summary: FileReplaySummary = { matched: 0, replayed: 0, delivered: 0, stillFailing: 0, unreadable: 0, deleted: 0, failures: [] };
  let before: string;
  try {
    before = await readFile(file, 'utf8');
  } catch (error) {
    if (missing(error)) return summary;
    throw error;
  }
  const lines = before.split('\n');
  if (lines.at(-1) === '') lines.pop();
  summary.matched = lines.length;
  const kept: string[] = new Array(lines.length);
  const letters: { index: number; letter: FileDeadLetter }[] = [];
  lines.forEach((line, index) => {
    kept[index] = line;
    let letter: FileDeadLetter | undefined;
    try {
      letter = JSON.parse(line) as FileDeadLetter;
    } catch {
      // kept as it is
    }
    const otherFormat = options.format !== undefined && letter?.format !== undefined && letter.format !== options.format;
    if (typeof letter?.payload === 'string' && !otherFormat) letters.push({ index, letter });
    else if (line.trim() !== '') {
      summary.unreadable++;
      if (otherFormat && summary.failures.length < 20)
        summary.failures.push({
          line: index + 1,
          reason: 'format_changed',
          message: `formatted as ${letter?.format}, the sink now sends ${options.format}`,
        });
    }
  });

  const size = options.batchSize ?? 500;
  for (let start = 0; start < letters.length; start += size) {
    const chunk = letters.slice(start, start + size);
    summary.replayed += chunk.length;
    const outcomes = await sendChunk(
      driver,
      chunk.map(({ letter }) => Buffer.from(letter.payload as string, 'utf8')),
      options,
    );
    outcomes.forEach((outcome, k) => {
      const { index, letter } = chunk[k] as { index: number; letter: FileDeadLetter };
      if (outcome.status === 'ok' || outcome.status === 'exists') {
        summary.delivered++;
        kept[index] = '';
        return;
      }
      summary.stillFailing++;
      const reason = outcome.status === 'reject' ? outcome.errorType : outcome.errorClass;
      if (summary.failures.length < 20) summary.failures.push({ line: index + 1, reason, message: outcome.error });
      if (outcome.status === 'reject')
        kept[index] = JSON.stringify({
          ...letter,
          error: { type: outcome.errorType, message: outcome.error },
          replays: (letter.replays ?? 0) + 1,
        });
    });
  }
  if (summary.delivered === 0 && kept.every((line, i) => line === lines[i])) return summary;

  const remaining = kept.filter((line, i) => line !== '' || lines[i] === '');
  const now = await readFile(file, 'utf8').catch((error: unknown) => (missing(error) ? '' : Promise.reject(error)));
  if (!now.startsWith(before))
    throw new Error(`${file} changed under the replay (another replay?): it was left as it is; run the replay again`);
  const appended = now.slice(before.length);
  const temporary = join(dirname(file), `.${process.pid}.replay.tmp`);
  const text = remaining.length > 0 ? `${remaining.join('\n')}\n${appended}` : appended;
  try {
    await writePrivateFile(temporary, text, 'w');
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  summary.deleted = summary.delivered;
  return summary;
}

async function sendChunk(driver: SinkDriver, payloads: Buffer[], options: FileReplayOptions): Promise<ItemOutcome[]> {
  const records: BufferRecord[] = payloads.map((payload, seq) => ({ seq, payload, bytes: payload.length }));
  const attempts = options.attempts ?? 4;
  let wait = options.backoffMs ?? 500;
  let last: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) {
      await sleep(wait);
      wait *= 2;
    }
    try {
      return (await driver.send(records, new AbortController().signal)).outcomes;
    } catch (error) {
      last = error;
    }
  }
  const message = last instanceof Error ? last.message : String(last);
  return records.map(() => ({ status: 'retry', errorClass: 'unavailable', error: message }));
}
