import { backoffDelayMs } from '../../platform/concurrency/backoff.js';

/**
 * Stops calling a dependency that keeps failing, for a while: after `failureThreshold` consecutive failures the
 * breaker opens for `openMs`; then one trial call is let through (half-open). Its success closes the breaker; its
 * failure opens it again for twice as long, up to `maxOpenMs`. While open, callers skip the dependency instead of
 * waiting on it, so a dead inventory API costs a handful of requests per back-off period, not one per event.
 */
export interface BackoffBreakerOptions {
  failureThreshold: number;
  openMs: number;
  maxOpenMs: number;
  now?: () => number;
}

export class BackoffBreaker {
  private consecutiveFailures = 0;
  private openUntil = 0;
  private failedTrials = 0;
  private trialInFlight = false;
  private readonly now: () => number;

  constructor(private readonly options: BackoffBreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Whether a call may go out now. When the back-off has just run out, this admits exactly one trial call. */
  tryAcquire(): boolean {
    if (this.consecutiveFailures < this.options.failureThreshold) return true;
    if (this.trialInFlight || this.now() < this.openUntil) return false;
    this.trialInFlight = true;
    return true;
  }

  succeeded(): void {
    this.consecutiveFailures = 0;
    this.trialInFlight = false;
    this.failedTrials = 0;
  }

  failed(): void {
    const wasTrial = this.trialInFlight;
    this.trialInFlight = false;
    this.consecutiveFailures++;
    if (this.consecutiveFailures < this.options.failureThreshold) return;
    if (wasTrial) this.failedTrials++;
    this.openUntil = this.now() + backoffDelayMs(this.failedTrials, { initialMs: this.options.openMs, maxMs: this.options.maxOpenMs });
  }

  /** True while calls are being skipped. */
  get isOpen(): boolean {
    return this.consecutiveFailures >= this.options.failureThreshold && (this.trialInFlight || this.now() < this.openUntil);
  }
}
