import { describe, expect, it } from 'vitest';
import { Semaphore } from '../../platform/concurrency/semaphore.js';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
};

describe('Semaphore', () => {
  it('runs at most `permits` tasks at once, refuses at once when the line is full, and serves the line in order', async () => {
    const semaphore = new Semaphore(2, 1);
    const gates = [deferred(), deferred(), deferred()];
    const order: number[] = [];
    const first = semaphore.run(async () => gates[0]?.promise.then(() => order.push(0)));
    const second = semaphore.run(async () => gates[1]?.promise.then(() => order.push(1)));
    const third = semaphore.run(async () => {
      order.push(2);
    });
    expect(semaphore.run(async () => order.push(99))).toBeUndefined();
    expect([semaphore.activeCount, semaphore.waitingCount]).toEqual([2, 1]);
    gates[0]?.resolve();
    await Promise.all([first, third]);
    expect(order).toEqual([0, 2]);
    gates[1]?.resolve();
    await second;
    expect([semaphore.activeCount, semaphore.waitingCount]).toEqual([0, 0]);
  });

  it('hands a released permit to the next waiter, and a waiter that aborts leaves the line without one', async () => {
    const semaphore = new Semaphore(1);
    expect(await semaphore.acquire(new AbortController().signal)).toBe(true);
    const quitter = new AbortController();
    const abandoned = semaphore.acquire(quitter.signal);
    const patient = semaphore.acquire(new AbortController().signal);
    quitter.abort();
    expect(await abandoned).toBe(false);
    semaphore.release();
    expect(await patient).toBe(true);
    expect(semaphore.activeCount).toBe(1);
    expect(await semaphore.acquire(AbortSignal.abort())).toBe(false);
    semaphore.release();
    expect(semaphore.activeCount).toBe(0);
  });

  it('a task that fails still gives its permit back', async () => {
    const semaphore = new Semaphore(1);
    await expect(semaphore.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(semaphore.activeCount).toBe(0);
  });

  it('refuses a count that is not a positive integer', () => {
    expect(() => new Semaphore(0)).toThrow(/integer ≥ 1/);
    expect(() => new Semaphore(1.5)).toThrow(/integer ≥ 1/);
  });
});
