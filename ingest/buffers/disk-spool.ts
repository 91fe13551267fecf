import { mkdir, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { writeAckFile } from './ack-file.js';
import { AckTracker } from './ack-tracker.js';
import type { BufferRecord, EventBuffer, WhenFull, WriteResult } from './event-buffer.js';
import { encodeFrames, FRAME_HEADER_BYTES } from './frame.js';
import { RecordCache } from './record-cache.js';
import { type Segment, segmentEnd } from './segment-files.js';
import { SegmentReader } from './segment-reader.js';
import { type FrameChunk, fsyncDirectory, SegmentWriter } from './segment-writer.js';
import { acquireSpoolLock, isCode } from './spool-lock.js';
import { type RecoveredSpool, recoverSpool } from './spool-recovery.js';

export interface DiskSpoolOptions {
  /** The spool directory (created if missing); one process at a time. */
  dir: string;
  /** Bound on the bytes kept on disk for unacked records (see `DiskSpool`). */
  maxBytes: number;
  whenFull: WhenFull;
  /** A new segment file starts once the current one passes this size. Default 64 MiB. */
  segmentBytes?: number;
  /** Payload bytes of freshly written records kept in memory for the reader. Default 32 MiB (at most `maxBytes`). */
  cacheBytes?: number;
  /** How often, at most, the ack watermark is persisted and acked segments deleted. Default 100 ms. */
  checkpointMs?: number;
  /** Recovery findings (a torn tail truncated, …) and background failures; by default a process warning. */
  onWarning?: (message: string) => void;
}

export interface DiskSpoolStats {
  /** fdatasync/fsync calls on segment files and the directory. */
  fsyncs: number;
  /** Group commits: each one write + fdatasync for every write() that joined it. */
  commits: number;
  recordsFromMemory: number;
  recordsFromDisk: number;
  segments: number;
  /** Bytes on disk from the oldest unacked record on: what counts against `maxBytes`. */
  diskBytes: number;
}

export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
const DEFAULT_CACHE_BYTES = 32 * 1024 * 1024;

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
}

export function openDiskSpool(options: DiskSpoolOptions): Promise<DiskSpool> {
  return DiskSpool.open(options);
}

/**
 * The durable buffer: records go into append-only segment files and `write()` resolves once they are fsynced. Writes
 * that arrive while an fsync runs are committed together by the next one (group commit), so the fsync rate follows
 * the disk, not the record rate.
 *
 * `maxBytes` counts the frames from the ack watermark (the oldest unacked record) to the newest one, because that is
 * what must stay on disk and what a restart serves again; a record acked while an older one is still out frees its
 * space only when the older one is acked too. `depth()` counts unacked records and their payload bytes.
 */
export class DiskSpool implements EventBuffer {
  readonly durable = true;
  private readonly writer: SegmentWriter;
  private readonly reader = new SegmentReader();
  private readonly segments: Segment[];
  private readonly acks: AckTracker;
  private readonly cache: RecordCache;
  private readonly warn: (message: string) => void;

  private nextSeq: number;
  /** Records below it are fsynced and may be handed out. */
  private durableSeq: number;
  /** The next record to hand out, and where it is on disk. */
  private readSeq: number;
  private cursorSegment: Segment | undefined;
  private cursorOffset: number;

  private diskBytes: number;
  private unackedEvents: number;
  private unackedBytes: number;

  private pending: FrameChunk[] = [];
  private group: Deferred | undefined;
  private flushing: Promise<void> | undefined;
  private failure: Error | undefined;
  private admissionTail: Promise<unknown> = Promise.resolve();
  private diskRead: Promise<void> | undefined;
  private readonly readers: (() => void)[] = [];
  private readonly spaceWaiters: (() => void)[] = [];

  private persistedWatermark = 0;
  private checkpointTimer: NodeJS.Timeout | undefined;
  private checkpointTail: Promise<void> = Promise.resolve();
  private closed = false;
  private closing: Promise<void> | undefined;
  private commits = 0;
  private recordsFromMemory = 0;
  private recordsFromDisk = 0;

  static async open(options: DiskSpoolOptions): Promise<DiskSpool> {
    const { maxBytes, whenFull } = options;
    if (!Number.isFinite(maxBytes) || maxBytes < 1) throw new Error(`disk spool max_bytes must be ≥ 1, not ${maxBytes}`);
    if (whenFull !== 'block' && whenFull !== 'drop_newest')
      throw new Error(`disk spool when_full must be block or drop_newest, not ${whenFull}`);
    const segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    if (!Number.isFinite(segmentBytes) || segmentBytes < 1) throw new Error(`disk spool segment size must be ≥ 1, not ${segmentBytes}`);
    const dir = resolve(options.dir);
    const warn = options.onWarning ?? ((message: string) => process.emitWarning(message, 'DiskSpoolWarning'));
    // A directory created now must itself survive a crash, or none of the segments in it would.
    if ((await mkdir(dir, { recursive: true })) !== undefined) await fsyncDirectory(dirname(dir));
    const release = await acquireSpoolLock(dir);
    try {
      return new DiskSpool(dir, options, segmentBytes, warn, await recoverSpool(dir, warn), release);
    } catch (error) {
      await release();
      throw error;
    }
  }

  private constructor(
    readonly dir: string,
    private readonly options: DiskSpoolOptions,
    segmentBytes: number,
    warn: (message: string) => void,
    recovered: RecoveredSpool,
    private readonly releaseLock: () => Promise<void>,
  ) {
    this.warn = warn;
    this.segments = recovered.segments;
    this.writer = new SegmentWriter(dir, segmentBytes, (segment) => this.segmentCreated(segment));
    this.cache = new RecordCache(Math.min(options.cacheBytes ?? DEFAULT_CACHE_BYTES, options.maxBytes));
    this.acks = new AckTracker(recovered.watermark);
    for (const [start, end] of recovered.gaps) this.acks.addRange(start, end, 0);
    this.nextSeq = recovered.nextSeq;
    this.durableSeq = recovered.nextSeq;
    this.readSeq = recovered.watermark;
    this.cursorSegment = this.segments[0];
    this.cursorOffset = recovered.watermarkOffset;
    this.diskBytes = recovered.diskBytes;
    this.unackedEvents = recovered.events;
    this.unackedBytes = recovered.bytes;
  }

  async write(payloads: readonly string[]): Promise<WriteResult> {
    if (this.closed) throw this.closedError();
    if (this.failure) throw this.failure;
    if (payloads.length === 0) return { written: 0, dropped: 0 };
    const encoded = encodeFrames(payloads);
    // Admission is first come, first served: a writer waiting for space is not overtaken by a smaller later one.
    const admitted = this.admissionTail.then(() => this.admit(payloads, encoded.buffer, encoded.sizes));
    this.admissionTail = admitted.catch(() => {});
    const { result, durable } = await admitted;
    await durable;
    return result;
  }

  read(maxEvents: number, maxBytes: number, signal?: AbortSignal): Promise<BufferRecord[]> {
    return this.readNow(Math.max(1, maxEvents), maxBytes, signal);
  }

  ack(records: readonly BufferRecord[]): void {
    let settled = false;
    for (const record of records) {
      // Only records this spool handed out count; a repeated ack is ignored by the tracker.
      if (record.seq >= this.readSeq) continue;
      if (!this.acks.add(record.seq, FRAME_HEADER_BYTES + record.bytes)) continue;
      this.unackedEvents--;
      this.unackedBytes -= record.bytes;
      settled = true;
    }
    if (settled) this.advanceWatermark();
  }

  depth(): { events: number; bytes: number } {
    return { events: this.unackedEvents, bytes: this.unackedBytes };
  }

  stats(): DiskSpoolStats {
    return {
      fsyncs: this.writer.fsyncs,
      commits: this.commits,
      recordsFromMemory: this.recordsFromMemory,
      recordsFromDisk: this.recordsFromDisk,
      segments: this.segments.length,
      diskBytes: this.diskBytes,
    };
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    this.wake(this.readers);
    this.wake(this.spaceWaiters);
    await this.admissionTail;
    await this.flushing;
    await this.diskRead;
    clearTimeout(this.checkpointTimer);
    this.checkpointTimer = undefined;
    await this.checkpoint();
    await this.reader.close();
    await this.writer.close();
    await this.releaseLock();
  }

  // ---- writing

  private async admit(
    payloads: readonly string[],
    frames: Buffer,
    sizes: readonly number[],
  ): Promise<{ result: WriteResult; durable: Promise<void> | undefined }> {
    let durable: Promise<void> | undefined;
    let i = 0;
    let byte = 0;
    while (i < payloads.length) {
      if (this.failure) throw this.failure;
      let j = i;
      let framed = 0;
      while (j < payloads.length) {
        const frame = FRAME_HEADER_BYTES + (sizes[j] as number);
        const used = this.diskBytes + framed;
        // A record larger than the whole spool still goes in once the spool is empty: never wedge on one event.
        if (used > 0 && used + frame > this.options.maxBytes) break;
        framed += frame;
        j++;
      }
      if (j > i) {
        durable = this.enqueue(payloads, sizes, frames.subarray(byte, byte + framed), i, j);
        byte += framed;
        i = j;
        continue;
      }
      if (this.options.whenFull === 'drop_newest') return { result: { written: i, dropped: payloads.length - i }, durable };
      if (this.closed) throw this.closedError();
      await new Promise<void>((wake) => this.spaceWaiters.push(wake));
    }
    return { result: { written: payloads.length, dropped: 0 }, durable };
  }

  private enqueue(payloads: readonly string[], sizes: readonly number[], frames: Buffer, from: number, to: number): Promise<void> {
    const records = new Array<BufferRecord>(to - from);
    for (let k = from; k < to; k++) records[k - from] = { seq: this.nextSeq++, payload: payloads[k] as string, bytes: sizes[k] as number };
    this.diskBytes += frames.length;
    this.unackedEvents += records.length;
    this.unackedBytes += frames.length - records.length * FRAME_HEADER_BYTES;
    this.pending.push({ frames, records });
    this.group ??= deferred();
    this.flushing ??= this.flushLoop();
    return this.group.promise;
  }

  /** The group commit: everything that queued up while the previous write + fdatasync ran goes in the next one. */
  private async flushLoop(): Promise<void> {
    // Starts at once rather than on a timer or the next event-loop turn: the first commit goes out while the other
    // writers are still encoding, so CPU work overlaps the fsync instead of alternating with it.
    await Promise.resolve();
    while (this.pending.length > 0) {
      const chunks = this.pending;
      const group = this.group as Deferred;
      this.pending = [];
      this.group = undefined;
      try {
        if (this.failure) throw this.failure;
        await this.writer.append(chunks);
        this.commits++;
        this.publish(chunks);
        group.resolve();
      } catch (error) {
        // After a failed write or fsync the file's state is unknown: take no more records, keep serving the durable ones.
        this.failure ??= new Error(`disk spool ${this.dir}: writing failed, the spool takes no more records: ${messageOf(error)}`, {
          cause: error,
        });
        group.reject(this.failure);
        this.wake(this.spaceWaiters);
      }
    }
    this.flushing = undefined;
  }

  private publish(chunks: readonly FrameChunk[]): void {
    for (const chunk of chunks) {
      this.cache.offer(chunk.records, chunk.frames.length - chunk.records.length * FRAME_HEADER_BYTES);
      this.durableSeq = (chunk.records.at(-1) as BufferRecord).seq + 1;
    }
    this.wake(this.readers);
  }

  private segmentCreated(segment: Segment): void {
    this.segments.push(segment);
    if (this.cursorSegment === undefined) {
      this.cursorSegment = segment;
      this.cursorOffset = 0;
    } else {
      this.normalizeCursor();
    }
  }

  // ---- reading

  private async readNow(maxEvents: number, maxBytes: number, signal: AbortSignal | undefined): Promise<BufferRecord[]> {
    for (;;) {
      if (this.closed || signal?.aborted) return [];
      if (this.diskRead !== undefined) await this.diskRead;
      else if (this.readSeq < this.durableSeq) break;
      else await this.recordsWritten(signal);
    }
    const batch = new Batch(maxEvents, maxBytes);
    // Stops at close too: close() waits for the disk read in progress, not for a next one, before closing the files.
    while (!batch.full && !this.closed && this.readSeq < this.durableSeq) {
      const front = this.cache.front();
      if (front !== undefined && front.seq === this.readSeq) {
        this.serveFromMemory(batch);
        continue;
      }
      // One disk read at a time: it moves the cursor across awaits. Other readers wait for it, then look again.
      const reading = this.serveFromDisk(batch, front?.seq ?? this.durableSeq);
      this.diskRead = reading.then(
        () => {},
        () => {},
      );
      try {
        await reading;
      } finally {
        this.diskRead = undefined;
      }
    }
    return batch.records;
  }

  private serveFromMemory(batch: Batch): void {
    for (let record = this.cache.front(); record !== undefined && record.seq === this.readSeq; record = this.cache.front()) {
      if (!batch.fits(record.bytes)) return;
      batch.push(this.cache.take());
      this.recordsFromMemory++;
      this.passed(record.bytes);
      if (batch.full) return;
    }
  }

  private async serveFromDisk(batch: Batch, limitSeq: number): Promise<void> {
    this.normalizeCursor();
    const segment = this.cursorSegment;
    if (segment === undefined) throw new Error(`disk spool ${this.dir}: no segment holds seq ${this.readSeq}`);
    const frames = await this.reader.frames(segment);
    const stop = Math.min(limitSeq, segmentEnd(segment));
    let progressed = false;
    while (this.readSeq < stop && !batch.full) {
      const frame = frames.frameInWindow(this.cursorOffset) ?? (await frames.frame(this.cursorOffset));
      if (!frame.ok) {
        this.loseRestOfSegment(segment, frame.problem);
        return;
      }
      if (!batch.fits(frame.size)) return;
      const start = frame.at + FRAME_HEADER_BYTES;
      batch.push({ seq: this.readSeq, payload: frames.buffer.toString('utf8', start, start + frame.size), bytes: frame.size });
      this.recordsFromDisk++;
      this.passed(frame.size);
      progressed = true;
    }
    if (!progressed && !batch.full) throw new Error(`disk spool ${this.dir}: the reader lost its place at seq ${this.readSeq}`);
  }

  /** The cursor moves over one record of `bytes` payload bytes. */
  private passed(bytes: number): void {
    this.cursorOffset += FRAME_HEADER_BYTES + bytes;
    this.readSeq++;
    if (this.readSeq === segmentEnd(this.cursorSegment as Segment)) this.normalizeCursor();
  }

  /** At the end of a segment that has a successor, the cursor moves to the successor's start (over any seq gap). */
  private normalizeCursor(): void {
    let segment = this.cursorSegment;
    while (segment !== undefined && this.readSeq >= segmentEnd(segment)) {
      const next = this.segments[this.segments.indexOf(segment) + 1];
      if (next === undefined) break;
      segment = next;
      this.cursorOffset = 0;
      this.readSeq = Math.max(this.readSeq, next.firstSeq);
    }
    this.cursorSegment = segment;
  }

  /** A frame that was intact at write or recovery time no longer is: the rest of its segment is skipped, counted as acked. */
  private loseRestOfSegment(segment: Segment, problem: string): void {
    const end = segmentEnd(segment);
    const events = end - this.readSeq;
    const bytes = segment.size - this.cursorOffset;
    this.warn(
      `disk spool ${this.dir}: ${segment.path}: ${problem} at byte ${this.cursorOffset}; ${events} records from seq ${this.readSeq} lost`,
    );
    this.acks.addRange(this.readSeq, end, bytes);
    this.unackedEvents -= events;
    this.unackedBytes -= bytes - events * FRAME_HEADER_BYTES;
    this.readSeq = end;
    this.cursorOffset = segment.size;
    this.cache.dropBelow(end);
    this.normalizeCursor();
    this.advanceWatermark();
  }

  private recordsWritten(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.readers.push(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  // ---- acking

  private advanceWatermark(): void {
    const before = this.acks.watermark;
    const freed = this.acks.advance();
    if (this.acks.watermark === before) return;
    this.diskBytes -= freed;
    this.wake(this.spaceWaiters);
    this.scheduleCheckpoint();
  }

  private scheduleCheckpoint(): void {
    if (this.checkpointTimer !== undefined || this.closed) return;
    this.checkpointTimer = setTimeout(() => {
      this.checkpointTimer = undefined;
      void this.checkpoint();
    }, this.options.checkpointMs ?? 100);
    this.checkpointTimer.unref();
  }

  /** Persists the watermark, then deletes the segments wholly below it (in that order, so a crash never loses the place). */
  private checkpoint(): Promise<void> {
    this.checkpointTail = this.checkpointTail
      .then(async () => {
        const watermark = this.acks.watermark;
        if (watermark !== this.persistedWatermark) {
          await writeAckFile(this.dir, watermark);
          this.persistedWatermark = watermark;
        }
        await this.deleteSegmentsBelow(watermark);
      })
      .catch((error) => this.warn(`disk spool ${this.dir}: checkpoint failed (tried again at the next one): ${messageOf(error)}`));
    return this.checkpointTail;
  }

  private async deleteSegmentsBelow(watermark: number): Promise<void> {
    this.normalizeCursor();
    for (let segment = this.segments[0]; segment !== undefined; segment = this.segments[0]) {
      if (segmentEnd(segment) > watermark || segment === this.writer.current) return;
      this.segments.shift();
      // Only a last segment that the reader has wholly passed can still hold the cursor here (normalizing moved it
      // off any other): the next segment created takes it over.
      if (segment === this.cursorSegment) this.cursorSegment = undefined;
      await this.reader.forget(segment);
      try {
        await unlink(segment.path);
      } catch (error) {
        if (!isCode(error, 'ENOENT')) throw error;
      }
    }
  }

  private wake(waiters: (() => void)[]): void {
    for (const wake of waiters.splice(0)) wake();
  }

  private closedError(): Error {
    return new Error(`disk spool ${this.dir} is closed`);
  }
}

/** The records one read() hands out, within its count and byte limits (always at least one record). */
class Batch {
  readonly records: BufferRecord[] = [];
  full = false;
  private bytes = 0;

  constructor(
    private readonly maxEvents: number,
    private readonly maxBytes: number,
  ) {}

  fits(bytes: number): boolean {
    if (this.records.length > 0 && this.bytes + bytes > this.maxBytes) this.full = true;
    return !this.full;
  }

  push(record: BufferRecord): void {
    this.records.push(record);
    this.bytes += record.bytes;
    if (this.records.length >= this.maxEvents) this.full = true;
  }
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A writer may give up (closed while blocked) before awaiting its commit: its failure must not go unhandled.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
