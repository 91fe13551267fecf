import type { BufferRecord, EventBuffer } from '../buffers/event-buffer.js';

export interface BatchSettings {
  /** A batch is full at this many records. */
  maxEvents: number;
  /** … or at this many payload bytes (a single larger record still goes, alone). */
  maxBytes: number;
  /** … or this long after its first record arrived. */
  timeoutMs: number;
}

/**
 * Forms batches from a buffer by count, bytes and time. A buffer hands a record out only once, so a record that
 * would overflow the batch being formed is held back here and starts the next one.
 */
export class BatchReader {
  private carry: BufferRecord[] = [];
  /** Once aborted, batches no longer wait for their timeout: a draining sink sends what it has at once. */
  private readonly flushing = new AbortController();

  constructor(
    private readonly buffer: EventBuffer,
    private readonly settings: BatchSettings,
  ) {}

  /**
   * The next batch. Waits for a first record (until `stop` aborts), then fills until full, `timeoutMs` after that
   * first record, or `stop`: whatever was gathered is returned, so stopping flushes the partial batch. [] once stopped
   * (or the buffer closed) with nothing gathered.
   */
  async next(stop: AbortSignal): Promise<BufferRecord[]> {
    const { maxEvents, maxBytes, timeoutMs } = this.settings;
    const batch: BufferRecord[] = [];
    let bytes = 0;
    const take = (records: readonly BufferRecord[]): void => {
      for (const record of records) {
        const fits = this.carry.length === 0 && batch.length < maxEvents && (batch.length === 0 || bytes + record.bytes <= maxBytes);
        if (fits) {
          batch.push(record);
          bytes += record.bytes;
        } else this.carry.push(record);
      }
    };
    const full = () => this.carry.length > 0 || batch.length >= maxEvents || bytes >= maxBytes;

    if (this.carry.length > 0) take(this.carry.splice(0));
    else if (!stop.aborted) take(await this.read(maxEvents, maxBytes, undefined, stop));
    if (batch.length === 0) return batch;

    const deadline = Date.now() + timeoutMs;
    while (!full() && !stop.aborted && !this.flushing.signal.aborted) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      const more = await this.read(maxEvents - batch.length, maxBytes - bytes, remaining, stop, this.flushing.signal);
      if (more.length === 0) break;
      take(more);
    }
    return batch;
  }

  /** From now on, partial batches go without waiting for their timeout (reading goes on). */
  flush(): void {
    this.flushing.abort();
  }

  /** A read that ends after `ms` (when given) or on `stop` (or `flush`, when given). */
  private async read(
    maxEvents: number,
    maxBytes: number,
    ms: number | undefined,
    stop: AbortSignal,
    flush?: AbortSignal,
  ): Promise<BufferRecord[]> {
    // One controller per read: the buffer adds a listener to the signal it is given, and on the long-lived stop signal
    // those would pile up, one per read.
    const controller = new AbortController();
    const abort = () => controller.abort();
    const timer = ms === undefined ? undefined : setTimeout(abort, ms);
    stop.addEventListener('abort', abort, { once: true });
    flush?.addEventListener('abort', abort, { once: true });
    try {
      return await this.buffer.read(maxEvents, Math.max(1, maxBytes), controller.signal);
    } finally {
      clearTimeout(timer);
      stop.removeEventListener('abort', abort);
      flush?.removeEventListener('abort', abort);
    }
  }
}
