import { createReadStream, fstatSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { ActionableError } from '../../platform/errors.js';

/** The input to replay: a file, or stdin for `-`, with its size when it has one (for the percentage). */
export function openInput(file: string): { stream: Readable; totalBytes: number | undefined } {
  if (file === '-') {
    // stdin redirected from a file has a size; a pipe has none (then no percentage).
    let size: number | undefined;
    try {
      const stats = fstatSync(0);
      if (stats.isFile()) size = stats.size;
    } catch {}
    return { stream: process.stdin, totalBytes: size };
  }
  try {
    const stats = statSync(file);
    if (!stats.isFile()) throw new Error('not a regular file');
    return { stream: createReadStream(file), totalBytes: stats.size };
  } catch (error) {
    throw new ActionableError(`cannot read '${file}': ${(error as Error).message}`, 'name a readable file, or - to read stdin');
  }
}

/** Lines with their exact size in bytes (newline included), split on LF with CRLF accepted; never holds more than a line. */
export async function* readLines(input: Readable): AsyncGenerator<{ line: string; bytes: number }> {
  let carried: Buffer[] = [];
  const text = (buffer: Buffer, end: number) => buffer.toString('utf8', 0, end > 0 && buffer[end - 1] === 0x0d ? end - 1 : end);
  for await (const chunk of input as AsyncIterable<Buffer>) {
    let start = 0;
    let newline = chunk.indexOf(0x0a);
    while (newline !== -1) {
      const piece = chunk.subarray(start, newline);
      const whole = carried.length > 0 ? Buffer.concat([...carried, piece]) : piece;
      carried = [];
      yield { line: text(whole, whole.length), bytes: whole.length + 1 };
      start = newline + 1;
      newline = chunk.indexOf(0x0a, start);
    }
    if (start < chunk.length) carried.push(chunk.subarray(start));
  }
  if (carried.length > 0) {
    const whole = Buffer.concat(carried);
    yield { line: text(whole, whole.length), bytes: whole.length };
  }
}
