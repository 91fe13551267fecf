import { Backoff } from '../platform/concurrency/backoff.js';
import { sleep } from '../platform/concurrency/sleep.js';
import { definedOnly } from '../platform/defined-only.js';
import { ChunkQueue } from './chunk-queue.js';
import type { Destination, DestinationOptions, DestinationStats } from './destination.js';
import type { StreamTransport } from './stream-transports.js';
import { type StreamLink, StreamWriter } from './stream-writer.js';

const DEFAULTS = {
  maxQueuedMessages: 10_000,
  closeTimeoutMs: 10_000,
  connectTimeoutMs: 10_000,
  reconnectDelayMs: { initial: 100, max: 30_000 },
};
/** A connection that lived this long proves the receiver works: losing it starts the backoff over. */
const HEALTHY_CONNECTION_MS = 1_000;

/**
 * The emitters' delivery policy on the shared stream writer (TCP, TLS, a file, stdout): at most once, never blocking
 * the producer for a receiver that is away. Connects lazily; one pump moves framed messages from a bounded queue to
 * the stream, waiting for 'drain' whenever the stream pushes back; beyond the bound messages are dropped and counted.
 * A lost stream is reopened with exponential backoff (reset by a connection that lived a while); messages it never
 * confirmed go back to the front of the queue, so order is kept. A message counts as sent once its write callback
 * reports it handed to the operating system.
 */
export class QueuedStreamDestination implements Destination {
  private readonly queue = new ChunkQueue();
  private readonly backoff: Backoff;
  private readonly settings: typeof DEFAULTS;
  private readonly writer: StreamWriter;
  /** Chunks written to the live link whose write callback has not fired yet, oldest first. */
  private unconfirmed: Buffer[] = [];
  private readonly counts = { sent: 0, dropped: 0 };
  private pumping = false;
  /** No new messages once close() starts. */
  private closing = false;
  /** Set when close() gives up on the queue: the pump and the reconnect loop stop. */
  private abandoned = false;
  private idleWaiters: (() => void)[] = [];
  private cancelSleep: (() => void) | undefined;
  /** Connected, or not yet known otherwise (the first connect): write() pushes back only then. */
  private receiverReachable = true;
  /**
   * The last connection died young: wait out the backoff before the next, or a receiver that accepts and at once closes
   * (session limit, a TLS refusal after the handshake) would get a new connection for every message.
   */
  private delayNextConnect = false;
  /** Pending while write() is pushing back on its callers. */
  private pushBack: { promise: Promise<void>; resolve: () => void } | undefined;
  private closed: Promise<void> | undefined;

  constructor(
    readonly url: string,
    transport: StreamTransport,
    private readonly frame: (message: string) => Buffer,
    private readonly options: DestinationOptions = {},
  ) {
    this.settings = { ...DEFAULTS, ...definedOnly(options) };
    this.backoff = new Backoff({
      initialMs: this.settings.reconnectDelayMs.initial,
      maxMs: this.settings.reconnectDelayMs.max,
      jitter: 'equal',
    });
    this.writer = new StreamWriter(transport, (link, error) => this.lost(link, error));
  }

  /**
   * Queues one message. Returns a promise when a connected receiver is slow (the queue is half full): a producer that
   * awaits it slows down instead of losing messages; it resolves once the queue is down to a quarter, or the receiver is
   * found unreachable (a vanished receiver must never stall the producer: then the bound and the drop counter apply).
   */
  write(message: string): void | Promise<void> {
    if (this.closing || this.queue.length >= this.settings.maxQueuedMessages) {
      this.counts.dropped += 1;
      return;
    }
    this.queue.push(this.frame(message));
    void this.pump();
    if (this.receiverReachable && this.queue.length >= this.settings.maxQueuedMessages / 2) {
      if (!this.pushBack) {
        let resolve = () => {};
        const promise = new Promise<void>((done) => {
          resolve = done;
        });
        this.pushBack = { promise, resolve };
      }
      return this.pushBack.promise;
    }
  }

  stats(): DestinationStats {
    return { ...this.counts, reconnects: this.writer.reconnects };
  }

  flush(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): Promise<void> {
    this.closed ??= this.shutDown();
    return this.closed;
  }

  private async shutDown(): Promise<void> {
    this.closing = true;
    this.releasePushBack();
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      this.flush().then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), this.settings.closeTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (!drained) {
      this.abandoned = true;
      this.cancelSleep?.();
      this.counts.dropped += this.queue.length + this.unconfirmed.length;
      this.queue.clear();
      this.unconfirmed = [];
    }
    await this.writer.close(drained);
    this.releaseIdleWaiters();
  }

  private isIdle(): boolean {
    return this.abandoned || (this.queue.length === 0 && this.unconfirmed.length === 0);
  }

  private releaseIdleWaiters(): void {
    if (!this.isIdle() && !this.abandoned) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0 && !this.abandoned) {
        const link = this.writer.current ?? (await this.connect());
        if (!link) break;
        while (link.alive && this.queue.length > 0) {
          const chunk = this.queue.shift() as Buffer;
          if (this.queue.length <= this.settings.maxQueuedMessages / 4) this.releasePushBack();
          this.unconfirmed.push(chunk);
          const accepted = link.write(chunk, (error) => this.confirm(link, error));
          if (!accepted && link.alive) await link.drained();
        }
      }
    } finally {
      this.pumping = false;
      this.releaseIdleWaiters();
    }
  }

  private releasePushBack(): void {
    this.pushBack?.resolve();
    this.pushBack = undefined;
  }

  private confirm(link: StreamLink, error: Error | null | undefined): void {
    // A dead link's unconfirmed chunks were already requeued (or counted dropped); late callbacks change nothing.
    if (!link.alive) return;
    if (error) {
      link.lose(error);
      return;
    }
    this.unconfirmed.shift();
    this.counts.sent += 1;
    this.releaseIdleWaiters();
  }

  private async connect(): Promise<StreamLink | undefined> {
    while (!this.abandoned) {
      if (this.delayNextConnect) {
        this.delayNextConnect = false;
        await this.sleep(this.backoff.nextDelayMs());
        continue;
      }
      try {
        const link = await this.writer.connect();
        if (this.abandoned) {
          await this.writer.close(false);
          return undefined;
        }
        this.receiverReachable = true;
        return link;
      } catch (error) {
        this.receiverReachable = false;
        this.releasePushBack();
        this.report(error);
        await this.sleep(this.backoff.nextDelayMs());
      }
    }
    return undefined;
  }

  /** The writer lost the link: what it never confirmed goes back to the front of the queue. */
  private lost(link: StreamLink, error?: Error): void {
    this.queue.unshiftAll(this.unconfirmed);
    this.unconfirmed = [];
    if (error) this.report(error);
    const healthy = Date.now() - link.openedAt >= HEALTHY_CONNECTION_MS;
    if (healthy) this.backoff.reset();
    this.delayNextConnect = !healthy;
    this.receiverReachable = false;
    this.releasePushBack();
    if (!this.pumping && this.queue.length > 0) void this.pump();
  }

  /** A reconnect delay that `cancelSleep` cuts short (a receiver back, or a close). */
  private async sleep(ms: number): Promise<void> {
    const wake = new AbortController();
    this.cancelSleep = () => wake.abort();
    await sleep(ms, wake.signal);
    this.cancelSleep = undefined;
  }

  private report(error: unknown): void {
    this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
  }
}
