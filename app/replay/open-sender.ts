import { ActionableError } from '../../platform/errors.js';
import { DESTINATION_FORMS } from '../../syslog/destination-url.js';
import { HttpNdjsonSender } from './http-sender.js';
import type { LineSender } from './line-sender.js';
import { syslogSender } from './syslog-sender.js';

export const REPLAY_FORMS = `${DESTINATION_FORMS}, http(s)://HOST:PORT[/PATH] (the HTTP source; PATH defaults to /ingest)`;

/** Throws unless `--dedupe` can work with this destination: only the HTTP source takes an id with each line. */
export function checkDedupeDestination(to: string): void {
  if (/^https?:\/\//i.test(to)) return;
  throw new ActionableError(
    `--dedupe needs an http(s):// destination, not '${to}': syslog carries no event id, so the receiver cannot tell a replayed line from a new one`,
    'replay to the HTTP source (http://HOST:PORT/ingest) to deduplicate, or drop --dedupe',
  );
}

/**
 * The sender for a --to destination: the HTTP source for http(s)://, the syslog library's destinations otherwise (the
 * destination-URL dialect of syslog/destination-url.ts, as the EMS core's emitters).
 * `dedupe` (per-line content ids) needs the HTTP source: syslog has nowhere to carry an id.
 */
export function openSender(to: string, token: string | undefined, timeoutMs: number, options: { dedupe?: boolean } = {}): LineSender {
  if (options.dedupe) checkDedupeDestination(to);
  if (!/^https?:\/\//i.test(to)) return syslogSender(to, timeoutMs);
  let target: URL;
  try {
    target = new URL(to);
  } catch {
    throw new ActionableError(`bad destination '${to}': not a URL`, `use one of ${REPLAY_FORMS}`);
  }
  if (target.pathname === '/') target.pathname = '/ingest';
  return new HttpNdjsonSender(to, target, token, timeoutMs, options);
}
