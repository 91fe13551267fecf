import { unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { releaseUtf8Bytes } from '../../platform/bytes/utf8-slab.js';
import { makePrivateDir } from '../../platform/fs/private-files.js';
import { writeAckFile } from './ack-file.js';
import { AckTracker } from './ack-tracker.js';
import { errorMessage } from './error-message.js';
import { type BufferRecord, BufferWriteError, type EventBuffer, type WhenFull, type WriteResult } from './event-buffer.js';
import { encodeFrames, FRAME_HEADER_BYTES } from './frame.js';
import { GroupCommit } from './group-commit.js';
import { type Segment, segmentEnd } from './segment-files.js';
import { type FrameChunk, fsyncDirectory, SegmentWriter } from './segment-writer.js';
import { acquireSpoolLock, isCode } from './spool-lock.js';
import { SpoolReader } from './spool-reader.js';
import { type RecoveredSpool, recoverSpool } from './spool-recovery.js';

export interface DiskSpoolOptions {
  /** The spool directory (created if missing); one process at a time. */
  dir: string;
  /** Bound on the bytes kept on disk for unacked records (see `DiskSpool`). */
  maxBytes: number;
  whenFull: WhenFull;
  /** A new segment file starts once the current one passes this size. Default 64 MiB. */
  segmentBytes?: number;
  /** Payload bytes of freshly written records kept in memory for the reader. Default 8 MiB (at most `maxBytes`). */
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

/** A part of one write admitted at once, and its group commit. */
interface Admitted {
  durable: Promise<void>;
  count: number;
}

export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
/**
 * 8 MiB (~3,500 EMS events, nearly two sink batches): enough for a reader that keeps up to find its next batch in memory;
 * a reader that has fallen behind reads from disk whatever the size, so a larger cache only holds more heap.
 */
export const DEFAULT_CACHE_BYTES = 8 * 1024 * 1024;

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
  readonly firstOwnSeq: number;
  private readonly writer: SegmentWriter;
  private readonly groupCommit: GroupCommit;
  private readonly reader: SpoolReader;
  private readonly segments: Segment[];
  private readonly acks: AckTracker;
  private readonly warn: (message: string) => void;

  private nextSeq: number;
  private diskBytes: number;
  private unackedEvents: number;
  private unackedBytes: number;

  private admissionTail: Promise<unknown> = Promise.resolve();
  private readonly spaceWaiters: (() => void)[] = [];

  private persistedWatermark = 0;
  private checkpointTimer: NodeJS.Timeout | undefined;
  private checkpointTail: Promise<void> = Promise.resolve();
  private closed = false;
  private closing: Promise<void> | undefined;

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
    if ((await makePrivateDir(dir)) !== undefined) await fsyncDirectory(dirname(dir));
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
    this.groupCommit = new GroupCommit(
      this.writer,
      dir,
      (chunks) => this.reader.publish(chunks),
      (chunks) => this.commitFailed(chunks),
    );
    this.reader = new SpoolReader({
      dir,
      segments: this.segments,
      cacheBytes: Math.min(options.cacheBytes ?? DEFAULT_CACHE_BYTES, options.maxBytes),
      readSeq: recovered.watermark,
      readOffset: recovered.watermarkOffset,
      durableSeq: recovered.nextSeq,
      warn,
      lost: (from, to, bytes) => this.lost(from, to, bytes),
    });
    this.acks = new AckTracker(recovered.watermark);
    for (const [start, end] of recovered.gaps) this.acks.addRange(start, end, 0);
    this.nextSeq = recovered.nextSeq;
    this.firstOwnSeq = recovered.nextSeq;
    this.diskBytes = recovered.diskBytes;
    this.unackedEvents = recovered.events;
    this.unackedBytes = recovered.bytes;
  }

  async write(payloads: readonly Buffer[]): Promise<WriteResult> {
    if (this.closed) throw new BufferWriteError(this.closedError().message, 0);
    const failure = this.groupCommit.failure;
    if (failure) throw new BufferWriteError(failure.message, 0, { cause: failure });
    if (payloads.length === 0) return { written: 0, dropped: 0, end: 0 };
    const frames = encodeFrames(payloads);
    // Copied: the encoder's slab space serves the next batch instead of becoming garbage (platform/bytes/utf8-slab.ts).
    releaseUtf8Bytes(payloads);
    // Admission is first come, first served: a writer waiting for space is not overtaken by a smaller later one.
    const admitted: Admitted[] = [];
    const admission = this.admissionTail.then(() => this.admit(payloads, frames, admitted));
    this.admissionTail = admission.catch(() => {});
    let result: WriteResult | undefined;
    let error: unknown;
    try {
      result = await admission;
    } catch (thrown) {
      error = thrown;
    }
    // A write may fail part-way (closed while blocked, a failed commit): the parts committed before stay in the spool
    // and are delivered, so the error says how many, and the caller counts only the rest as lost.
    let written = 0;
    for (const part of admitted) {
      try {
        await part.durable;
        written += part.count;
      } catch (thrown) {
        error ??= thrown;
        break;
      }
    }
    if (error === undefined) return result as WriteResult;
    throw new BufferWriteError(errorMessage(error), written, { cause: error });
  }

  read(maxEvents: number, maxBytes: number, signal?: AbortSignal): Promise<BufferRecord[]> {
    return this.reader.read(Math.max(1, maxEvents), maxBytes, signal);
  }

  get ackWatermark(): number {
    return this.acks.watermark;
  }

  ack(records: readonly BufferRecord[]): void {
    let settled = false;
    for (const record of records) {
      // Only records this spool handed out count; a repeated ack is ignored by the tracker.
      if (record.seq >= this.reader.cursorSeq) continue;
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
      commits: this.groupCommit.commits,
      recordsFromMemory: this.reader.recordsFromMemory,
      recordsFromDisk: this.reader.recordsFromDisk,
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
    this.reader.stop();
    this.wakeWriters();
    await this.admissionTail;
    await this.groupCommit.inProgress;
    await this.reader.diskReadInProgress;
    clearTimeout(this.checkpointTimer);
    this.checkpointTimer = undefined;
    await this.checkpoint();
    await this.reader.close();
    await this.writer.close();
    await this.releaseLock();
  }

  // ---- writing

  /** Admits the payloads as space allows, each admitted part pushed to `admitted` with its commit. */
  private async admit(payloads: readonly Buffer[], frames: Buffer, admitted: Admitted[]): Promise<WriteResult> {
    let i = 0;
    let byte = 0;
    while (i < payloads.length) {
      if (this.groupCommit.failure) throw this.groupCommit.failure;
      let j = i;
      let framed = 0;
      while (j < payloads.length) {
        const frame = FRAME_HEADER_BYTES + (payloads[j] as Buffer).length;
        const used = this.diskBytes + framed;
        // A record larger than the whole spool still goes in once the spool is empty: never wedge on one event.
        if (used > 0 && used + frame > this.options.maxBytes) break;
        framed += frame;
        j++;
      }
      if (j > i) {
        admitted.push({ durable: this.enqueue(frames.subarray(byte, byte + framed), j - i), count: j - i });
        byte += framed;
        i = j;
        continue;
      }
      if (this.options.whenFull === 'drop_newest') return { written: i, dropped: payloads.length - i, end: i > 0 ? this.nextSeq : 0 };
      if (this.closed) throw this.closedError();
      await new Promise<void>((wake) => this.spaceWaiters.push(wake));
    }
    // Admissions run one at a time, so this write's records are the last ones numbered.
    return { written: payloads.length, dropped: 0, end: this.nextSeq };
  }

  /** Makes records of the `count` frames in `frames`; their payloads are views of the frames, so the caller's buffers can go. */
  private enqueue(frames: Buffer, count: number): Promise<void> {
    const records = new Array<BufferRecord>(count);
    let at = 0;
    for (let k = 0; k < count; k++) {
      const bytes = frames.readUInt32LE(at);
      const start = at + FRAME_HEADER_BYTES;
      records[k] = { seq: this.nextSeq++, payload: frames.subarray(start, start + bytes), bytes };
      at = start + bytes;
    }
    this.diskBytes += frames.length;
    this.unackedEvents += records.length;
    this.unackedBytes += frames.length - records.length * FRAME_HEADER_BYTES;
    return this.groupCommit.add({ frames, records });
  }

  /**
   * Records whose commit failed are never served: out of the depth, or the sink would count them as buffered as well
   * as discarded (its write fails with them). Writers waiting for space wake up to fail.
   */
  private commitFailed(chunks: readonly FrameChunk[]): void {
    for (const chunk of chunks) {
      this.unackedEvents -= chunk.records.length;
      this.unackedBytes -= chunk.frames.length - chunk.records.length * FRAME_HEADER_BYTES;
    }
    this.wakeWriters();
  }

  private segmentCreated(segment: Segment): void {
    this.segments.push(segment);
    this.reader.segmentAdded(segment);
  }

  // ---- acking

  /** Records the reader could no longer read (a damaged segment) count as acked, so they free their space. */
  private lost(from: number, to: number, bytes: number): void {
    const events = to - from;
    this.acks.addRange(from, to, bytes);
    this.unackedEvents -= events;
    this.unackedBytes -= bytes - events * FRAME_HEADER_BYTES;
    this.advanceWatermark();
  }

  private advanceWatermark(): void {
    const before = this.acks.watermark;
    const freed = this.acks.advance();
    if (this.acks.watermark === before) return;
    this.diskBytes -= freed;
    this.wakeWriters();
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
      .catch((error) => this.warn(`disk spool ${this.dir}: checkpoint failed (tried again at the next one): ${errorMessage(error)}`));
    return this.checkpointTail;
  }

  private async deleteSegmentsBelow(watermark: number): Promise<void> {
    this.reader.normalizeCursor();
    for (let segment = this.segments[0]; segment !== undefined; segment = this.segments[0]) {
      if (segmentEnd(segment) > watermark || segment === this.writer.current) return;
      this.segments.shift();
      await this.reader.forget(segment);
      try {
        await unlink(segment.path);
      } catch (error) {
        if (!isCode(error, 'ENOENT')) throw error;
      }
    }
  }

  /** Writers waiting for space look again: space was freed, or they are to fail. */
  private wakeWriters(): void {
    for (const wake of this.spaceWaiters.splice(0)) wake();
  }

  private closedError(): Error {
    return new Error(`disk spool ${this.dir} is closed`);
  }
}
