import type { BufferRecord } from './event-buffer.js';

/**
 * Records this process wrote and nobody has read yet, kept in memory so the reader does not go back to disk for them
 * in the common case (a reader that keeps up). Bounded by payload bytes: when full it keeps what it has, the oldest
 * unread records, which are the next to be read, and refuses newer ones, which the reader then finds on disk. The
 * records held are always consecutive seqs; a chunk that would break that is refused too until the cache has drained.
 */
const CONSUMED: readonly BufferRecord[] = [];

export class RecordCache {
  private chunks: (readonly BufferRecord[])[] = [];
  private chunkHead = 0;
  private recordHead = 0;
  private heldBytes = 0;
  private heldRecords = 0;
  private endSeq = 0;

  constructor(private readonly maxBytes: number) {}

  /** Keeps `records` (consecutive, continuing what is held) if there is room; `bytes` is their payload bytes. */
  offer(records: readonly BufferRecord[], bytes: number): boolean {
    const first = records[0];
    if (first === undefined) return true;
    if (this.heldRecords > 0 && first.seq !== this.endSeq) return false;
    if (this.heldBytes + bytes > this.maxBytes) return false;
    this.chunks.push(records);
    this.heldBytes += bytes;
    this.heldRecords += records.length;
    this.endSeq = first.seq + records.length;
    return true;
  }

  /** The oldest record held. */
  front(): BufferRecord | undefined {
    return this.chunks[this.chunkHead]?.[this.recordHead];
  }

  /** Removes and returns the oldest record held (call after `front()` answered one). */
  take(): BufferRecord {
    const chunk = this.chunks[this.chunkHead] as readonly BufferRecord[];
    const record = chunk[this.recordHead] as BufferRecord;
    this.heldBytes -= record.bytes;
    this.heldRecords--;
    if (++this.recordHead === chunk.length) {
      // A consumed chunk must not stay reachable until the next compaction: its payloads are the bulk of the memory.
      this.chunks[this.chunkHead] = CONSUMED;
      this.chunkHead++;
      this.recordHead = 0;
      if (this.chunkHead === this.chunks.length) {
        this.chunks = [];
        this.chunkHead = 0;
      } else if (this.chunkHead > 1024 && this.chunkHead * 2 > this.chunks.length) {
        this.chunks.splice(0, this.chunkHead);
        this.chunkHead = 0;
      }
    }
    return record;
  }

  /** Forgets the records below `seq` (the reader skipped them). */
  dropBelow(seq: number): void {
    for (let record = this.front(); record !== undefined && record.seq < seq; record = this.front()) this.take();
  }
}
