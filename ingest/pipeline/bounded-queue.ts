/**
 * A bounded FIFO between stages. `push` never refuses: it returns a promise when the queue is at or above its bound,
 * which the producer awaits (TCP sources stop reading the socket meanwhile) — backpressure, not loss. Producers that
 * cannot wait (UDP) check `isFull()` first and count what they drop.
 */
export class BoundedQueue<T> {
  private items: T[] = [];
  private head = 0;
  private readonly spaceWaiters: (() => void)[] = [];
  private readonly dataWaiters: (() => void)[] = [];

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`queue capacity must be a whole number ≥ 1, not ${capacity}`);
  }

  get size(): number {
    return this.items.length - this.head;
  }

  isFull(): boolean {
    return this.size >= this.capacity;
  }

  push(batch: readonly T[]): undefined | Promise<void> {
    for (const item of batch) this.items.push(item);
    for (const wake of this.dataWaiters.splice(0)) wake();
    if (!this.isFull()) return undefined;
    return new Promise((resolve) => this.spaceWaiters.push(resolve));
  }

  /** Up to `max` items, oldest first; waits while the queue is empty unless the signal aborts. */
  async take(max: number, signal?: AbortSignal): Promise<T[]> {
    while (this.size === 0) {
      if (signal?.aborted) return [];
      await new Promise<void>((resolve) => {
        this.dataWaiters.push(resolve);
        signal?.addEventListener('abort', () => resolve(), { once: true });
      });
    }
    const end = Math.min(this.items.length, this.head + max);
    const taken = this.items.slice(this.head, end);
    this.head = end;
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (!this.isFull()) for (const wake of this.spaceWaiters.splice(0)) wake();
    return taken;
  }
}
