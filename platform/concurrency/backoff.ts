/**
 * Exponential backoff: attempt n waits up to min(maxMs, initialMs · 2ⁿ) — the ceiling — spread by a jitter (AWS
 * architecture blog, "Exponential Backoff and Jitter"):
 * - `none`: exactly the ceiling (one client alone, e.g. a CLI retrying its own request, or a breaker's pause);
 * - `full`: uniform in [0, ceiling), whole milliseconds: N batches that failed together do not retry in lockstep;
 * - `equal`: in [ceiling/2, ceiling], rounded: spread, yet never much shorter than the ceiling (reconnects).
 */
export type Jitter = 'none' | 'full' | 'equal';

export interface BackoffOptions {
  /** The first ceiling (attempt 0). */
  initialMs: number;
  /** No ceiling exceeds this. */
  maxMs: number;
  /** Default `none`. */
  jitter?: Jitter;
  /** Uniform in [0, 1); Math.random by default, a fixed sequence in tests. */
  random?: () => number;
}

/** The delay before retry `attempt` (0 for the first retry). */
export function backoffDelayMs(attempt: number, options: BackoffOptions): number {
  // The exponent is capped so the ceiling stays finite however long the failures last.
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempt, 52));
  switch (options.jitter ?? 'none') {
    case 'none':
      return ceiling;
    case 'full':
      return Math.floor((options.random ?? Math.random)() * ceiling);
    case 'equal':
      return Math.round(ceiling * (0.5 + (options.random ?? Math.random)() * 0.5));
  }
}

/** Backoff that counts its own attempts: each `nextDelayMs` is the next retry's delay; `reset` after a success. */
export class Backoff {
  private attempt = 0;

  constructor(private readonly options: BackoffOptions) {
    if (!(options.initialMs > 0) || !(options.maxMs >= options.initialMs))
      throw new Error(`bad backoff bounds: initial ${options.initialMs} ms, max ${options.maxMs} ms`);
  }

  nextDelayMs(): number {
    return backoffDelayMs(this.attempt++, this.options);
  }

  reset(): void {
    this.attempt = 0;
  }
}
