import { DESTINATION_FORMS } from '../../ems-core/emit/destination-url.js';
import { ActionableError } from '../errors.js';
import { HttpNdjsonSender } from './http-sender.js';
import type { LineSender } from './line-sender.js';
import { syslogSender } from './syslog-sender.js';

export const REPLAY_FORMS = `${DESTINATION_FORMS}, http(s)://HOST:PORT[/PATH] (the HTTP source; PATH defaults to /ingest)`;

/** The sender for a --to destination: the HTTP source for http(s)://, the EMS core's syslog destinations otherwise. */
export function openSender(to: string, token: string | undefined, timeoutMs: number): LineSender {
  if (!/^https?:\/\//i.test(to)) return syslogSender(to, timeoutMs);
  let target: URL;
  try {
    target = new URL(to);
  } catch {
    throw new ActionableError(`bad destination '${to}': not a URL`, `use one of ${REPLAY_FORMS}`);
  }
  if (target.pathname === '/') target.pathname = '/ingest';
  return new HttpNdjsonSender(to, target, token, timeoutMs);
}
