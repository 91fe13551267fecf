import type { Readable } from 'node:stream';
import { sleep } from '../../platform/concurrency/sleep.js';
import type { LineSender } from './line-sender.js';
import { readLines } from './line-source.js';

/** `--rate`: line n goes out no earlier than (n - 1)/rate seconds after the first. */
function pacer(rate: number | undefined): (lineNumber: number) => Promise<unknown> | undefined {
  const start = performance.now();
  return (lineNumber) => {
    if (rate === undefined) return undefined;
    const wait = start + ((lineNumber - 1) * 1000) / rate - performance.now();
    return wait > 2 ? sleep(wait) : undefined;
  };
}

/**
 * Sends the input's lines in order, blank ones skipped, waiting whenever the destination pushes back and, at the end,
 * until it confirmed everything. `interrupt()` stops it after the line being sent; the destination still drains.
 */
export class Replay {
  /** What was read: lines sent, input bytes (newlines included), blank lines skipped. */
  readonly read = { lines: 0, bytes: 0, blank: 0 };
  private stopped = false;

  constructor(
    private readonly sender: LineSender,
    private readonly rate: number | undefined,
  ) {}

  get interrupted(): boolean {
    return this.stopped;
  }

  interrupt(): void {
    this.stopped = true;
  }

  /** Resolves once the destination confirmed every line sent; rejects with what stopped it. */
  async run(input: Readable): Promise<void> {
    const { read, sender } = this;
    const pace = pacer(this.rate);
    for await (const { line, bytes } of readLines(input)) {
      read.bytes += bytes;
      if (line === '') {
        read.blank += 1;
        continue;
      }
      read.lines += 1;
      await pace(read.lines);
      const pending = sender.send(line);
      if (pending) await Promise.race([pending, sender.failed]);
      if (this.stopped) break;
    }
    await Promise.race([sender.drain(), sender.failed]);
  }
}
