import type { Writable } from 'node:stream';
import { Backoff } from '../platform/concurrency/backoff.js';
import { ChunkQueue } from './chunk-queue.js';
import type { Destination, DestinationOptions, DestinationStats } from './destination.js';
import type { StreamTransport } from './stream-transports.js';

interface Connection {
  readonly stream: Writable;
  /** Chunks written to the stream whose write callback has not fired yet, oldest first. */
  unconfirmed: Buffer[];
  alive: boolean;
  readonly openedAt: number;
  /** Our listeners on the stream, removed when the connection ends (stdout has other listeners we must leave alone). */
  listeners: [event: string, listener: (error?: Error) => void][];
  /** Wakes the pump when it waits for 'drain' on a connection that dies instead. */
  wakeOnDeath?: () => void;
}

const DEFAULTS = {
  maxQueuedMessages: 10_000,
  closeTimeoutMs: 10_000,
  connectTimeoutMs: 10_000,
  reconnectDelayMs: { initial: 100, max: 30_000 },
};
const END_TIMEOUT_MS = 2_000;
/** A connection that lived this long proves the receiver works: losing it starts the backoff over. */
const HEALTHY_CONNECTION_MS = 1_000;

/**
 * A destination on a byte stream (TCP, TLS, a file, stdout). Connects lazily; one pump moves framed messages from a bounded
 * queue to the stream, waiting for 'drain' whenever the stream pushes back. A lost stream is reopened with exponential
 * backoff (reset by a connection that lived a while); messages it never confirmed go back to the front of the queue, so order is kept. A message counts as sent once
 * its write callback reports it handed to the operating system.
 */
export class QueuedStreamDestination implements Destination {
  private readonly queue = new ChunkQueue();
  private readonly backoff: Backoff;
  private readonly settings: typeof DEFAULTS;
  private connection: Connection | undefined;
  private connectionsMade = 0;
  private readonly counts: DestinationStats = { sent: 0, dropped: 0, reconnects: 0 };
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
    private readonly transport: StreamTransport,
    private readonly frame: (message: string) => Buffer,
    private readonly options: DestinationOptions = {},
  ) {
    this.settings = { ...DEFAULTS, ...withoutUndefined(options) };
    this.backoff = new Backoff({
      initialMs: this.settings.reconnectDelayMs.initial,
      maxMs: this.settings.reconnectDelayMs.max,
      jitter: 'equal',
    });
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
    return { ...this.counts };
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
      this.counts.dropped += this.queue.length + (this.connection?.unconfirmed.length ?? 0);
      this.queue.clear();
    }
    const connection = this.connection;
    this.connection = undefined;
    if (connection) await this.retire(connection, drained);
    this.releaseIdleWaiters();
  }

  private isIdle(): boolean {
    return this.abandoned || (this.queue.length === 0 && (this.connection?.unconfirmed.length ?? 0) === 0);
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
        const connection = this.connection ?? (await this.connect());
        if (!connection) break;
        while (connection.alive && this.queue.length > 0) {
          const chunk = this.queue.shift() as Buffer;
          if (this.queue.length <= this.settings.maxQueuedMessages / 4) this.releasePushBack();
          connection.unconfirmed.push(chunk);
          const accepted = connection.stream.write(chunk, (error) => this.confirm(connection, error));
          if (!accepted && connection.alive) await this.drained(connection);
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

  private drained(connection: Connection): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        connection.stream.off('drain', done);
        connection.wakeOnDeath = undefined;
        resolve();
      };
      connection.stream.on('drain', done);
      connection.wakeOnDeath = done;
    });
  }

  private confirm(connection: Connection, error: Error | null | undefined): void {
    // A dead connection's unconfirmed chunks were already requeued (or counted dropped); late callbacks change nothing.
    if (!connection.alive) return;
    if (error) {
      this.lose(connection, error);
      return;
    }
    connection.unconfirmed.shift();
    this.counts.sent += 1;
    this.releaseIdleWaiters();
  }

  private async connect(): Promise<Connection | undefined> {
    while (!this.abandoned) {
      if (this.delayNextConnect) {
        this.delayNextConnect = false;
        await this.sleep(this.backoff.nextDelayMs());
        continue;
      }
      try {
        const stream = await this.transport.open();
        if (this.abandoned) {
          if (this.transport.owned) stream.destroy();
          return undefined;
        }
        this.receiverReachable = true;
        if (this.connectionsMade > 0) this.counts.reconnects += 1;
        this.connectionsMade += 1;
        const connection: Connection = { stream, unconfirmed: [], alive: true, openedAt: Date.now(), listeners: [] };
        connection.listeners.push(
          ['error', (error?: Error) => this.lose(connection, error)],
          ['close', () => this.lose(connection)],
          // The receiver closed its side: anything written from now on would be lost.
          ['end', () => this.lose(connection)],
        );
        for (const [event, listener] of connection.listeners) stream.on(event, listener);
        this.connection = connection;
        return connection;
      } catch (error) {
        this.receiverReachable = false;
        this.releasePushBack();
        this.report(error);
        await this.sleep(this.backoff.nextDelayMs());
      }
    }
    return undefined;
  }

  private lose(connection: Connection, error?: Error): void {
    if (!connection.alive) return;
    connection.alive = false;
    if (this.connection === connection) this.connection = undefined;
    this.queue.unshiftAll(connection.unconfirmed);
    connection.unconfirmed = [];
    if (error) this.report(error);
    this.detach(connection);
    if (this.transport.owned) connection.stream.destroy();
    connection.wakeOnDeath?.();
    const healthy = Date.now() - connection.openedAt >= HEALTHY_CONNECTION_MS;
    if (healthy) this.backoff.reset();
    this.delayNextConnect = !healthy;
    this.receiverReachable = false;
    this.releasePushBack();
    if (!this.pumping && this.queue.length > 0) void this.pump();
  }

  /** Ends a connection on close: gracefully when everything was confirmed, at once when close gave up. */
  private async retire(connection: Connection, graceful: boolean): Promise<void> {
    connection.alive = false;
    connection.wakeOnDeath?.();
    if (!this.transport.owned) {
      this.detach(connection);
      return;
    }
    const { stream } = connection;
    if (graceful && !stream.destroyed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, END_TIMEOUT_MS);
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        stream.once('finish', done);
        stream.once('close', done);
        stream.once('error', done);
        stream.end();
      });
    }
    this.detach(connection);
    stream.destroy();
  }

  private detach(connection: Connection): void {
    for (const [event, listener] of connection.listeners) connection.stream.off(event, listener);
    connection.listeners = [];
    // A stream of ours may still report an error (a reset while ending) with nobody left to tell: swallow it rather than crash.
    if (this.transport.owned) connection.stream.on('error', () => {});
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.cancelSleep = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.cancelSleep = done;
    });
  }

  private report(error: unknown): void {
    this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
  }
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
