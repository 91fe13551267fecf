const WINDOW_MS = 60_000;
// Addresses tracked at once; past this the oldest windows are dropped (a spray from many addresses cannot grow memory).
const MAX_TRACKED = 10_000;

interface Window {
  startedAt: number;
  failures: number;
}

/**
 * Failed logins per client address in a one-minute window. Once an address reaches the limit every attempt from it
 * is refused (429) until the window ends, right password or not, so guessing costs a minute per few tries.
 */
export class LoginThrottle {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly options: { failuresPerMinute: number; now: () => number }) {}

  /** Milliseconds until this address may try again, or 0 when it may try now. */
  retryAfterMs(address: string): number {
    const window = this.current(address);
    if (!window || window.failures < this.options.failuresPerMinute) return 0;
    return window.startedAt + WINDOW_MS - this.options.now();
  }

  recordFailure(address: string): void {
    const window = this.current(address);
    if (window) {
      window.failures++;
      return;
    }
    if (this.windows.size >= MAX_TRACKED) {
      const oldest = this.windows.keys().next().value;
      if (oldest !== undefined) this.windows.delete(oldest);
    }
    this.windows.set(address, { startedAt: this.options.now(), failures: 1 });
  }

  recordSuccess(address: string): void {
    this.windows.delete(address);
  }

  private current(address: string): Window | undefined {
    const window = this.windows.get(address);
    if (window && window.startedAt + WINDOW_MS <= this.options.now()) {
      this.windows.delete(address);
      return undefined;
    }
    return window;
  }
}
