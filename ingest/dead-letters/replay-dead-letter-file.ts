import { readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { makePrivateDir, writePrivateFile } from '../../platform/fs/private-files.js';
import type { BufferRecord } from '../buffers/event-buffer.js';
import { payloadBytes } from '../forward/dead-letter-file.js';
import type { ItemOutcome, SinkDriver } from '../sinks/sink-driver.js';

/** One line of a forwarding sink's dead-letter file (`forward/dead-letter-file.ts`). */
export interface FileDeadLetter {
  '@timestamp'?: string;
  error?: { type?: string; message?: string };
  attempts?: number;
  /** The message exactly as the sink formatted it (UTF-8 text of the bytes it tried to send). */
  payload?: string;
  /** The bytes, when they are not UTF-8 text (`payload` is then their lossy decoding, for reading only). */
  payload_base64?: string;
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
  /**
   * Payload bytes per send (default 5 MiB, the sinks' `batch.max_bytes` default; one larger message goes alone): a
   * file of large letters must not become one request larger than the destination takes (a broker's request limit).
   */
  batchBytes?: number;
  /** Attempts for a send that failed as a whole (default 4). */
  attempts?: number;
  backoffMs?: number;
}

const missing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';
const exists = (error: unknown) => (error as NodeJS.ErrnoException).code === 'EEXIST';

/**
 * A forwarding sink's dead letters sent again through its driver (the sink's destination as configured now: a message
 * too large for a UDP datagram goes through once the sink is TCP). The messages go as they were formatted: the file
 * holds the finished message, not the event. A letter refused again stays with its new reason and `replays` + 1; one
 * the destination could not take (down) stays unchanged. Idempotent: a second replay finds only what still fails.
 *
 * Nothing a running sink writes meanwhile is lost: the file is first renamed to `<file>.replaying` (the sink opens the
 * path for each append, so its next letters start a new file), replayed from there, and what stays is appended to the
 * live file before the claimed one is removed. An append that opened the file just before the rename lands in the
 * claimed file; it is read again at the end and carried over too. A crash mid-way leaves `<file>.replaying`, which the
 * next replay finishes first (its delivered letters may then be sent a second time: at least once, never lost). One
 * replay of a file at a time (`<file>.replay-lock` holds its pid).
 */
export async function replayDeadLetterFile(file: string, driver: SinkDriver, options: FileReplayOptions = {}): Promise<FileReplaySummary> {
  const summary: FileReplaySummary = { matched: 0, replayed: 0, delivered: 0, stillFailing: 0, unreadable: 0, deleted: 0, failures: [] };
  const release = await lockReplay(file);
  try {
    const claimed = `${file}.replaying`;
    const resuming = await readFile(claimed, 'utf8').then(
      () => true,
      (error: unknown) => (missing(error) ? false : Promise.reject(error)),
    );
    if (resuming) await replayClaimed(claimed, file, driver, options, summary);
    try {
      await rename(file, claimed);
    } catch (error) {
      if (missing(error)) return summary;
      throw error;
    }
    await replayClaimed(claimed, file, driver, options, summary);
    return summary;
  } finally {
    await release();
  }
}

async function replayClaimed(
  claimed: string,
  file: string,
  driver: SinkDriver,
  options: FileReplayOptions,
  summary: FileReplaySummary,
): Promise<void> {
  const before = await readFile(claimed, 'utf8');
  const lines = before.split('\n');
  if (lines.at(-1) === '') lines.pop();
  summary.matched += lines.length;
  const kept: string[] = [...lines];
  const letters: Pending[] = [];
  lines.forEach((line, index) => {
    let letter: FileDeadLetter | undefined;
    try {
      letter = JSON.parse(line) as FileDeadLetter;
    } catch {
      // kept as it is
    }
    const otherFormat = options.format !== undefined && letter?.format !== undefined && letter.format !== options.format;
    const payload = letter && !otherFormat ? payloadBytes(letter) : undefined;
    if (letter && payload) letters.push({ index, letter, payload });
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

  for (const chunk of chunks(letters, options.batchSize ?? 500, options.batchBytes ?? 5_242_880)) {
    summary.replayed += chunk.length;
    const outcomes = await sendChunk(
      driver,
      chunk.map(({ payload }) => payload),
      options,
    );
    outcomes.forEach((outcome, k) => {
      const { index, letter } = chunk[k] as Pending;
      if (outcome.status === 'ok' || outcome.status === 'exists') {
        summary.delivered++;
        summary.deleted++;
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

  const remaining = kept.filter((line, i) => line !== '' || lines[i] === '');
  // Appends that opened the file before the rename: long finished by now (the sends took at least a round trip).
  const late = (await readFile(claimed, 'utf8')).slice(before.length);
  const text = `${remaining.map((line) => `${line}\n`).join('')}${late}`;
  // Appended before the claimed file goes: a crash in between repeats letters, it never loses one.
  if (text !== '') {
    await makePrivateDir(dirname(file));
    await writePrivateFile(file, text, 'a');
  }
  await unlink(claimed);
}

/** A letter to send: its line's index, the line, and the bytes it stands for. */
interface Pending {
  index: number;
  letter: FileDeadLetter;
  payload: Buffer;
}

/** The letters in sends of at most `size` messages and `bytes` payload bytes (a larger single message goes alone). */
function* chunks(letters: readonly Pending[], size: number, bytes: number): Generator<Pending[]> {
  let chunk: Pending[] = [];
  let total = 0;
  for (const letter of letters) {
    if (chunk.length > 0 && (chunk.length >= size || total + letter.payload.length > bytes)) {
      yield chunk;
      chunk = [];
      total = 0;
    }
    chunk.push(letter);
    total += letter.payload.length;
  }
  if (chunk.length > 0) yield chunk;
}

/** `<file>.replay-lock` with our pid, created exclusively; a lock of a process that is gone is taken over. */
async function lockReplay(file: string): Promise<() => Promise<void>> {
  const lock = `${file}.replay-lock`;
  await makePrivateDir(dirname(file));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writePrivateFile(lock, `${process.pid}\n`, 'wx');
      return () => unlink(lock).catch(() => undefined);
    } catch (error) {
      if (!exists(error)) throw error;
    }
    const pid = Number.parseInt(await readFile(lock, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid))
      throw new Error(`another replay (pid ${pid}) of ${file} is running; if no such process runs, delete ${lock}`);
    await unlink(lock).catch(() => undefined);
  }
  throw new Error(`could not take ${lock}: another replay keeps taking it`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
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
