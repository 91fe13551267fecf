import type { FileHandle } from 'node:fs/promises';
import { FRAME_HEADER_BYTES, frameIsIntact } from './frame.js';

export type FrameAt = { ok: true; size: number; at: number } | { ok: false; problem: string };

/**
 * Reads the frames of one segment file through a read-ahead window (1 MiB by default, more for a larger frame), so
 * walking a segment costs one read per window, not per record. Frames are immutable once written, so the window never
 * goes stale; only `limit` (the bytes known to be durable) moves.
 */
export class FrameReader {
  private window: Buffer;
  private windowStart = 0;
  private windowLength = 0;

  constructor(
    private readonly file: FileHandle,
    public limit: number,
    private readonly windowBytes = 1 << 20,
  ) {
    this.window = Buffer.allocUnsafe(windowBytes);
  }

  /** The bytes `frame()` answered about: read a frame's payload at `at + FRAME_HEADER_BYTES`. */
  get buffer(): Buffer {
    return this.window;
  }

  /** The frame starting at file offset `offset`, checked; or why there is no intact frame there. */
  async frame(offset: number): Promise<FrameAt> {
    const inWindow = this.frameInWindow(offset);
    if (inWindow !== undefined) return inWindow;
    await this.load(offset);
    return this.frameInWindow(offset) as FrameAt;
  }

  /** Like `frame()` but without I/O (walking a window costs no promise per record): undefined when `load()` is needed first. */
  frameInWindow(offset: number): FrameAt | undefined {
    const left = this.limit - offset;
    if (left < FRAME_HEADER_BYTES) return { ok: false, problem: `partial frame header (${left} of ${FRAME_HEADER_BYTES} bytes)` };
    if (!this.holds(offset, FRAME_HEADER_BYTES)) return undefined;
    const at = offset - this.windowStart;
    const size = this.window.readUInt32LE(at);
    if (FRAME_HEADER_BYTES + size > left) return { ok: false, problem: `partial frame (${left} of ${FRAME_HEADER_BYTES + size} bytes)` };
    if (!this.holds(offset, FRAME_HEADER_BYTES + size)) return undefined;
    if (!frameIsIntact(this.window, at)) return { ok: false, problem: 'bad checksum' };
    return { ok: true, size, at };
  }

  /** Reads the window so that it starts at `offset` and holds the whole frame there (as far as the file has it). */
  async load(offset: number): Promise<void> {
    const at = await this.view(offset, Math.min(FRAME_HEADER_BYTES, this.limit - offset));
    if (this.limit - offset < FRAME_HEADER_BYTES) return;
    const frameBytes = FRAME_HEADER_BYTES + this.window.readUInt32LE(at);
    if (frameBytes <= this.limit - offset) await this.view(offset, frameBytes);
  }

  private holds(offset: number, length: number): boolean {
    return offset >= this.windowStart && offset + length <= this.windowStart + this.windowLength;
  }

  /** Makes file bytes [offset, offset + length) available in the window; returns where `offset` is in it. */
  private async view(offset: number, length: number): Promise<number> {
    if (this.holds(offset, length)) return offset - this.windowStart;
    if (length > this.window.length) this.window = Buffer.allocUnsafe(Math.max(length, this.windowBytes));
    const want = Math.min(this.window.length, this.limit - offset);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await this.file.read(this.window, got, want - got, offset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    this.windowStart = offset;
    this.windowLength = got;
    if (got < length) throw new Error(`segment file shorter than expected (${offset + got} < ${offset + length} bytes)`);
    return 0;
  }
}
