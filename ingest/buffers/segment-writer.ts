import { type FileHandle, open } from 'node:fs/promises';
import { openPrivateFile } from '../../platform/fs/private-files.js';
import type { BufferRecord } from './event-buffer.js';
import { FRAME_HEADER_BYTES } from './frame.js';
import { type Segment, segmentPath } from './segment-files.js';

/** Records of one `write()` call (or the part of it admitted at once) and their frames, back to back. */
export interface FrameChunk {
  readonly frames: Buffer;
  readonly records: readonly BufferRecord[];
}

/**
 * Appends frames to the active segment and makes them durable: one write and one fdatasync per call, however many
 * chunks it is given (that is the group commit), plus one more of each when the call crosses into a new segment.
 * A new segment starts before the first record that would go into a segment that already passed `segmentBytes`.
 */
export class SegmentWriter {
  /** fdatasync/fsync calls made, for the figures. */
  fsyncs = 0;
  private active: Segment | undefined;
  private file: FileHandle | undefined;
  private pieces: Buffer[] = [];
  private pieceBytes = 0;
  private pieceCount = 0;

  constructor(
    private readonly dir: string,
    private readonly segmentBytes: number,
    /** Called with each segment it creates, before any record of it is reported durable. */
    private readonly onSegment: (segment: Segment) => void,
  ) {}

  /** The segment being appended to (never deleted while it is). */
  get current(): Segment | undefined {
    return this.active;
  }

  async append(chunks: readonly FrameChunk[]): Promise<void> {
    for (const chunk of chunks) {
      const active = this.active;
      if (active !== undefined && active.size + this.pieceBytes + chunk.frames.length <= this.segmentBytes) {
        this.stage(chunk.frames, chunk.records.length);
        continue;
      }
      let from = 0;
      let fromIndex = 0;
      let at = 0;
      const records = chunk.records;
      for (let k = 0; k < records.length; k++) {
        const segment = this.active;
        if (segment === undefined || segment.size + this.pieceBytes + (at - from) >= this.segmentBytes) {
          if (at > from) this.stage(chunk.frames.subarray(from, at), k - fromIndex);
          await this.commit();
          await this.roll((records[k] as BufferRecord).seq);
          from = at;
          fromIndex = k;
        }
        at += FRAME_HEADER_BYTES + (records[k] as BufferRecord).bytes;
      }
      if (at > from) this.stage(chunk.frames.subarray(from, at), records.length - fromIndex);
    }
    await this.commit();
  }

  async close(): Promise<void> {
    const file = this.file;
    this.file = undefined;
    this.active = undefined;
    await file?.close();
  }

  private stage(frames: Buffer, count: number): void {
    this.pieces.push(frames);
    this.pieceBytes += frames.length;
    this.pieceCount += count;
  }

  private async commit(): Promise<void> {
    if (this.pieceBytes === 0) return;
    const segment = this.active as Segment;
    const file = this.file as FileHandle;
    const pieces = this.pieces;
    const bytes = this.pieceBytes;
    const count = this.pieceCount;
    this.pieces = [];
    this.pieceBytes = 0;
    this.pieceCount = 0;
    // writev: the chunks go out as they are, no copy into one buffer (libuv loops over IOV_MAX and short writes).
    let written = (await file.writev(pieces, segment.size)).bytesWritten;
    if (written < bytes) {
      const rest = Buffer.concat(pieces, bytes);
      while (written < bytes) written += (await file.write(rest, written, bytes - written, segment.size + written)).bytesWritten;
    }
    await file.datasync();
    this.fsyncs++;
    segment.size += bytes;
    segment.count += count;
  }

  private async roll(firstSeq: number): Promise<void> {
    await this.file?.close();
    this.file = undefined;
    const segment: Segment = { firstSeq, path: segmentPath(this.dir, firstSeq), count: 0, size: 0 };
    this.file = await openPrivateFile(segment.path, 'wx');
    // The new name must survive a crash before any record in the file is reported durable.
    await fsyncDirectory(this.dir);
    this.fsyncs++;
    this.active = segment;
    this.onSegment(segment);
  }
}

export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
