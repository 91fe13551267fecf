/**
 * Encodes strings to UTF-8 into a shared slab and hands out views of it: one native write per part, no
 * `Buffer.byteLength` pass and no concatenated (cons) string to flatten first, and one allocation per slab instead of
 * one per payload. A view keeps its whole slab alive, so a slab is small (64 KiB by default) next to what the buffers
 * hold; a payload too large for a slab gets a buffer of its own, sized exactly.
 *
 * Not for payloads kept for a long time one by one (a few retained views would pin whole slabs); the sink buffers
 * release records in order, so slabs are freed in order too.
 */
export class Utf8Slab {
  private slab: Buffer;
  private offset = 0;

  constructor(private readonly slabBytes = 64 * 1024) {
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
}

/** The one slab of this thread (each worker thread has its own module instance). */
const shared = new Utf8Slab();

/** UTF-8 bytes of `first + second + third`, from the shared slab (see `Utf8Slab`). */
export function utf8Bytes(first: string, second?: string, third?: string): Buffer {
  return shared.encode(first, second, third);
}
