import { waitForWake } from '../buffers/wait-for-wake.js';

/** A second bound, in bytes: whichever bound is reached first pushes back. */
export interface ByteBound<T> {
  capacity: number;
  weigh: (item: T) => number;
}

/**
 * A bounded FIFO between stages. `push` never refuses: it returns a promise when the queue is at or above its bound,
 * which the producer awaits (TCP sources stop reading the socket meanwhile) — backpressure, not loss. Producers that
 * cannot wait (UDP) check `isFull()` first and count what they drop.
 *
 * The bound is in weight units: by default one per item; the pipeline weighs a batch by its lines, so the bound is in
 * events whatever the batch sizes. An optional byte bound holds memory too, since an event can be one line of 64 KiB.
 */
export class BoundedQueue<T> {
  private items: T[] = [];
  private head = 0;
  private weight = 0;
  private byteWeight = 0;
  private readonly spaceWaiters: (() => void)[] = [];
  private readonly dataWaiters: (() => void)[] = [];

  constructor(
    readonly capacity: number,
    private readonly weigh: (item: T) => number = () => 1,
    private readonly byteBound?: ByteBound<T>,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`queue capacity must be a whole number ≥ 1, not ${capacity}`);
    if (byteBound && !(byteBound.capacity >= 1)) throw new Error(`queue byte capacity must be ≥ 1, not ${byteBound.capacity}`);
  }

  /** Total weight waiting (items, unless a weight function was given). */
  get size(): number {
    return this.weight;
  }

  /** Bytes waiting, as the byte bound weighs them (0 without one). */
  get bytes(): number {
    return this.byteWeight;
  }

  isFull(): boolean {
    return this.weight >= this.capacity || (this.byteBound !== undefined && this.byteWeight >= this.byteBound.capacity);
  }

  push(batch: readonly T[]): undefined | Promise<void> {
    for (const item of batch) {
      this.items.push(item);
      this.weight += this.weigh(item);
      if (this.byteBound) this.byteWeight += this.byteBound.weigh(item);
    }
    for (const wake of this.dataWaiters.splice(0)) wake();
    if (!this.isFull()) return undefined;
    return new Promise((resolve) => this.spaceWaiters.push(resolve));
  }

  /**
   * Items up to `max` weight and `maxBytes` bytes (at least one item), oldest first; waits while the queue is empty
   * unless the signal aborts.
   */
  async take(max: number, signal?: AbortSignal, maxBytes = Number.POSITIVE_INFINITY): Promise<T[]> {
    while (this.head >= this.items.length) {
      if (signal?.aborted) return [];
      await waitForWake(this.dataWaiters, signal);
    }
    const weighBytes = this.byteBound?.weigh ?? (() => 0);
    let end = this.head;
    let taken = 0;
    let takenBytes = 0;
    while (end < this.items.length) {
      const item = this.items[end] as T;
      const weight = this.weigh(item);
      const bytes = weighBytes(item);
      if (end > this.head && (taken + weight > max || takenBytes + bytes > maxBytes)) break;
      taken += weight;
      takenBytes += bytes;
      end++;
    }
    const out = this.items.slice(this.head, end);
    // Taken items must not stay reachable from the array: batches are few and large, so waiting for a compaction
    // threshold in item count would hold every line ever queued.
    (this.items as (T | undefined)[]).fill(undefined, this.head, end);
    this.head = end;
    this.weight -= taken;
    this.byteWeight -= takenBytes;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (!this.isFull()) for (const wake of this.spaceWaiters.splice(0)) wake();
    return out;
  }
}
