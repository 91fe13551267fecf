import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { ConnectionError } from './stream-connection.js';
import { MAX_DATAGRAM_BYTES } from './udp-destination.js';

export { MAX_DATAGRAM_BYTES };

/** A message that can never be one UDP datagram: the sink dead-letters it instead of retrying. */
export class MessageTooLargeError extends Error {
  override readonly name = 'MessageTooLargeError';
  static readonly errorType = 'message_too_large';

  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`a ${bytes}-byte message does not fit in one UDP datagram (max ${limit} bytes)`);
  }
}

/**
 * One datagram per message (RFC 5426). The host is resolved on first use (again after a failure); the socket is not
 * connected, so an ICMP "port unreachable" from a restarting receiver does not fail later sends. UDP has no delivery
 * confirmation: a datagram the kernel sent counts as delivered.
 */
export class DatagramSender {
  private socket: Promise<{ socket: Socket; address: string }> | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly maxBytes = MAX_DATAGRAM_BYTES,
  ) {}

  get description(): string {
    return `udp://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  /** Throws MessageTooLargeError before sending anything too large, ConnectionError when the send fails. */
  async send(payload: Buffer): Promise<void> {
    if (payload.length > this.maxBytes) throw new MessageTooLargeError(payload.length, this.maxBytes);
    const { socket, address } = await this.ready();
    await new Promise<void>((resolve, reject) =>
      socket.send(payload, this.port, address, (error) =>
        error ? reject(new ConnectionError(`${this.description}: ${error.message}`, { cause: error })) : resolve(),
      ),
    );
  }

  async close(): Promise<void> {
    const opened = this.socket;
    this.socket = undefined;
    const socket = opened ? (await opened.catch(() => undefined))?.socket : undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  private ready(): Promise<{ socket: Socket; address: string }> {
    this.socket ??= (async () => {
      const { address, family } = await lookup(this.host);
      const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
      // Asynchronous socket errors (ICMP) are not per message: ignore them here, the send callbacks report their own.
      socket.on('error', () => undefined);
      return { socket, address };
    })().catch((error: Error) => {
      this.socket = undefined;
      throw new ConnectionError(`${this.description}: ${error.message}`, { cause: error });
    });
    return this.socket;
  }
}
