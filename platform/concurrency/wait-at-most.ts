/**
 * Waits for `promise`, but at most `ms`: true when it fulfilled in time, false when the time ran out first (it goes on
 * running; the caller stops waiting). Rejects as `promise` does within the time. The timer is cleared either way, so a
 * bounded shutdown does not keep the process alive for the rest of its deadline.
 */
export async function waitAtMost(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(resolve, ms, false);
  });
  try {
    return await Promise.race([promise.then(() => true as const), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
