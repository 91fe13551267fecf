/**
 * Acks arrive in any order, but only the watermark (lowest seq not yet acked) frees space and is persisted. Acked seqs
 * above it are kept as sorted disjoint ranges [start, end) with the on-disk bytes they cover, so the common case (whole
 * batches acked, mostly in order) costs a comparison per record and no allocation, whatever the number of records.
 */
export class AckTracker {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly bytes: number[] = [];
  /** Index of the range the last ack touched: consecutive acks usually extend it. */
  private hint = 0;

  constructor(private mark: number) {}

  /** The lowest seq not yet acked. */
  get watermark(): number {
    return this.mark;
  }

  /** Marks `seq` acked; false when it already was (a repeated ack must not be counted twice). */
  add(seq: number, diskBytes: number): boolean {
    if (seq < this.mark) return false;
    const i = this.rangeAtOrBefore(seq);
    if (i >= 0 && seq < (this.ends[i] as number)) return false;
    if (i >= 0 && seq === this.ends[i]) {
      this.ends[i] = seq + 1;
      this.bytes[i] = (this.bytes[i] as number) + diskBytes;
      if (i + 1 < this.starts.length && this.starts[i + 1] === seq + 1) this.mergeWithNext(i);
      this.hint = i;
    } else if (i + 1 < this.starts.length && this.starts[i + 1] === seq + 1) {
      this.starts[i + 1] = seq;
      this.bytes[i + 1] = (this.bytes[i + 1] as number) + diskBytes;
      this.hint = i + 1;
    } else {
      this.starts.splice(i + 1, 0, seq);
      this.ends.splice(i + 1, 0, seq + 1);
      this.bytes.splice(i + 1, 0, diskBytes);
      this.hint = i + 1;
    }
    return true;
  }

  /** Marks a whole range acked at once (records found lost or missing); it must not overlap acked seqs. */
  addRange(start: number, end: number, diskBytes: number): void {
    if (end <= start) return;
    const i = this.rangeAtOrBefore(start);
    this.starts.splice(i + 1, 0, start);
    this.ends.splice(i + 1, 0, end);
    this.bytes.splice(i + 1, 0, diskBytes);
    if (i + 2 < this.starts.length && this.starts[i + 2] === end) this.mergeWithNext(i + 1);
    if (i >= 0 && this.ends[i] === start) this.mergeWithNext(i);
    this.hint = 0;
  }

  /** Moves the watermark over the acked ranges that now start at it; returns the on-disk bytes they free. */
  advance(): number {
    let freed = 0;
    let absorbed = 0;
    while (absorbed < this.starts.length && this.starts[absorbed] === this.mark) {
      this.mark = this.ends[absorbed] as number;
      freed += this.bytes[absorbed] as number;
      absorbed++;
    }
    if (absorbed > 0) {
      this.starts.splice(0, absorbed);
      this.ends.splice(0, absorbed);
      this.bytes.splice(0, absorbed);
      this.hint = 0;
    }
    return freed;
  }

  /** The last range starting at or before `seq`, or -1. */
  private rangeAtOrBefore(seq: number): number {
    const n = this.starts.length;
    const h = this.hint;
    if (h < n && (this.starts[h] as number) <= seq && (h + 1 === n || (this.starts[h + 1] as number) > seq)) return h;
    let lo = 0;
    let hi = n - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.starts[mid] as number) <= seq) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  private mergeWithNext(i: number): void {
    this.ends[i] = this.ends[i + 1] as number;
    this.bytes[i] = (this.bytes[i] as number) + (this.bytes[i + 1] as number);
    this.starts.splice(i + 1, 1);
    this.ends.splice(i + 1, 1);
    this.bytes.splice(i + 1, 1);
  }
}
