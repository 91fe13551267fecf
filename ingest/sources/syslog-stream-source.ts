import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { FrameDecoder, isFramingError } from '../../parsers/framing.js';
import type { LineSink, RawLine } from '../pipeline/raw-line.js';
import type { ComponentTelemetry } from '../telemetry/component-telemetry.js';

export interface StreamSourceOptions {
  id: string;
  host: string;
  port: number;
  zone: string;
  maxMessageBytes: number;
  /** TLS: PEM certificate and key; with `ca` and `verifyClient`, clients must present a certificate signed by it. */
  tls?: { cert: string | Buffer; key: string | Buffer; ca?: string | Buffer; verifyClient?: boolean };
  telemetry: ComponentTelemetry;
  sink: LineSink;
}

/**
 * Syslog over TCP or TLS. Each connection has its own frame decoder (octet counting or newline, per frame). When the
 * pipeline pushes back, the connection stops reading until it drains: the sender's TCP window closes — backpressure
 * end to end, no loss. A partial frame at close is delivered as a framing error carrying its bytes.
 */
export class SyslogStreamSource {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly options: StreamSourceOptions) {}

  async start(): Promise<void> {
    const onConnection = (socket: Socket | TLSSocket) => this.handle(socket);
    const { tls } = this.options;
    this.server = tls
      ? createTlsServer(
          {
            cert: tls.cert,
            key: tls.key,
            ca: tls.ca,
            requestCert: Boolean(tls.verifyClient),
            rejectUnauthorized: Boolean(tls.verifyClient),
          },
          onConnection,
        )
      : createTcpServer(onConnection);
    this.server.on('tlsClientError', () => this.options.telemetry.error('receive', 'tls_handshake'));
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(this.options.port, this.options.host, () => resolve());
    });
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : this.options.port;
  }

  private handle(socket: Socket): void {
    this.sockets.add(socket);
    const decoder = new FrameDecoder(this.options.maxMessageBytes);
    const { telemetry, sink, id, zone } = this.options;
    const toLines = (events: ReturnType<FrameDecoder['push']>, receivedAt: number): RawLine[] =>
      events.map((event): RawLine => {
        if (isFramingError(event)) return { line: event.partial, receivedAt, sourceId: id, zone, framingError: event.error };
        return { line: event.message, receivedAt, sourceId: id, zone };
      });
    const deliver = (lines: RawLine[]) => {
      if (lines.length === 0) return;
      const pushedBack = sink(lines);
      if (pushedBack) {
        socket.pause();
        void pushedBack.then(() => socket.resume());
      }
    };
    socket.on('data', (chunk: Buffer) => {
      const receivedAt = Date.now();
      telemetry.received(0, chunk.length);
      const lines = toLines(decoder.push(chunk), receivedAt);
      telemetry.received(lines.length, 0);
      deliver(lines);
    });
    socket.on('end', () => {
      const rest = decoder.end();
      if (rest) {
        telemetry.received(1, 0);
        deliver([{ line: rest.partial, receivedAt: Date.now(), sourceId: id, zone, framingError: rest.error }]);
      }
    });
    socket.on('error', () => telemetry.error('receive', 'connection_error'));
    socket.on('close', () => this.sockets.delete(socket));
  }

  /** Stops accepting, lets open connections finish what they sent (half-close), then closes them. */
  async stop(graceMs = 2000): Promise<void> {
    const server = this.server;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.end();
    const timer = setTimeout(() => {
      for (const socket of this.sockets) socket.destroy();
    }, graceMs);
    await closed;
    clearTimeout(timer);
  }
}
