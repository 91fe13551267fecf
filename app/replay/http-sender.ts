import { randomBytes } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Backoff } from '../../platform/concurrency/backoff.js';
import { sleep } from '../../platform/concurrency/sleep.js';
import { ActionableError } from '../../platform/errors.js';
import { DedupeIds } from './dedupe-ids.js';
import { type HttpAnswer, type NdjsonEndpoint, postNdjson } from './http-post.js';
import { destinationFailed, failureSignal, type LineSender } from './line-sender.js';

/** Where replay takes the HTTP source's token from when --token is not given. */
export const TOKEN_ENV = 'FORTIEMS_INGEST_TOKEN';

const HTTP_BATCH_LINES = 1000;
// Well under the HTTP source's default limit (10 MiB); a 413 makes the sender shrink its requests to the receiver's.
const HTTP_BATCH_BYTES = 1_048_576;

/** Retry-After in seconds (the HTTP source sends those), bounded so a confused receiver cannot park replay for hours. */
function retryDelayMs(retryAfter: string | undefined, fallbackMs: number): number {
  const seconds = Number(retryAfter);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 30) * 1000 : fallbackMs;
}

/**
 * Lines as NDJSON strings, POSTed in batches: one request in flight while the next batch fills, so order is kept and the
 * reader waits for the receiver. Each request body carries its own `Idempotency-Key` (this run's id and the body's
 * number), sent again unchanged on every retry: a body whose answer was lost (a receiver killed and restarted, a reset
 * connection, a 5xx, a 429) is resent whole under the same key, and the receiver stores each line once. A 413 shrinks
 * the requests and resends, under new keys, from the first line the receiver did not accept (it read nothing past
 * that). Retries go on until `timeoutMs` passes without progress.
 *
 * With `dedupe`, every line also carries an id of its own (`DedupeIds`): a second replay of the same file is stored
 * nowhere again.
 */
export class HttpNdjsonSender implements LineSender {
  private batch: string[] = [];
  private batchBytes = 0;
  private inFlight: Promise<void> = Promise.resolve();
  private confirmed = 0;
  private bodyBudget = HTTP_BATCH_BYTES;
  private readonly failure = failureSignal();
  private readonly endpoint: NdjsonEndpoint;
  private readonly runId = randomBytes(12).toString('base64url');
  private bodies = 0;
  private readonly ids: DedupeIds | undefined;
  readonly failed = this.failure.promise;

  constructor(
    private readonly url: string,
    target: URL,
    token: string | undefined,
    private readonly timeoutMs: number,
    options: { dedupe?: boolean } = {},
  ) {
    const agent = target.protocol === 'https:' ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    this.endpoint = { target, agent, token, timeoutMs };
    this.ids = options.dedupe ? new DedupeIds() : undefined;
  }

  send(line: string): Promise<void> | undefined {
    const encoded = this.ids ? `${JSON.stringify({ message: line, id: this.ids.next(line) })}\n` : `${JSON.stringify(line)}\n`;
    this.batch.push(encoded);
    this.batchBytes += Buffer.byteLength(encoded);
    if (this.batch.length < HTTP_BATCH_LINES && this.batchBytes < this.bodyBudget) return undefined;
    return this.dispatch();
  }

  async drain(): Promise<void> {
    if (this.batch.length > 0) await this.dispatch();
    await this.inFlight;
    if (this.failure.error) throw this.failure.error;
  }

  delivered(): number {
    return this.confirmed;
  }

  async close(): Promise<void> {
    this.endpoint.agent.destroy();
  }

  private async dispatch(): Promise<void> {
    const lines = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    await this.inFlight;
    if (this.failure.error) throw this.failure.error;
    this.inFlight = this.deliver(lines).catch((error: unknown) =>
      this.failure.fail(error instanceof Error ? error : new Error(String(error))),
    );
  }

  private async deliver(lines: string[]): Promise<void> {
    let remaining = lines;
    let progressAt = Date.now();
    // One sender alone, so no jitter: 200 ms doubling to 5 s, back to 200 ms after progress.
    const backoff = new Backoff({ initialMs: 200, maxMs: 5000 });
    const stalled = () => Date.now() - progressAt > this.timeoutMs;
    let part: string[] = [];
    let key = '';
    let resend = false;
    while (remaining.length > 0) {
      // A retry sends the very same body under the same key; only a new body gets a new key.
      if (!resend) {
        part = this.nextPart(remaining);
        key = `${this.runId}-${this.bodies++}`;
      }
      resend = false;
      const body = part.join('');
      let answer: HttpAnswer;
      try {
        answer = await postNdjson(this.endpoint, body, key);
      } catch (error) {
        if (stalled())
          throw destinationFailed(this.url, `could not be reached for ${this.timeoutMs / 1000} s: ${(error as Error).message}`);
        await sleep(backoff.nextDelayMs());
        resend = true;
        continue;
      }
      const said = typeof answer.body.message === 'string' ? ` (${answer.body.message.slice(0, 300)})` : '';
      if (answer.status >= 200 && answer.status < 300) {
        this.confirmed += part.length;
        remaining = remaining.slice(part.length);
        progressAt = Date.now();
        backoff.reset();
        continue;
      }
      if (answer.status === 429 || answer.status >= 500) {
        // What the receiver accepted of this body is stored under this key's ids: resending it whole is harmless.
        if (stalled()) throw destinationFailed(this.url, `kept answering HTTP ${answer.status} for ${this.timeoutMs / 1000} s${said}`);
        await sleep(retryDelayMs(answer.retryAfter, backoff.nextDelayMs()));
        resend = true;
        continue;
      }
      const claimed = answer.body.accepted;
      const accepted = typeof claimed === 'number' && Number.isInteger(claimed) ? Math.min(Math.max(claimed, 0), part.length) : 0;
      if (accepted > 0) {
        this.confirmed += accepted;
        remaining = remaining.slice(accepted);
        progressAt = Date.now();
        backoff.reset();
      }
      if (answer.status === 413) {
        if (part.length === 1 && accepted === 0)
          throw destinationFailed(this.url, `refused line ${this.confirmed + 1} as larger than its body limit${said}`);
        this.bodyBudget = accepted > 0 ? Buffer.byteLength(part.slice(0, accepted).join('')) : Math.floor(Buffer.byteLength(body) / 2);
        continue;
      }
      if (answer.status === 401 || answer.status === 403) {
        throw new ActionableError(
          `${this.url} refused the request (HTTP ${answer.status})${said}`,
          `pass the HTTP source's token with --token or ${TOKEN_ENV}`,
        );
      }
      throw destinationFailed(this.url, `answered HTTP ${answer.status}${said}`);
    }
  }

  /** The longest prefix within the current body budget (at least one line). */
  private nextPart(lines: string[]): string[] {
    let bytes = 0;
    let count = 0;
    while (count < lines.length) {
      bytes += Buffer.byteLength(lines[count] as string);
      if (count > 0 && bytes > this.bodyBudget) break;
      count += 1;
    }
    return lines.slice(0, count);
  }
}
