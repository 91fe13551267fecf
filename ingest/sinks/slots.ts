/** A counting semaphore whose waits can be abandoned: how the sink helper keeps at most N batches in flight. */
export class Slots {
  private free: number;
  private readonly waiters: (() => void)[] = [];

  constructor(count: number) {
    if (!Number.isInteger(count) || count < 1) throw new Error(`concurrency must be an integer ≥ 1, not ${count}`);
    this.free = count;
  }

  /** True once a slot is held; false if `signal` aborted first (no slot held then). */
  acquire(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    if (this.free > 0) {
      this.free--;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const grant = () => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      };
      const onAbort = () => {
        const index = this.waiters.indexOf(grant);
        if (index >= 0) this.waiters.splice(index, 1);
        resolve(false);
      };
      this.waiters.push(grant);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  release(): void {
    // Handed straight to the next waiter, so no newcomer can take the slot in between.
    const next = this.waiters.shift();
    if (next) next();
    else this.free++;
  }
}
