/**
 * A sink's buffer: encoded events wait here between the pipeline and the target. Every sink owns one (Vector's
 * per-sink buffers), so a slow or dead target fills its own buffer and never silently costs another sink events.
 *
 * Life of a record: `write` (durable once the promise resolves) → `read` hands it to the sink helper exactly once per
 * process → the helper calls `ack` when the record is settled (delivered, or dead-lettered). Records written but not
 * acked when the process dies are read again at the next start (at-least-once; deterministic ids make the repeat
 * harmless).
 */
export interface BufferRecord {
  /** Position in the buffer, increasing in write order; unique within one buffer. */
  readonly seq: number;
  /**
   * The encoded event, as the sink's driver will send it: bytes, encoded once where the event was encoded and never
   * again (the spool frames them, the drivers send them). Never modified once written; it may be a view into a larger
   * buffer shared with other records.
   */
  readonly payload: Buffer;
  /** `payload.length`. */
  readonly bytes: number;
}

export type WhenFull = 'block' | 'drop_newest';

export interface WriteResult {
  /** How many payloads the buffer kept. */
  written: number;
  /** How many it refused because it was full and the policy is `drop_newest` (the caller counts them as discarded). */
  dropped: number;
  /**
   * The seq after the last record this write kept (0 when it kept none): once `ackWatermark` reaches it, every record
   * of this write, and of every earlier one, is acked.
   */
  end: number;
}

/**
 * A write that failed (closed while blocked, a failed commit) after keeping some of its payloads: the first `written`
 * are in the buffer and will be delivered like any other, the rest are not. The caller counts only the rest as
 * discarded, so the accounting does not count the kept ones twice.
 */
export class BufferWriteError extends Error {
  constructor(
    message: string,
    /** How many payloads, from the first, the buffer kept before the failure. */
    readonly written: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'BufferWriteError';
  }
}

/** How many payloads a failed `write` kept: none unless the buffer said otherwise. */
export function writtenBefore(error: unknown): number {
  return error instanceof BufferWriteError ? error.written : 0;
}

export interface EventBuffer {
  /** True when what it holds survives the process (disk spool); a memory buffer's content dies with it. */
  readonly durable: boolean;
  /**
   * The seq of the first record this opening of the buffer writes: records below it were left by an earlier run (or an
   * earlier opening of the same spool) and may have been sent already.
   */
  readonly firstOwnSeq: number;
  /**
   * The lowest seq not yet acked: every record below it is settled (acked, or found unreadable and given up). It only
   * grows; end-to-end acknowledgements compare a write's `end` with it.
   */
  readonly ackWatermark: number;
  /**
   * Appends payloads in order. Resolves once they are durable (disk: written and fsynced, group-committed with
   * concurrent writes; memory: at once). When full: `block` waits for space; `drop_newest` keeps what fits and
   * reports the rest as dropped. A write that fails rejects with a `BufferWriteError` saying how many it kept. Both
   * buffers copy the payloads before they return and give their encoder slab space back (`platform/bytes/utf8-slab.ts`):
   * a caller must not use a payload once it has written it.
   */
  write(payloads: readonly Buffer[]): Promise<WriteResult>;
  /**
   * Up to `maxEvents` records / about `maxBytes` (always at least one record) not handed out before, oldest first.
   * Waits while there are none; resolves with [] when `signal` aborts or the buffer is closed.
   */
  read(maxEvents: number, maxBytes: number, signal?: AbortSignal): Promise<BufferRecord[]>;
  /** Settles records (in any order): their space is reclaimed once every earlier record is settled too. */
  ack(records: readonly BufferRecord[]): void;
  /** Records written and not yet acked (including those handed out and in flight). */
  depth(): { events: number; bytes: number };
  /** Flushes what is pending and releases files; later reads resolve with []. */
  close(): Promise<void>;
}
