/**
 * The shared stream writer under both delivery policies: the emitters' bounded queue (`queued-stream-destination.ts`)
 * and forwarding's at-least-once batches (`stream-sender.ts`). It opens one stream at a time from a transport
 * (TCP, TLS, a file, stdout), watches it for loss, writes with confirmation and ends it. When and how often to
 * reconnect, and what to do with what a lost stream never confirmed, is the policy's business.
 */
import type { Writable } from 'node:stream';
import { ConnectionError } from './stream-connection.js';
import type { StreamTransport } from './stream-transports.js';

/** How long a graceful end waits for the stream to finish before destroying it. */
const END_TIMEOUT_MS = 2_000;

type Listener = (error?: Error) => void;

/** One opened stream, alive until it is lost (an error, the receiver's FIN, a close) or retired. */
export class StreamLink {
  readonly openedAt = Date.now();
  private isAlive = true;
  private reason: Error | undefined;
  private listeners: [event: string, listener: Listener][];
  /** Woken when the link dies: pending drain and confirmation waits. */
  private readonly deathWatchers = new Set<() => void>();

  constructor(
    readonly stream: Writable,
    private readonly owned: boolean,
    private readonly description: string,
    private readonly onLost: (link: StreamLink, error?: Error) => void,
  ) {
    this.listeners = [
      ['error', (error) => this.lose(error)],
      ['close', () => this.lose()],
      // The receiver closed its side (a receiver never sends, so its FIN is the first sign it is going away):
      // anything written from now on would be lost.
      ['end', () => this.lose()],
    ];
    for (const [event, listener] of this.listeners) stream.on(event, listener);
  }

  get alive(): boolean {
    return this.isAlive;
  }

  /** The stream's buffer is over its high-water mark: wait for drained() before writing more. */
  get needsDrain(): boolean {
    return this.stream.writableNeedDrain;
  }

  /** A ConnectionError naming the destination and why the link was lost. */
  lostError(): ConnectionError {
    return new ConnectionError(`${this.description}: connection lost (${this.reason?.message ?? 'closed'})`);
  }

  /**
   * Writes one chunk; `done` runs once the operating system has it, or with the error. Returns false when the
   * stream's buffer is full: wait for drained() before the next write.
   */
  write(chunk: Buffer, done: (error?: Error | null) => void): boolean {
    return this.stream.write(chunk, done);
  }

  /** Resolves on 'drain', or as soon as the link dies. */
  drained(): Promise<void> {
    if (!this.isAlive) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.stream.off('drain', done);
        this.deathWatchers.delete(done);
        resolve();
      };
      this.stream.on('drain', done);
      this.deathWatchers.add(done);
    });
  }

  /** Writes one chunk and resolves once the operating system has it; rejects with lostError() if the link dies first. */
  writeConfirmed(chunk: Buffer): Promise<void> {
    if (!this.isAlive) return Promise.reject(this.lostError());
    return new Promise((resolve, reject) => {
      let settled = false;
      const onDeath = () => {
        if (settled) return;
        settled = true;
        reject(this.lostError());
      };
      this.deathWatchers.add(onDeath);
      this.stream.write(chunk, (error) => {
        this.deathWatchers.delete(onDeath);
        if (error) this.lose(error);
        if (settled) return;
        settled = true;
        if (this.isAlive) resolve();
        else reject(this.lostError());
      });
    });
  }

  /**
   * The link is gone (idempotent): our listeners come off, the stream is destroyed (if ours), the policy is told
   * (onLost), then whatever waited on the link is woken.
   */
  lose(error?: Error): void {
    if (!this.isAlive) return;
    this.isAlive = false;
    this.reason = error;
    this.detach();
    if (this.owned) this.stream.destroy();
    this.onLost(this, error);
    this.wakeWatchers();
  }

  /**
   * Ends the link on purpose; the policy is not told. Graceful: end() and wait for the stream to finish (bounded);
   * otherwise at once. A stream that is not ours (stdout) is left open.
   */
  async retire(graceful: boolean): Promise<void> {
    const wasAlive = this.isAlive;
    this.isAlive = false;
    this.wakeWatchers();
    if (!this.owned) {
      this.detach();
      return;
    }
    const { stream } = this;
    if (graceful && wasAlive && !stream.destroyed) {
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
    this.detach();
    stream.destroy();
  }

  private wakeWatchers(): void {
    const watchers = [...this.deathWatchers];
    this.deathWatchers.clear();
    for (const wake of watchers) wake();
  }

  private detach(): void {
    if (this.listeners.length === 0) return;
    for (const [event, listener] of this.listeners) this.stream.off(event, listener);
    this.listeners = [];
    // A stream of ours may still report an error (a reset while ending) with nobody left to tell: swallow it rather
    // than crash. stdout has other listeners we must leave alone.
    if (this.owned) this.stream.on('error', () => {});
  }
}

/**
 * One link at a time on a transport: `connect()` returns the live link or opens a new one (concurrent callers share
 * the opening). `onLost` hears of every link that dies on its own, before anything waiting on it wakes.
 */
export class StreamWriter {
  private link: StreamLink | undefined;
  private opening: Promise<StreamLink> | undefined;
  private opened = 0;

  constructor(
    private readonly transport: StreamTransport,
    private readonly onLost: (link: StreamLink, error?: Error) => void = () => {},
  ) {}

  get description(): string {
    return this.transport.description;
  }

  /** The live link, if any. */
  get current(): StreamLink | undefined {
    return this.link?.alive ? this.link : undefined;
  }

  /** Links opened after the first one. */
  get reconnects(): number {
    return Math.max(0, this.opened - 1);
  }

  /** The live link, or a new one; rejects with the transport's error when it cannot be opened. */
  connect(): Promise<StreamLink> {
    const live = this.current;
    if (live) return Promise.resolve(live);
    this.opening ??= this.open().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  /** Retires the live link (see StreamLink.retire); the next connect() opens a new one. */
  async close(graceful: boolean): Promise<void> {
    const link = this.link;
    this.link = undefined;
    if (link) await link.retire(graceful);
  }

  private async open(): Promise<StreamLink> {
    const stream = await this.transport.open();
    const link = new StreamLink(stream, this.transport.owned, this.transport.description, (lost, error) => {
      if (this.link === lost) this.link = undefined;
      this.onLost(lost, error);
    });
    this.opened += 1;
    this.link = link;
    return link;
  }
}
