import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { waitAtMost } from '../../platform/concurrency/wait-at-most.js';

describe('waitAtMost', () => {
  it('answers true when the promise fulfils in time, false at the deadline when it does not', async () => {
    await expect(waitAtMost(sleep(5), 1_000)).resolves.toBe(true);
    const started = performance.now();
    await expect(waitAtMost(new Promise(() => {}), 30)).resolves.toBe(false);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('rejects as the promise does within the time, and a rejection after the deadline goes nowhere', async () => {
    await expect(waitAtMost(Promise.reject(new Error('boom')), 1_000)).rejects.toThrow('boom');
    await expect(
      waitAtMost(
        sleep(50).then(() => Promise.reject(new Error('late'))),
        5,
      ),
    ).resolves.toBe(false);
    await sleep(80);
  });
});
