import { describe, expect, it } from 'vitest';
import { sleep } from '../../platform/concurrency/sleep.js';

describe('sleep', () => {
  it('answers true once the time has run out', async () => {
    const started = performance.now();
    await expect(sleep(30)).resolves.toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('answers false at once when the signal aborts, before or during the wait, and never rejects', async () => {
    await expect(sleep(10_000, AbortSignal.abort())).resolves.toBe(false);
    const controller = new AbortController();
    const started = performance.now();
    const waiting = sleep(10_000, controller.signal);
    setTimeout(() => controller.abort(new Error('stop')), 20);
    await expect(waiting).resolves.toBe(false);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
