import { setTimeout as timeout } from 'node:timers/promises';

/**
 * Waits `ms`; true when the time ran out, false at once when `signal` aborts (it never rejects, so a loop that stops
 * on abort reads `if (!(await sleep(ms, signal))) return`). node:timers/promises does the timing and the listener
 * bookkeeping; this only turns its AbortError into an answer.
 */
export async function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return false;
  try {
    await timeout(ms, undefined, signal ? { signal } : undefined);
    return true;
  } catch (error) {
    if (signal?.aborted) return false;
    throw error;
  }
}
