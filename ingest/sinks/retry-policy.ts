import { backoffDelayMs } from '../../platform/concurrency/backoff.js';

/**
 * How the sink helper retries. Budgets are per error class because the classes mean different things: a target that
 * is down or pushing back (`unavailable`, `throttled`) will take the events later, so they wait in the buffer without
 * limit; a document the target keeps failing on (`server_error`, anything else) may be the problem itself, so after a
 * bounded number of failures it goes to the dead-letter store rather than hold its batch's slot forever.
 */
export interface RetryPolicy {
  /** First backoff ceiling; doubles per failed round. */
  baseDelayMs: number;
  /** Backoff ceiling never exceeds this. */
  maxDelayMs: number;
  /** Failures allowed per error class before an item is dead-lettered; Infinity retries without limit. */
  maxFailures: Readonly<Record<string, number>>;
  /** For classes not named in `maxFailures`. */
  defaultMaxFailures: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseDelayMs: 100,
  maxDelayMs: 30_000,
  maxFailures: { unavailable: Number.POSITIVE_INFINITY, throttled: Number.POSITIVE_INFINITY },
  defaultMaxFailures: 10,
};

export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy: RetryPolicy = {
    ...DEFAULT_RETRY_POLICY,
    ...overrides,
    maxFailures: { ...DEFAULT_RETRY_POLICY.maxFailures, ...overrides.maxFailures },
  };
  if (!(policy.baseDelayMs > 0) || !(policy.maxDelayMs >= policy.baseDelayMs))
    throw new Error(`retry delays must satisfy 0 < base (${policy.baseDelayMs}) ≤ max (${policy.maxDelayMs})`);
  for (const [errorClass, limit] of Object.entries(policy.maxFailures)) {
    if (!(limit >= 1)) throw new Error(`retry budget for '${errorClass}' must be ≥ 1, not ${limit}`);
  }
  if (!(policy.defaultMaxFailures >= 1)) throw new Error(`default retry budget must be ≥ 1, not ${policy.defaultMaxFailures}`);
  return policy;
}

export function failureBudget(policy: RetryPolicy, errorClass: string): number {
  return policy.maxFailures[errorClass] ?? policy.defaultMaxFailures;
}

/**
 * Full jitter, uniform in [0, min(max, base·2^round)): spreading retries over the whole window keeps N batches that
 * failed together from hitting a recovering target in lockstep.
 */
export function backoffDelay(policy: RetryPolicy, round: number, random: () => number = Math.random): number {
  return backoffDelayMs(round, { initialMs: policy.baseDelayMs, maxMs: policy.maxDelayMs, jitter: 'full', random });
}
