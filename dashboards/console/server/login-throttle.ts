// Keys tracked at once; past this the oldest windows are dropped (a spray from many addresses or of many account
// names cannot grow memory).
const MAX_TRACKED = 10_000;

interface Window {
  startedAt: number;
  failures: number;
  /** Where the failures came from, up to `fromSources` of them (only their number matters). */
  sources: Set<string>;
}

export interface LoginThrottleOptions {
  failures: number;
  windowMs: number;
  /**
   * The lock needs failures from at least this many sources (default 1). The account throttle says 2: one address
   * alone is the address throttle's business, so its failures never lock the account for everyone else.
   */
  fromSources?: number;
  now: () => number;
}

/**
 * Failed logins per key (a client address, or an account name) in a fixed window that starts at the first failure.
 * Once a key reaches the limit every attempt under it is refused (429) until the window ends, right password or not,
 * so guessing costs a window per few tries, and the lock always ends.
 */
export class LoginThrottle {
  private readonly windows = new Map<string, Window>();
  private readonly fromSources: number;

  constructor(private readonly options: LoginThrottleOptions) {
    this.fromSources = options.fromSources ?? 1;
  }

  /** Milliseconds until this key may try again, or 0 when it may try now. */
  retryAfterMs(key: string): number {
    const window = this.current(key);
    if (!window || window.failures < this.options.failures || window.sources.size < this.fromSources) return 0;
    return window.startedAt + this.options.windowMs - this.options.now();
  }

  recordFailure(key: string, source = ''): void {
    const window = this.current(key);
    if (window) {
      window.failures++;
      if (window.sources.size < this.fromSources) window.sources.add(source);
      return;
    }
    if (this.windows.size >= MAX_TRACKED) {
      const oldest = this.windows.keys().next().value;
      if (oldest !== undefined) this.windows.delete(oldest);
    }
    this.windows.set(key, { startedAt: this.options.now(), failures: 1, sources: new Set([source]) });
  }

  recordSuccess(key: string): void {
    this.windows.delete(key);
  }

  private current(key: string): Window | undefined {
    const window = this.windows.get(key);
    if (window && window.startedAt + this.options.windowMs <= this.options.now()) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }
}

// Devices remembered at once; the oldest is forgotten first (its owner then waits out an account lock like anyone).
const MAX_DEVICES = 1000;

/**
 * Browsers that have logged in to an account before, by a random id in a cookie only the login call sees. An account
 * lock does not apply to them: a guesser spraying one account from many addresses cannot lock its owner out, because
 * the guesser has no such cookie. In memory: a restart forgets them (the lock is short anyway).
 */
export class KnownDevices {
  private readonly devices = new Map<string, { user: string; expiresAt: number }>();

  constructor(private readonly options: { ttlMs: number; now: () => number }) {}

  knows(id: string | undefined, user: string): boolean {
    const device = id === undefined ? undefined : this.devices.get(id);
    if (!device) return false;
    if (device.expiresAt <= this.options.now()) {
      this.devices.delete(id as string);
      return false;
    }
    return device.user === user;
  }

  remember(id: string, user: string): void {
    this.devices.delete(id);
    if (this.devices.size >= MAX_DEVICES) {
      const oldest = this.devices.keys().next().value;
      if (oldest !== undefined) this.devices.delete(oldest);
    }
    this.devices.set(id, { user, expiresAt: this.options.now() + this.options.ttlMs });
  }
}
