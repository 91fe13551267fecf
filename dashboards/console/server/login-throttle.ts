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
 * Failed logins per account name in a fixed window that starts at the first failure, counted only when they come from
 * `fromSources` client addresses or more. Once an account reaches the limit every attempt for it is refused (429) until
 * the window ends, right password or not, except from a known device (below); the lock always ends.
 *
 * Hand-written because no plugin has this shape: `@fastify/rate-limit` counts requests per key, while this lock needs
 * failures per account from distinct sources, and a per-request exemption for known devices. (The per-address limit,
 * one client guessing fast, is `@fastify/rate-limit`'s job: see `AddressFailureStore` and auth-routes.ts.)
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

type StoreCallback = (error: Error | null, result?: { current: number; ttl: number }) => void;

/**
 * The store behind the per-address limit (`@fastify/rate-limit`'s `store` option): the plugin's LocalStore reads
 * `Date.now`, this one the console's clock (`now`, which the tests move), and it can forget an address after a
 * successful login, as the console always did. Fixed windows from the first failure, at most MAX_TRACKED addresses.
 */
export class AddressFailureStore {
  private readonly windows = new Map<string, { current: number; startedAt: number }>();

  constructor(private readonly now: () => number) {}

  incr(key: string, callback: StoreCallback, timeWindow: number): void {
    const now = this.now();
    let window = this.live(key, timeWindow, now);
    if (window) window.current++;
    else {
      if (this.windows.size >= MAX_TRACKED) {
        const oldest = this.windows.keys().next().value;
        if (oldest !== undefined) this.windows.delete(oldest);
      }
      window = { current: 1, startedAt: now };
      this.windows.set(key, window);
    }
    callback(null, { current: window.current, ttl: window.startedAt + timeWindow - now });
  }

  read(key: string, callback: StoreCallback, timeWindow: number): void {
    const now = this.now();
    const window = this.live(key, timeWindow, now);
    callback(null, window ? { current: window.current, ttl: window.startedAt + timeWindow - now } : { current: 0, ttl: 0 });
  }

  /** The plugin asks each route for a child store; there is one limit, so one store. */
  child(): this {
    return this;
  }

  reset(key: string): void {
    this.windows.delete(key);
  }

  private live(key: string, timeWindow: number, now: number) {
    const window = this.windows.get(key);
    if (window && window.startedAt + timeWindow <= now) {
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
