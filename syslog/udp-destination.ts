import { waitAtMost } from '../platform/concurrency/wait-at-most.js';
import { DatagramSender, MessageTooLargeError } from './datagram-sender.js';
import type { Destination, DestinationOptions, DestinationStats } from './destination.js';

/**
 * The emitters' UDP destination: the shared DatagramSender with the emitters' policy. write() never waits; messages
 * too large for a datagram, whose send fails, or beyond the in-flight bound are dropped and counted.
 */
export class UdpDestination implements Destination {
  private readonly sender: DatagramSender;
  private readonly counts: DestinationStats = { sent: 0, dropped: 0, reconnects: 0 };
  private inFlight = 0;
  private closing = false;
  private idleWaiters: (() => void)[] = [];
  private readonly maxInFlight: number;

  constructor(
    readonly url: string,
    host: string,
    port: number,
    private readonly options: DestinationOptions = {},
  ) {
    this.maxInFlight = options.maxQueuedMessages ?? 10_000;
    this.sender = new DatagramSender(host, port, undefined, (error) => this.report(error));
  }

  write(message: string): void {
    if (this.closing || this.inFlight >= this.maxInFlight) {
      this.counts.dropped += 1;
      return;
    }
    this.inFlight += 1;
    this.sender.send(Buffer.from(message, 'utf8')).then(
      () => this.settle(),
      (error: Error) => this.settle(error instanceof MessageTooLargeError ? new Error(`${this.url}: ${error.message}; dropped`) : error),
    );
  }

  stats(): DestinationStats {
    return { ...this.counts };
  }

  flush(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.closing = true;
    await waitAtMost(this.flush(), this.options.closeTimeoutMs ?? 10_000);
    await this.sender.close();
  }

  private settle(error?: Error): void {
    this.inFlight -= 1;
    if (error) {
      this.counts.dropped += 1;
      this.report(error);
    } else {
      this.counts.sent += 1;
    }
    if (this.inFlight === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private report(error: Error): void {
    this.options.onError?.(error);
  }
}
