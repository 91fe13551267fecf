/**
 * Encodes strings to UTF-8 into a shared slab and hands out views of it: one native write per part, no
 * `Buffer.byteLength` pass and no concatenated (cons) string to flatten first, and one allocation per slab instead of
 * one per payload. A payload too large for a slab gets a buffer of its own, sized exactly.
 *
 * A consumer that copies the bytes (the disk spool frames them) gives the space back with `release`, so the same slab
 * serves batch after batch: slabs are external memory, and allocating them at the event rate makes V8 run full
 * mark-compacts (external memory pressure) whose cost grows with the whole heap. Views kept instead (a memory buffer)
 * pin their slab until the last of them is dropped; records are dropped in order, so at most a slab or two is pinned
 * beyond the payload bytes themselves.
 */
export class Utf8Slab {
  private slab: Buffer;
  private offset = 0;

  constructor(private readonly slabBytes = 2 * 1024 * 1024) {
    this.slab = Buffer.allocUnsafe(slabBytes);
  }

  /** `first + second + third`, as UTF-8 bytes. */
  encode(first: string, second = '', third = ''): Buffer {
    // A UTF-16 code unit never takes more than 3 UTF-8 bytes (a surrogate pair: 4 bytes for 2 units).
    const worst = 3 * (first.length + second.length + third.length);
    if (worst > this.slabBytes >>> 2) return Buffer.from(second === '' && third === '' ? first : first + second + third, 'utf8');
    if (this.slab.length - this.offset < worst) {
      this.slab = Buffer.allocUnsafe(this.slabBytes);
      this.offset = 0;
    }
    const slab = this.slab;
    const start = this.offset;
    let at = start + slab.write(first, start, 'utf8');
    if (second !== '') at += slab.write(second, at, 'utf8');
    if (third !== '') at += slab.write(third, at, 'utf8');
    this.offset = at;
    return slab.subarray(start, at);
  }

  /**
   * Gives back the space of `views` (in the order they were encoded) that are still the latest allocations of the
   * current slab; anything else (an older slab, a view encoded before someone else's, a buffer of its own) is left
   * alone, so a view another holder keeps is never reused. The caller must not use the released views again.
   */
  release(views: readonly Uint8Array[]): void {
    const slab = this.slab;
    for (let i = views.length - 1; i >= 0; i--) {
      const view = views[i] as Uint8Array;
      if (view.buffer !== slab.buffer || view.byteOffset + view.length !== slab.byteOffset + this.offset) return;
      this.offset = view.byteOffset - slab.byteOffset;
    }
  }
}

/** The one slab of this thread (each worker thread has its own module instance). */
const shared = new Utf8Slab();

/** UTF-8 bytes of `first + second + third`, from the shared slab (see `Utf8Slab`). */
export function utf8Bytes(first: string, second?: string, third?: string): Buffer {
  return shared.encode(first, second, third);
}

/** Gives the space of payloads made by `utf8Bytes` back once they have been copied (see `Utf8Slab.release`). */
export function releaseUtf8Bytes(views: readonly Uint8Array[]): void {
  shared.release(views);
}
