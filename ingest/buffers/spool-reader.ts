import type { BufferRecord } from './event-buffer.js';
import { FRAME_HEADER_BYTES } from './frame.js';
import { RecordCache } from './record-cache.js';
import { type Segment, segmentEnd } from './segment-files.js';
import { SegmentReader } from './segment-reader.js';
import type { FrameChunk } from './segment-writer.js';
import { waitForWake } from './wait-for-wake.js';

export interface SpoolReaderOptions {
  dir: string;
  /** The spool's segments, oldest first; the spool adds and deletes them and tells the reader. */
  segments: readonly Segment[];
  /** Payload bytes of freshly written records kept in memory for the reader. */
  cacheBytes: number;
  /** The first record to hand out (the ack watermark) and its offset in the first segment. */
  readSeq: number;
  readOffset: number;
  /** Records below it are already durable (recovered from disk). */
  durableSeq: number;
  warn: (message: string) => void;
  /** The records from `from` to `to` (excluded), `bytes` of frames, can no longer be read: they count as acked. */
  lost: (from: number, to: number, bytes: number) => void;
}

/**
 * The spool's read path: hands out the durable records in seq order, from memory while the cache holds the next one,
 * from the segment files otherwise. Its cursor is the next record to hand out and where that record is on disk.
 */
export class SpoolReader {
  recordsFromMemory = 0;
  recordsFromDisk = 0;
  private readonly dir: string;
  private readonly segments: readonly Segment[];
  private readonly reader = new SegmentReader();
  private readonly cache: RecordCache;
  private readonly warn: (message: string) => void;
  private readonly lost: SpoolReaderOptions['lost'];

  /** Records below it are fsynced and may be handed out. */
  private durableSeq: number;
  /** The next record to hand out, and where it is on disk. */
  private readSeq: number;
  private cursorSegment: Segment | undefined;
  private cursorOffset: number;

  private diskRead: Promise<void> | undefined;
  private readonly readers: (() => void)[] = [];
  private closed = false;

  constructor(options: SpoolReaderOptions) {
    this.dir = options.dir;
    this.segments = options.segments;
    this.cache = new RecordCache(options.cacheBytes);
    this.warn = options.warn;
    this.lost = options.lost;
    this.durableSeq = options.durableSeq;
    this.readSeq = options.readSeq;
    this.cursorSegment = this.segments[0];
    this.cursorOffset = options.readOffset;
  }

  /** The next record to hand out: every record below it has been. */
  get cursorSeq(): number {
    return this.readSeq;
  }

  /** The disk read running now, if any. */
  get diskReadInProgress(): Promise<void> | undefined {
    return this.diskRead;
  }

  /** Committed chunks, in order: their records may be handed out now. */
  publish(chunks: readonly FrameChunk[]): void {
    for (const chunk of chunks) {
      this.cache.offer(chunk.records, chunk.frames.length - chunk.records.length * FRAME_HEADER_BYTES);
      this.durableSeq = (chunk.records.at(-1) as BufferRecord).seq + 1;
    }
    this.wake();
  }

  /** The spool appended `segment` to its segments. */
  segmentAdded(segment: Segment): void {
    if (this.cursorSegment === undefined) {
      this.cursorSegment = segment;
      this.cursorOffset = 0;
    } else {
      this.normalizeCursor();
    }
  }

  /** The spool took `segment` off its segments and is about to delete its file. */
  forget(segment: Segment): Promise<void> {
    // Only a last segment that the reader has wholly passed can still hold the cursor here (normalizing moved it
    // off any other): the next segment created takes it over.
    if (segment === this.cursorSegment) this.cursorSegment = undefined;
    return this.reader.forget(segment);
  }

  /** Wakes the readers waiting for records: they answer with none from now on. */
  stop(): void {
    this.closed = true;
    this.wake();
  }

  close(): Promise<void> {
    return this.reader.close();
  }

  /** At most `maxEvents` records and `maxBytes` payload bytes (at least one record); waits for one; none once stopped or aborted. */
  async read(maxEvents: number, maxBytes: number, signal: AbortSignal | undefined): Promise<BufferRecord[]> {
    for (;;) {
      if (this.closed || signal?.aborted) return [];
      if (this.diskRead !== undefined) await this.diskRead;
      else if (this.readSeq < this.durableSeq) break;
      else await this.recordsWritten(signal);
    }
    const batch = new Batch(maxEvents, maxBytes);
    // Stops at stop() too: the spool's close waits for the disk read in progress, not for a next one, before closing the files.
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
      // A copy: the read-ahead window is reused for the next read.
      batch.push({ seq: this.readSeq, payload: Buffer.from(frames.buffer.subarray(start, start + frame.size)), bytes: frame.size });
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

  /**
   * At the end of a segment that has a successor, the cursor moves to the successor's start (over any seq gap). The
   * spool calls it before deleting segments, so that the cursor is left on none of them but the last.
   */
  normalizeCursor(): void {
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
    const from = this.readSeq;
    this.readSeq = end;
    this.cursorOffset = segment.size;
    this.cache.dropBelow(end);
    this.normalizeCursor();
    this.lost(from, end, bytes);
  }

  private wake(): void {
    for (const wake of this.readers.splice(0)) wake();
  }

  private recordsWritten(signal: AbortSignal | undefined): Promise<void> {
    return waitForWake(this.readers, signal);
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
