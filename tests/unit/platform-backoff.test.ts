import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelayMs } from '../../platform/concurrency/backoff.js';

const attempts = (count: number) => Array.from({ length: count }, (_, attempt) => attempt);

describe('Backoff with equal jitter (syslog reconnects)', () => {
  it('doubles up to the ceiling, jittered into [half, full) of each step, and starts over after reset', () => {
    const low = new Backoff({ initialMs: 100, maxMs: 1_000, jitter: 'equal', random: () => 0 });
    expect([1, 2, 3, 4, 5, 6].map(() => low.nextDelayMs())).toEqual([50, 100, 200, 400, 500, 500]);
    const high = new Backoff({ initialMs: 100, maxMs: 1_000, jitter: 'equal', random: () => 0.999_999 });
    expect([1, 2, 3, 4, 5].map(() => high.nextDelayMs())).toEqual([100, 200, 400, 800, 1_000]);
    high.reset();
    expect(high.nextDelayMs()).toBe(100);
  });

  it('stays finite however many attempts fail', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 30_000, jitter: 'equal', random: () => 0.5 });
    for (let attempt = 0; attempt < 2_000; attempt += 1) expect(backoff.nextDelayMs()).toBeLessThanOrEqual(30_000);
  });

  it('refuses bounds that make no sense', () => {
    expect(() => new Backoff({ initialMs: 0, maxMs: 10 })).toThrow(/bad backoff bounds/);
    expect(() => new Backoff({ initialMs: 100, maxMs: 10 })).toThrow(/bad backoff bounds/);
  });
});

describe('backoffDelayMs', () => {
  it('without jitter doubles exactly and holds at the cap (replay, the inventory breaker)', () => {
    expect(attempts(7).map((attempt) => backoffDelayMs(attempt, { initialMs: 200, maxMs: 5_000 }))).toEqual([
      200, 400, 800, 1_600, 3_200, 5_000, 5_000,
    ]);
  });

  it('with full jitter stays in [0, ceiling), whole milliseconds (sink retries)', () => {
    const options = { initialMs: 100, maxMs: 30_000, jitter: 'full' as const };
    expect(attempts(4).map((attempt) => backoffDelayMs(attempt, { ...options, random: () => 0 }))).toEqual([0, 0, 0, 0]);
    expect(attempts(11).map((attempt) => backoffDelayMs(attempt, { ...options, random: () => 0.999_999 }))).toEqual([
      99, 199, 399, 799, 1_599, 3_199, 6_399, 12_799, 25_599, 29_999, 29_999,
    ]);
    for (const attempt of attempts(200)) {
      const delay = backoffDelayMs(attempt, options);
      expect(Number.isInteger(delay)).toBe(true);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(Math.min(30_000, 100 * 2 ** attempt));
    }
  });

  it('with equal jitter stays in [ceiling/2, ceiling]', () => {
    for (const attempt of attempts(200)) {
      const ceiling = Math.min(30_000, 100 * 2 ** attempt);
      const delay = backoffDelayMs(attempt, { initialMs: 100, maxMs: 30_000, jitter: 'equal' });
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
  });

  it('stays finite for attempts far beyond any real outage', () => {
    expect(backoffDelayMs(1e9, { initialMs: 1, maxMs: 60_000 })).toBe(60_000);
    expect(Number.isFinite(backoffDelayMs(1e9, { initialMs: 1, maxMs: Number.MAX_VALUE }))).toBe(true);
  });
});
