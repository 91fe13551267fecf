import { ActionableError } from '../../platform/errors.js';

/** Where replayed lines go. `send` returning a promise means "wait: the destination is behind". */
export interface LineSender {
  send(line: string): Promise<void> | undefined;
  /** Everything sent so far is confirmed by the destination. */
  drain(): Promise<void>;
  close(): Promise<void>;
  /** Lines the destination confirmed. */
  delivered(): number;
  /** Rejects once the destination has failed for good (never resolves). */
  readonly failed: Promise<never>;
}

/** The destination failed for good; the hint points at the receiver, and at the summary for what got through. */
export function destinationFailed(url: string, what: string): ActionableError {
  return new ActionableError(
    `${url} ${what}`,
    `check that the receiver is running and reachable at ${url}; the lines it confirmed before failing are counted in the summary`,
  );
}

/** A failure raised once, from a timer or a request in the background, for the replay loop to race its waits against. */
export function failureSignal() {
  let reject: (error: Error) => void = () => {};
  let error: Error | undefined;
  const promise = new Promise<never>((_resolve, fail) => {
    reject = fail;
  });
  // Awaited through Promise.race only: a failure nobody is racing at that moment must not be an unhandled rejection.
  promise.catch(() => {});
  return {
    promise,
    get error() {
      return error;
    },
    fail(reason: Error) {
      if (error) return;
      error = reason;
      reject(reason);
    },
  };
}
