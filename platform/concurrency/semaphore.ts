/**
 * A counting semaphore: at most `permits` holders at once, at most `maxWaiting` in line behind them (unbounded by
 * default). Two ways in:
 * - `run(task)` for a bounded fan-out: a cold cache and a batch of a thousand distinct endpoints must not become a
 *   thousand simultaneous requests; when the line is full the caller is told at once (`undefined`) rather than queue
 *   without bound;
 * - `acquire(signal)` / `release()` for a holder that may give up waiting (the sink helper's batches in flight).
 * A released permit is handed straight to the next waiter, so no newcomer can take it in between (FIFO, no starvation).
 */
export class Semaphore {
  private free: number;
  private readonly waiters: Array<() => void> = [];

  constructor(
    private readonly permits: number,
    private readonly maxWaiting = Number.POSITIVE_INFINITY,
  ) {
    if (!Number.isInteger(permits) || permits < 1) throw new Error(`concurrency must be an integer ≥ 1, not ${permits}`);
    this.free = permits;
  }

  /** Runs `task` holding a permit; undefined (and `task` never runs) when the line is full. */
  run<T>(task: () => Promise<T>): Promise<T> | undefined {
    if (this.free > 0) {
      this.free--;
      return this.holding(task);
    }
    if (this.waiters.length >= this.maxWaiting) return undefined;
    return new Promise<void>((resolve) => this.waiters.push(resolve)).then(() => this.holding(task));
  }

  /** True once a permit is held; false if `signal` aborted first or the line is full (no permit held then). */
  acquire(signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return Promise.resolve(false);
    if (this.free > 0) {
      this.free--;
      return Promise.resolve(true);
    }
    if (this.waiters.length >= this.maxWaiting) return Promise.resolve(false);
    return new Promise((resolve) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      };
      const onAbort = () => {
        const index = this.waiters.indexOf(grant);
        if (index >= 0) this.waiters.splice(index, 1);
        resolve(false);
      };
      this.waiters.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.free++;
  }

  private async holding<T>(task: () => Promise<T>): Promise<T> {
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  get activeCount(): number {
    return this.permits - this.free;
  }

  get waitingCount(): number {
    return this.waiters.length;
  }
}
