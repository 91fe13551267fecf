import { createReadStream, fstatSync, statSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { type Command, Option } from 'commander';
import type { Destination } from '../../ems-core/emit/destination.js';
import { DESTINATION_FORMS } from '../../ems-core/emit/destination-url.js';
import { openDestination } from '../../ems-core/emit/destinations.js';
import { ActionableError } from '../errors.js';
import { parseDuration, parsePositiveNumber, stderrLog } from './options.js';
import { formatBytes, formatCount, startProgress } from './progress.js';

const TOKEN_ENV = 'FORTIEMS_INGEST_TOKEN';
const REPLAY_FORMS = `${DESTINATION_FORMS}, http(s)://HOST:PORT[/PATH] (the HTTP source; PATH defaults to /ingest)`;
/** Syslog destinations are drained this often, so a fast reader never outruns a slow receiver by more than this. */
const DRAIN_EVERY_LINES = 1000;
const HTTP_BATCH_LINES = 1000;
// Well under the HTTP source's default limit (10 MiB); a 413 makes the sender shrink its requests to the receiver's.
const HTTP_BATCH_BYTES = 1_048_576;

/** Where replayed lines go. `send` returning a promise means "wait: the destination is behind". */
interface LineSender {
  send(line: string): Promise<void> | undefined;
  /** Everything sent so far is confirmed by the destination. */
  drain(): Promise<void>;
  close(): Promise<void>;
  /** Lines the destination confirmed. */
  delivered(): number;
  /** Rejects once the destination has failed for good (never resolves). */
  readonly failed: Promise<never>;
}

function destinationFailed(url: string, what: string): ActionableError {
  return new ActionableError(
    `${url} ${what}`,
    `check that the receiver is running and reachable at ${url}; the lines it confirmed before failing are counted in the summary`,
  );
}

function failureSignal() {
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

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- syslog destinations (udp, tcp, tls, file, -)

/**
 * The EMS core's destinations, which reconnect and retry on their own. Replay gives up when the destination drops a
 * line or confirms nothing for `timeoutMs` while lines are waiting.
 */
function syslogSender(url: string, timeoutMs: number): LineSender {
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

// ---------------------------------------------------------------- the HTTP source (NDJSON over POST)

interface HttpAnswer {
  status: number;
  retryAfter: string | undefined;
  body: { accepted?: unknown; message?: unknown };
}

function parseAnswer(text: string): HttpAnswer['body'] {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}

const firstHeader = (headers: IncomingHttpHeaders, name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** Retry-After in seconds (the HTTP source sends those), bounded so a confused receiver cannot park replay for hours. */
function retryDelayMs(retryAfter: string | undefined, fallbackMs: number): number {
  const seconds = Number(retryAfter);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 30) * 1000 : fallbackMs;
}

/**
 * Lines as NDJSON strings, POSTed in batches: one request in flight while the next batch fills, so order is kept and the
 * reader waits for the receiver. 429/503/5xx and network errors are retried until `timeoutMs` passes without progress;
 * a 413 shrinks the requests and resends from the first line the receiver did not accept.
 */
class HttpNdjsonSender implements LineSender {
  private batch: string[] = [];
  private batchBytes = 0;
  private inFlight: Promise<void> = Promise.resolve();
  private confirmed = 0;
  private bodyBudget = HTTP_BATCH_BYTES;
  private readonly failure = failureSignal();
  private readonly agent: HttpAgent;
  readonly failed = this.failure.promise;

  constructor(
    private readonly url: string,
    private readonly target: URL,
    private readonly token: string | undefined,
    private readonly timeoutMs: number,
  ) {
    this.agent = target.protocol === 'https:' ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  }

  send(line: string): Promise<void> | undefined {
    const encoded = `${JSON.stringify(line)}\n`;
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
    this.agent.destroy();
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
    let backoffMs = 200;
    const stalled = () => Date.now() - progressAt > this.timeoutMs;
    while (remaining.length > 0) {
      const part = this.nextPart(remaining);
      const body = part.join('');
      let answer: HttpAnswer;
      try {
        answer = await this.post(body);
      } catch (error) {
        if (stalled())
          throw destinationFailed(this.url, `could not be reached for ${this.timeoutMs / 1000} s: ${(error as Error).message}`);
        await sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 5000);
        continue;
      }
      const ok = answer.status >= 200 && answer.status < 300;
      const claimed = answer.body.accepted;
      const accepted = ok
        ? part.length
        : typeof claimed === 'number' && Number.isInteger(claimed)
          ? Math.min(Math.max(claimed, 0), part.length)
          : 0;
      if (accepted > 0) {
        this.confirmed += accepted;
        remaining = remaining.slice(accepted);
        progressAt = Date.now();
        backoffMs = 200;
      }
      if (ok) continue;
      const said = typeof answer.body.message === 'string' ? ` (${answer.body.message.slice(0, 300)})` : '';
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
      if (answer.status === 429 || answer.status >= 500) {
        if (stalled()) throw destinationFailed(this.url, `kept answering HTTP ${answer.status} for ${this.timeoutMs / 1000} s${said}`);
        await sleep(retryDelayMs(answer.retryAfter, backoffMs));
        backoffMs = Math.min(backoffMs * 2, 5000);
        continue;
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

  private post(body: string): Promise<HttpAnswer> {
    const send = this.target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      let settled = false;
      const request = send(
        this.target,
        {
          method: 'POST',
          agent: this.agent,
          timeout: this.timeoutMs,
          headers: {
            'content-type': 'application/x-ndjson',
            'content-length': Buffer.byteLength(body),
            ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          // A receiver that answers early (413, 400) may close before reading all we sent: the answer still counts.
          const done = () => {
            if (settled) return;
            settled = true;
            const retryAfter = firstHeader(response.headers, 'retry-after');
            resolve({ status: response.statusCode ?? 0, retryAfter, body: parseAnswer(Buffer.concat(chunks).toString('utf8')) });
          };
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size <= 65_536) chunks.push(chunk);
          });
          response.on('end', done);
          response.on('close', done);
          response.on('error', done);
        },
      );
      request.on('timeout', () => request.destroy(new Error(`no answer within ${this.timeoutMs / 1000} s`)));
      request.on('error', (error) => {
        if (settled) return;
        settled = true;
        reject(error);
      });
      request.end(body);
    });
  }
}

// ---------------------------------------------------------------- input and the command

function openSender(to: string, token: string | undefined, timeoutMs: number): LineSender {
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

function openInput(file: string): { stream: Readable; totalBytes: number | undefined } {
  if (file === '-') {
    // stdin redirected from a file has a size; a pipe has none (then no percentage).
    let size: number | undefined;
    try {
      const stats = fstatSync(0);
      if (stats.isFile()) size = stats.size;
    } catch {}
    return { stream: process.stdin, totalBytes: size };
  }
  try {
    const stats = statSync(file);
    if (!stats.isFile()) throw new Error('not a regular file');
    return { stream: createReadStream(file), totalBytes: stats.size };
  } catch (error) {
    throw new ActionableError(`cannot read '${file}': ${(error as Error).message}`, 'name a readable file, or - to read stdin');
  }
}

/** Lines with their exact size in bytes (newline included), split on LF with CRLF accepted; never holds more than a line. */
async function* readLines(input: Readable): AsyncGenerator<{ line: string; bytes: number }> {
  let carried: Buffer[] = [];
  const text = (buffer: Buffer, end: number) => buffer.toString('utf8', 0, end > 0 && buffer[end - 1] === 0x0d ? end - 1 : end);
  for await (const chunk of input as AsyncIterable<Buffer>) {
    let start = 0;
    let newline = chunk.indexOf(0x0a);
    while (newline !== -1) {
      const piece = chunk.subarray(start, newline);
      const whole = carried.length > 0 ? Buffer.concat([...carried, piece]) : piece;
      carried = [];
      yield { line: text(whole, whole.length), bytes: whole.length + 1 };
      start = newline + 1;
      newline = chunk.indexOf(0x0a, start);
    }
    if (start < chunk.length) carried.push(chunk.subarray(start));
  }
  if (carried.length > 0) {
    const whole = Buffer.concat(carried);
    yield { line: text(whole, whole.length), bytes: whole.length };
  }
}

/** `--rate`: line n goes out no earlier than (n - 1)/rate seconds after the first. */
function pacer(rate: number | undefined): (lineNumber: number) => Promise<void> | undefined {
  const start = performance.now();
  return (lineNumber) => {
    if (rate === undefined) return undefined;
    const wait = start + ((lineNumber - 1) * 1000) / rate - performance.now();
    return wait > 2 ? sleep(wait) : undefined;
  };
}

interface ReplayOptions {
  to: string;
  rate?: number;
  format: 'raw';
  token?: string;
  timeout: number;
}

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description('send the lines of a file (or stdin) to a syslog destination or the HTTP source, with backpressure and progress on stderr')
    .argument('<file>', 'input file, or - for stdin')
    .requiredOption('--to <destination>', REPLAY_FORMS)
    .option('--rate <eps>', 'at most this many lines per second', parsePositiveNumber)
    .addOption(
      new Option('--format <format>', 'how lines are sent: raw (each line as it is, one message each)').choices(['raw']).default('raw'),
    )
    .option('--token <token>', `bearer token for http(s) destinations (default: $${TOKEN_ENV})`)
    .addOption(
      new Option('--timeout <time>', 'give up when the destination takes nothing for this long (60s, 2m)')
        .argParser(parseDuration)
        .default(15_000, '15s'),
    )
    .addHelpText(
      'after',
      '\nUDP cannot push back: a receiver that falls behind loses datagrams, so give udp:// a --rate it can keep up with.\nhttps:// destinations with a private CA: set NODE_EXTRA_CA_CERTS=/path/to/ca.pem.',
    )
    .action(async (file: string, options: ReplayOptions) => {
      const isHttp = /^https?:\/\//i.test(options.to);
      if (options.token !== undefined && !isHttp)
        throw new ActionableError('--token is for http(s):// destinations', 'drop --token, or send to the HTTP source');
      const token = options.token ?? (process.env[TOKEN_ENV] || undefined);
      const input = openInput(file);
      const sender = openSender(options.to, token, options.timeout);
      const read = { lines: 0, bytes: 0, blank: 0 };
      let interrupted = false;
      const interrupt = () => {
        interrupted = true;
      };
      process.once('SIGINT', interrupt);
      const progress = startProgress({
        stream: process.stderr,
        totalBytes: input.totalBytes,
        sample: () => ({ lines: sender.delivered(), bytes: read.bytes }),
      });
      const pace = pacer(options.rate);
      const started = Date.now();
      let failure: unknown;
      try {
        for await (const { line, bytes } of readLines(input.stream)) {
          read.bytes += bytes;
          if (line === '') {
            read.blank += 1;
            continue;
          }
          read.lines += 1;
          await pace(read.lines);
          const pending = sender.send(line);
          if (pending) await Promise.race([pending, sender.failed]);
          if (interrupted) break;
        }
        await Promise.race([sender.drain(), sender.failed]);
      } catch (error) {
        failure = error;
      }
      progress.stop();
      process.off('SIGINT', interrupt);
      await sender.close().catch((error: unknown) => {
        failure ??= error;
      });
      const seconds = Math.max((Date.now() - started) / 1000, 0.001);
      const delivered = formatCount(sender.delivered());
      const took = `${seconds.toFixed(1)} s`;
      if (failure)
        stderrLog(
          `replay: ${delivered} of ${formatCount(read.lines)} lines read were delivered to ${options.to} before it failed (${took})`,
        );
      else {
        const skipped = read.blank > 0 ? `; ${formatCount(read.blank)} blank lines skipped` : '';
        const rate = `${formatCount(Math.round(sender.delivered() / seconds))} lines/s`;
        const what = `${interrupted ? 'interrupted after ' : ''}${delivered} lines (${formatBytes(read.bytes)})`;
        stderrLog(`replay: ${what} to ${options.to} in ${took}, ${rate}${skipped}`);
      }
      if (failure) throw failure;
      if (interrupted) process.exitCode = 130;
    });
}
