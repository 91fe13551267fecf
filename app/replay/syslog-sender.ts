import { ActionableError } from '../../platform/errors.js';
import type { Destination } from '../../syslog/destination.js';
import { openDestination } from '../../syslog/destinations.js';
import { destinationFailed, failureSignal, type LineSender } from './line-sender.js';

/** Syslog destinations are drained this often, so a fast reader never outruns a slow receiver by more than this. */
const DRAIN_EVERY_LINES = 1000;

/**
 * The syslog library's destinations (the EMS core's emitters use them too), which reconnect and retry on their own.
 * Replay gives up when the destination drops a line or confirms nothing for `timeoutMs` while lines are waiting.
 */
export function syslogSender(url: string, timeoutMs: number): LineSender {
  let lastError: Error | undefined;
  let destination: Destination;
  try {
    destination = openDestination(url, {
      onError: (error) => {
        lastError = error;
      },
      connectTimeoutMs: timeoutMs,
      // Replay drains before closing; a close that still finds lines queued is a failure already reported.
      closeTimeoutMs: 1000,
    });
  } catch (error) {
    throw new ActionableError((error as Error).message, 'or, for the HTTP source: http(s)://HOST:PORT[/PATH]');
  }
  const failure = failureSignal();
  // The transports' messages start with the URL already in ours.
  const because = () => (lastError ? `: ${lastError.message.replace(/^[a-z]+:\/\/\S*: /, '')}` : '');
  let written = 0;
  let lastSent = 0;
  let progressAt = Date.now();
  const watchdog = setInterval(() => {
    const { sent, dropped } = destination.stats();
    if (dropped > 0) failure.fail(destinationFailed(url, `dropped ${dropped} lines${because()}`));
    else if (sent !== lastSent || sent >= written) {
      lastSent = sent;
      progressAt = Date.now();
    } else if (Date.now() - progressAt > timeoutMs)
      failure.fail(destinationFailed(url, `confirmed no line for ${timeoutMs / 1000} s${because()}`));
  }, 100);
  watchdog.unref();
  return {
    failed: failure.promise,
    send(line) {
      written += 1;
      const pushedBack = destination.write(line);
      if (pushedBack) return pushedBack;
      return written % DRAIN_EVERY_LINES === 0 ? destination.flush() : undefined;
    },
    drain: () => destination.flush(),
    delivered: () => destination.stats().sent,
    async close() {
      clearInterval(watchdog);
      await destination.close();
      const { dropped } = destination.stats();
      if (dropped > 0) throw destinationFailed(url, `dropped ${dropped} lines${because()}`);
    },
  };
}
