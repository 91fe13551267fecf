/**
 * Waits until something calls the waker pushed onto `waiters`, or `signal` aborts. The abort listener is removed once
 * woken: callers pass one long-lived signal to every wait, and listeners left behind would pile up on it.
 */
export function waitForWake(waiters: (() => void)[], signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      signal?.removeEventListener('abort', done);
      resolve();
    };
    waiters.push(done);
    signal?.addEventListener('abort', done, { once: true });
  });
}
