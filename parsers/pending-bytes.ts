/** Small chunks are copied into segments of this size; larger ones are kept as they came. */
const SEGMENT_BYTES = 4096;

/**
 * The bytes of an unfinished frame, held compactly while more arrive: appending is O(chunk) and joining is done once,
 * so a frame that arrives in many small chunks costs O(n) in total. Small chunks (a sender choosing 1-byte segments)
 * are packed into 4 KiB segments, so the memory held is the bytes plus at most one partly filled segment and a few
 * objects per segment, never an object per chunk.
 */
export class PendingBytes {
  private segments: Buffer[] = [];
  private tail: Buffer | undefined;
  private tailUsed = 0;
  length = 0;

  append(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.length += chunk.length;
    if (chunk.length >= SEGMENT_BYTES) {
      this.seal();
      this.segments.push(compact(chunk));
      return;
    }
    let copied = 0;
    while (copied < chunk.length) {
      if (!this.tail || this.tailUsed === this.tail.length) {
        this.seal();
        this.tail = Buffer.allocUnsafeSlow(SEGMENT_BYTES);
      }
      const n = chunk.copy(this.tail, this.tailUsed, copied);
      this.tailUsed += n;
      copied += n;
    }
  }

  /** Everything held, then `extra`, as one buffer; the holder is left empty. */
  take(extra?: Buffer): Buffer {
    this.seal();
    const parts = extra && extra.length > 0 ? [...this.segments, extra] : this.segments;
    const total = this.length + (extra?.length ?? 0);
    const joined = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, total);
    this.segments = [];
    this.length = 0;
    return joined;
  }

  private seal(): void {
    if (!this.tail) return;
    if (this.tailUsed > 0) this.segments.push(compact(this.tail.subarray(0, this.tailUsed)));
    this.tail = undefined;
    this.tailUsed = 0;
  }
}

/** A small view of a large buffer is copied, so what waits does not hold the whole buffer. */
export function compact(bytes: Buffer): Buffer {
  if (bytes.length * 2 >= bytes.buffer.byteLength) return bytes;
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(copy);
  return copy;
}
