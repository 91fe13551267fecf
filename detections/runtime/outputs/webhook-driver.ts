/**
 * The webhook alert output's driver: each record's payload (one alert as JSON) is POSTed on its own, a batch's alerts
 * with at most `parallelism` requests at a time. Per alert: 2xx delivered; 429 `throttled`, 408 and 5xx
 * `server_error`, no answer `unavailable` (retried by the sink helper, the spool holds them); any other status is the
 * receiver refusing that alert for good (bad payload, bad token): dead-lettered to `<data_dir>/dead-letter/<id>.ndjson`
 * with the status and the answer. At-least-once: an answer lost after the receiver took the alert means a repeat, and
 * the alert's `event.id` lets a receiver drop it.
 */
import { readFileSync } from 'node:fs';
import { type OutgoingHttpHeaders, validateHeaderName, validateHeaderValue } from 'node:http';
import type { BufferRecord } from '../../../ingest/buffers/event-buffer.js';
import { appendDeadLetters } from '../../../ingest/forward/dead-letter-file.js';
import type { DeadLetter, ItemOutcome, SendResult, SinkDriver } from '../../../ingest/sinks/sink-driver.js';
import { ActionableError } from '../../../platform/errors.js';
import { postPayload, type WebhookAnswer, type WebhookEndpoint, webhookAgent } from './webhook-request.js';

export interface WebhookDriverSettings {
  url: string;
  /** Sent as `Authorization: Bearer <token>` (over a header of that name in `headers`). */
  token?: string;
  headers?: Readonly<Record<string, string>>;
  /** Per request, connect to answer (default 10 000). */
  timeoutMs?: number;
  tls?: { caFile?: string; verify?: boolean };
  /** Requests at a time within one batch (default 4). */
  parallelism?: number;
  deadLetterFile: string;
}

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
export const DEFAULT_WEBHOOK_PARALLELISM = 4;

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** One alert's outcome from the receiver's answer. */
export function classifyAnswer(answer: WebhookAnswer): ItemOutcome {
  const { status, body } = answer;
  if (status >= 200 && status < 300) return { status: 'ok' };
  const error = `HTTP ${status}${body ? `: ${body}` : ''}`;
  if (status === 429) return { status: 'retry', errorClass: 'throttled', error };
  if (status === 408 || status >= 500) return { status: 'retry', errorClass: 'server_error', error };
  // A rotated or revoked token is an operator's fix away: retry (within the class budget) before dead-lettering.
  if (status === 401 || status === 403) return { status: 'retry', errorClass: 'unauthorized', error };
  return { status: 'reject', errorType: `http_${status}`, error };
}

/** The URL and headers, checked once: a bad value is a configuration error, not a failure per alert. */
function endpointOf(settings: WebhookDriverSettings, parallelism: number): WebhookEndpoint {
  let url: URL;
  try {
    url = new URL(settings.url);
  } catch {
    throw new ActionableError('webhook url is not a URL', 'write it as https://host/path');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ActionableError(`webhook url has the scheme '${url.protocol}'`, 'use an http:// or https:// URL');
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(settings.headers ?? {})) {
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    } catch (error) {
      throw new ActionableError(
        `webhook header '${name}' is not a valid HTTP header (${errorText(error)})`,
        'remove line breaks and control characters',
      );
    }
    headers[name.toLowerCase()] = value;
  }
  headers['content-type'] = 'application/json';
  if (settings.token !== undefined) {
    try {
      validateHeaderValue('authorization', `Bearer ${settings.token}`);
    } catch {
      throw new ActionableError('webhook token contains characters a header cannot carry', 'check the token for line breaks');
    }
    headers.authorization = `Bearer ${settings.token}`;
  }
  const timeoutMs = settings.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new ActionableError(`webhook timeout_ms must be > 0, not ${timeoutMs}`, 'set it to e.g. 10000');
  const ca = settings.tls?.caFile ? readFileSync(settings.tls.caFile) : undefined;
  const agent = webhookAgent(url, parallelism, { verify: settings.tls?.verify ?? true, ...(ca ? { ca } : {}) });
  return { url, headers, timeoutMs, agent };
}

/** Runs `task` over every index with at most `limit` at a time; the results in index order. */
async function mapBounded<T>(count: number, limit: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return results;
}

export function createWebhookDriver(settings: WebhookDriverSettings): SinkDriver & { readonly description: string } {
  const parallelism = settings.parallelism ?? DEFAULT_WEBHOOK_PARALLELISM;
  if (!Number.isInteger(parallelism) || parallelism < 1) throw new Error(`webhook parallelism must be an integer ≥ 1, not ${parallelism}`);
  const endpoint = endpointOf(settings, parallelism);
  // The origin only: a webhook's path or query often is its secret (Slack, Teams, …) and this text goes to logs.
  const description = `webhook ${endpoint.url.origin}`;
  let lastSucceeded = true;

  const post = async (record: BufferRecord, signal: AbortSignal): Promise<{ outcome: ItemOutcome; unanswered?: Error }> => {
    try {
      const answer = await postPayload(endpoint, record.payload, signal);
      const outcome = classifyAnswer(answer);
      lastSucceeded = outcome.status === 'ok';
      return { outcome };
    } catch (error) {
      lastSucceeded = false;
      const message = `${description}: ${errorText(error)}`;
      return { outcome: { status: 'retry', errorClass: 'unavailable', error: message }, unanswered: new Error(message) };
    }
  };

  return {
    type: 'webhook',
    description,
    async send(batch: readonly BufferRecord[], signal: AbortSignal): Promise<SendResult> {
      const results = await mapBounded(batch.length, parallelism, (index) => post(batch[index] as BufferRecord, signal));
      if (signal.aborted) throw new Error(`${description}: aborted`);
      // Nothing answered: the receiver is down. Thrown, so the helper logs "target unavailable" once, not per alert.
      const first = results[0]?.unanswered;
      if (first && results.every((result) => result.unanswered)) throw first;
      let bytes = 0;
      results.forEach((result, index) => {
        if (result.outcome.status === 'ok') bytes += (batch[index] as BufferRecord).bytes;
      });
      return { outcomes: results.map((result) => result.outcome), bytes };
    },
    deadLetter: (letters: readonly DeadLetter[]) => appendDeadLetters(settings.deadLetterFile, letters),
    // Ready unless the last request failed: requests are only made when there is an alert to send.
    healthy: async () => lastSucceeded,
    close: async () => endpoint.agent.destroy(),
  };
}
