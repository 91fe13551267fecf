import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { hostPort } from './destination-url.js';
import { ConnectionError } from './stream-connection.js';

/** The largest UDP payload over IPv4 (65,535 − 8 UDP − 20 IP header bytes); a larger message cannot be one datagram. */
export const MAX_DATAGRAM_BYTES = 65_507;

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
 * The one UDP sender, under the emitters' UdpDestination and the forwarding sink: one datagram per message (RFC 5426),
 * no framing. The host is resolved once, on first use (again only after a failure: the name may come back); the socket
 * is not connected, so an ICMP "port unreachable" from a restarting receiver does not fail later sends. UDP has no
 * delivery confirmation: a datagram the kernel sent counts as delivered.
 */
export class DatagramSender {
  private socket: Promise<{ socket: Socket; address: string }> | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
    readonly maxBytes = MAX_DATAGRAM_BYTES,
    /** Told about asynchronous socket errors (ICMP); they fail no send, each send reports its own. */
    private readonly onSocketError: (error: Error) => void = () => undefined,
  ) {}

  get description(): string {
    return `udp://${hostPort(this.host, this.port)}`;
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
      // Asynchronous socket errors (ICMP) are not per message: the send callbacks report their own.
      socket.on('error', (error) => this.onSocketError(error));
      return { socket, address };
    })().catch((error: Error) => {
      this.socket = undefined;
      throw new ConnectionError(`${this.description}: ${error.message}`, { cause: error });
    });
    return this.socket;
  }
}
