import { releaseUtf8Bytes } from '../../platform/bytes/utf8-slab.js';
import { AckTracker } from './ack-tracker.js';
import { type BufferRecord, BufferWriteError, type EventBuffer, type WhenFull, type WriteResult } from './event-buffer.js';
import { waitForWake } from './wait-for-wake.js';

/**
 * The in-memory buffer: fast, bounded by bytes, and honest about its limit — what is in it when the process dies is
 * lost, so it is for sinks whose target is local and for tests; the default buffer is the disk spool.
 */
export class MemoryBuffer implements EventBuffer {
  readonly durable: boolean = false;
  readonly firstOwnSeq = 0;
  private pending: BufferRecord[] = [];
  private head = 0;
  private nextSeq = 0;
  private unackedEvents = 0;
  private unackedBytes = 0;
  /** Acks come in any order (batches in flight at once); the tracker keeps the lowest unacked seq. */
  private readonly acks = new AckTracker(0);
  private closed = false;
  private readonly readers: (() => void)[] = [];
  private readonly spaceWaiters: (() => void)[] = [];
  /** The latest write's admission: each write is admitted once the one before it is. */
  private admissionTail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly maxBytes: number,
    private readonly whenFull: WhenFull = 'block',
  ) {
    if (!Number.isFinite(maxBytes) || maxBytes < 1) throw new Error(`buffer max_bytes must be ≥ 1, not ${maxBytes}`);
  }

  write(given: readonly Buffer[]): Promise<WriteResult> {
    const payloads = ownCopy(given);
    // Admission is first come, first served: a writer waiting for space is not overtaken by a smaller later one, and
    // one write's records stay together, in the order the writes were made.
    const admission = this.admissionTail.then(() => this.admit(payloads));
    this.admissionTail = admission.catch(() => {});
    return admission;
  }

  private async admit(payloads: readonly Buffer[]): Promise<WriteResult> {
    let written = 0;
    for (let i = 0; i < payloads.length; i++) {
      const payload = payloads[i] as Buffer;
      const bytes = payload.length;
      // A record larger than the whole buffer still goes in once the buffer is empty: never wedge on one event.
      while (this.unackedBytes > 0 && this.unackedBytes + bytes > this.maxBytes && !this.closed) {
        if (this.whenFull === 'drop_newest') {
          this.wakeReaders();
          return { written, dropped: payloads.length - i, end: written > 0 ? this.nextSeq : 0 };
        }
        this.wakeReaders();
        await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
      }
      if (this.closed) throw new BufferWriteError('buffer is closed', written);
      this.pending.push({ seq: this.nextSeq++, payload, bytes });
      this.unackedEvents++;
      this.unackedBytes += bytes;
      written++;
    }
    this.wakeReaders();
    return { written, dropped: 0, end: written > 0 ? this.nextSeq : 0 };
  }

  get ackWatermark(): number {
    return this.acks.watermark;
  }

  async read(maxEvents: number, maxBytes: number, signal?: AbortSignal): Promise<BufferRecord[]> {
    while (this.head >= this.pending.length) {
      if (this.closed || signal?.aborted) return [];
      await waitForWake(this.readers, signal);
    }
    const out: BufferRecord[] = [];
    let bytes = 0;
    while (this.head < this.pending.length && out.length < maxEvents) {
      const record = this.pending[this.head] as BufferRecord;
      if (out.length > 0 && bytes + record.bytes > maxBytes) break;
      out.push(record);
      bytes += record.bytes;
      // Handed-out records are the reader's now: the array must not keep them alive until a compaction.
      (this.pending as (BufferRecord | undefined)[])[this.head++] = undefined;
    }
    if (this.head === this.pending.length) {
      this.pending = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.pending.length) {
      this.pending.splice(0, this.head);
      this.head = 0;
    }
    return out;
  }

  ack(records: readonly BufferRecord[]): void {
    for (const record of records) {
      // A repeated ack must not be counted twice.
      if (!this.acks.add(record.seq, 0)) continue;
      this.unackedEvents--;
      this.unackedBytes -= record.bytes;
    }
    this.acks.advance();
    for (const wake of this.spaceWaiters.splice(0)) wake();
  }

  depth(): { events: number; bytes: number } {
    return { events: this.unackedEvents, bytes: this.unackedBytes };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeReaders();
    for (const wake of this.spaceWaiters.splice(0)) wake();
  }

  private wakeReaders(): void {
    for (const wake of this.readers.splice(0)) wake();
  }
}

/**
 * The payloads copied into one buffer of this write's own, and their space given back to the encoder's slab (as the
 * disk spool does with its frames): kept records then pin their own write's bytes, not the shared slab, and the slab
 * is reused instead of becoming external garbage at the event rate. Synchronous, before any wait: nothing else has
 * encoded on top of them yet.
 */
function ownCopy(payloads: readonly Buffer[]): Buffer[] {
  let total = 0;
  for (let i = 0; i < payloads.length; i++) total += (payloads[i] as Buffer).length;
  const chunk = Buffer.allocUnsafe(total);
  const copies = new Array<Buffer>(payloads.length);
  let at = 0;
  for (let i = 0; i < payloads.length; i++) {
    const payload = payloads[i] as Buffer;
    chunk.set(payload, at);
    copies[i] = chunk.subarray(at, at + payload.length);
    at += payload.length;
  }
  releaseUtf8Bytes(payloads);
  return copies;
}
