import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import type { Destination, DestinationOptions, DestinationStats } from './destination.js';

/** The largest UDP payload over IPv4 (65,535 − 8 UDP − 20 IP header bytes); a larger message cannot be one datagram. */
export const MAX_DATAGRAM_BYTES = 65_507;

/**
 * One datagram per message (RFC 5426), no framing. The host is resolved once, on the first write; the socket is not
 * connected, so an ICMP "port unreachable" from a restarting receiver does not fail the sends after it. Messages too large
 * for a datagram, or beyond the in-flight bound, are dropped and counted.
 */
export class UdpDestination implements Destination {
  private socket: Promise<{ socket: Socket; address: string }> | undefined;
  private readonly counts: DestinationStats = { sent: 0, dropped: 0, reconnects: 0 };
  private inFlight = 0;
  private closing = false;
  private idleWaiters: (() => void)[] = [];
  private readonly maxInFlight: number;

  constructor(
    readonly url: string,
    private readonly host: string,
    private readonly port: number,
    private readonly options: DestinationOptions = {},
  ) {
    this.maxInFlight = options.maxQueuedMessages ?? 10_000;
  }

  write(message: string): void {
    const payload = Buffer.from(message, 'utf8');
    if (this.closing || this.inFlight >= this.maxInFlight) {
      this.counts.dropped += 1;
      return;
    }
    if (payload.length > MAX_DATAGRAM_BYTES) {
      this.counts.dropped += 1;
      this.report(
        new Error(`${this.url}: a ${payload.length}-byte message does not fit in one UDP datagram (max ${MAX_DATAGRAM_BYTES}); dropped`),
      );
      return;
    }
    this.inFlight += 1;
    this.ready().then(
      ({ socket, address }) => socket.send(payload, this.port, address, (error) => this.settle(error)),
      (error: Error) => this.settle(error),
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
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.flush(), new Promise((resolve) => (timer = setTimeout(resolve, this.options.closeTimeoutMs ?? 10_000)))]);
    clearTimeout(timer);
    const opened = this.socket;
    this.socket = undefined;
    if (opened) {
      const { socket } = await opened.catch(() => ({ socket: undefined }));
      if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
    }
  }

  private ready(): Promise<{ socket: Socket; address: string }> {
    this.socket ??= (async () => {
      const { address, family } = await lookup(this.host);
      const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
      socket.on('error', (error) => this.report(error));
      return { socket, address };
    })().catch((error: Error) => {
      // Resolve again on the next write: the name may come back.
      this.socket = undefined;
      throw new Error(`${this.url}: ${error.message}`, { cause: error });
    });
    return this.socket;
  }

  private settle(error: Error | null): void {
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
