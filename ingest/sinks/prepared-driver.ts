import type { SinkDriver } from './sink-driver.js';

/**
 * A driver that runs a one-time setup (for search sinks: our index templates and data streams) before its first send,
 * and again at each send until it succeeds. A failed setup fails the send as a whole, so the sink helper retries with
 * backoff while the buffer holds the events: the pipeline starts while the target is down, and no event reaches the
 * target before its mappings do.
 */
export function withSetup(driver: SinkDriver, setup: () => Promise<void>): SinkDriver {
  let prepared: Promise<void> | undefined;
  let done = false;
  const ensure = async (signal: AbortSignal) => {
    if (done) return;
    prepared ??= setup().then(
      () => {
        done = true;
      },
      (error: unknown) => {
        prepared = undefined;
        throw error;
      },
    );
    // A drain or a reload must not wait on a setup request to a target that does not answer.
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(new Error('aborted while preparing the target'));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      (prepared as Promise<void>).then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  };
  return {
    type: driver.type,
    send: async (batch, signal) => {
      await ensure(signal);
      return driver.send(batch, signal);
    },
    deadLetter: async (letters, signal) => {
      await ensure(signal);
      return driver.deadLetter(letters, signal);
    },
    ...(driver.healthy ? { healthy: () => (driver.healthy as () => Promise<boolean>)() } : {}),
    ...(driver.close ? { close: () => (driver.close as () => Promise<void>)() } : {}),
  };
}
