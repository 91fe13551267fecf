import { sleep } from '../../platform/concurrency/sleep.js';

/**
 * Token bucket for a forwarding destination: `eventsPerSecond` sustained, `burst` at once. `take` waits for tokens instead
 * of dropping, so back-pressure reaches the sink, whose spool absorbs the backlog.
 */
export class RateLimiter {
  private tokens: number;
  private last: number;
  // Waiters are served in order, so a large take cannot be starved by a stream of small ones.
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly eventsPerSecond: number,
    private readonly burst: number = eventsPerSecond,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(eventsPerSecond > 0) || !Number.isFinite(eventsPerSecond))
      throw new Error(`rate limit: eventsPerSecond must be a positive number, got ${eventsPerSecond}`);
    if (!(burst >= 1) || !Number.isFinite(burst)) throw new Error(`rate limit: burst must be at least 1, got ${burst}`);
    this.tokens = burst;
    this.last = this.now();
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.eventsPerSecond);
    this.last = now;
  }

  /**
   * Resolves when `n` tokens were taken. `n` larger than the burst is allowed (a batch): it waits for the bucket to
   * refill to the burst as often as needed, so the long-run rate still holds. Rejects with the signal's reason when
   * aborted; a batch larger than the burst keeps the tokens of the chunks it already took (they were spent on time).
   */
  take(n = 1, signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.acquire(n, signal));
    // The next waiter starts after this one, whether it succeeded or was aborted.
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async acquire(n: number, signal?: AbortSignal): Promise<void> {
    let remaining = n;
    while (remaining > 0) {
      signal?.throwIfAborted();
      this.refill();
      const chunk = Math.min(remaining, this.burst);
      if (this.tokens >= chunk) {
        this.tokens -= chunk;
        remaining -= chunk;
        continue;
      }
      const waitMs = ((chunk - this.tokens) / this.eventsPerSecond) * 1000;
      if (!(await sleep(Math.max(1, Math.ceil(waitMs)), signal))) signal?.throwIfAborted();
    }
  }
}
