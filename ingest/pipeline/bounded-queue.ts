import { waitForWake } from '../buffers/wait-for-wake.js';

/**
 * A bounded FIFO between stages. `push` never refuses: it returns a promise when the queue is at or above its bound,
 * which the producer awaits (TCP sources stop reading the socket meanwhile) — backpressure, not loss. Producers that
 * cannot wait (UDP) check `isFull()` first and count what they drop.
 *
 * The bound is in weight units: by default one per item; the pipeline weighs a batch by its lines, so the bound is in
 * events whatever the batch sizes.
 */
export class BoundedQueue<T> {
  private items: T[] = [];
  private head = 0;
  private weight = 0;
  private readonly spaceWaiters: (() => void)[] = [];
  private readonly dataWaiters: (() => void)[] = [];

  constructor(
    readonly capacity: number,
    private readonly weigh: (item: T) => number = () => 1,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`queue capacity must be a whole number ≥ 1, not ${capacity}`);
  }

  /** Total weight waiting (items, unless a weight function was given). */
  get size(): number {
    return this.weight;
  }

  isFull(): boolean {
    return this.weight >= this.capacity;
  }

  push(batch: readonly T[]): undefined | Promise<void> {
    for (const item of batch) {
      this.items.push(item);
      this.weight += this.weigh(item);
    }
    for (const wake of this.dataWaiters.splice(0)) wake();
    if (!this.isFull()) return undefined;
    return new Promise((resolve) => this.spaceWaiters.push(resolve));
  }

  /** Items up to `max` weight (at least one), oldest first; waits while the queue is empty unless the signal aborts. */
  async take(max: number, signal?: AbortSignal): Promise<T[]> {
    while (this.head >= this.items.length) {
      if (signal?.aborted) return [];
      await waitForWake(this.dataWaiters, signal);
    }
    let end = this.head;
    let taken = 0;
    while (end < this.items.length && (end === this.head || taken + this.weigh(this.items[end] as T) <= max)) {
      taken += this.weigh(this.items[end] as T);
      end++;
    }
    const out = this.items.slice(this.head, end);
    // Taken items must not stay reachable from the array: batches are few and large, so waiting for a compaction
    // threshold in item count would hold every line ever queued.
    (this.items as (T | undefined)[]).fill(undefined, this.head, end);
    this.head = end;
    this.weight -= taken;
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
