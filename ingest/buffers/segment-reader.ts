import { type FileHandle, open } from 'node:fs/promises';
import { FrameReader } from './frame-reader.js';
import type { Segment } from './segment-files.js';

/** The reader's open segment file: one at a time, reopened only when the cursor moves to another segment. */
export class SegmentReader {
  private segment: Segment | undefined;
  private file: FileHandle | undefined;
  private reader: FrameReader | undefined;

  /** Frames of `segment`, up to the bytes it has made durable so far. */
  async frames(segment: Segment): Promise<FrameReader> {
    if (this.segment !== segment || this.reader === undefined) {
      await this.close();
      this.file = await open(segment.path, 'r');
      this.segment = segment;
      this.reader = new FrameReader(this.file, segment.size);
    }
    this.reader.limit = segment.size;
    return this.reader;
  }

  /** Lets go of `segment`'s file (about to be deleted: an open file would keep its space). */
  async forget(segment: Segment): Promise<void> {
    if (this.segment === segment) await this.close();
  }

  async close(): Promise<void> {
    const file = this.file;
    this.segment = undefined;
    this.file = undefined;
    this.reader = undefined;
    await file?.close();
  }
}
