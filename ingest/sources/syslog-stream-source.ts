import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { FrameDecoder, isFramingError } from '../../parsers/framing.js';
import type { ComponentTelemetry } from '../../platform/telemetry/component-telemetry.js';
import type { LineSink, RawLine } from '../pipeline/raw-line.js';

export interface StreamSourceOptions {
  id: string;
  host: string;
  port: number;
  zone: string;
  maxMessageBytes: number;
  /** Connections open at once (default 1000); more are closed as they arrive and counted (`connection_limit`). */
  maxConnections?: number;
  /** A connection that sends nothing for this long is closed (default 10 minutes; 0: never). */
  idleTimeoutMs?: number;
  /** TLS: a connection that has not finished its handshake after this long is closed, counted `tls_handshake` (10 s). */
  handshakeTimeoutMs?: number;
  /** TLS: PEM certificate and key; with `ca` and `verifyClient`, clients must present a certificate signed by it. */
  tls?: { cert: string | Buffer; key: string | Buffer; ca?: string | Buffer; verifyClient?: boolean };
  telemetry: ComponentTelemetry;
  sink: LineSink;
}

export const STREAM_SOURCE_DEFAULTS = { maxConnections: 1000, idleTimeoutMs: 600_000, handshakeTimeoutMs: 10_000 } as const;

/**
 * Syslog over TCP or TLS. Each connection has its own frame decoder (octet counting or newline, per frame). When the
 * pipeline pushes back, the connection stops reading until it drains: the sender's TCP window closes — backpressure
 * end to end, no loss. A partial frame at close (however the connection ends: FIN, reset, idle timeout, stop) is
 * delivered as a framing error carrying its bytes.
 *
 * Memory is bounded by connections: each holds at most about one frame (max_message_bytes) and one socket read, so
 * `maxConnections` caps what senders can make it hold; idle connections are closed so they cannot hold it for ever.
 */
export class SyslogStreamSource {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  /** Every accepted TCP connection, TLS handshake finished or not: a stop's grace period ends them all. */
  private readonly rawSockets = new Set<Socket>();
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
            // Node's default is 120 s: a peer that opens and never says hello would hold a connection (and a stop).
            handshakeTimeout: this.options.handshakeTimeoutMs ?? STREAM_SOURCE_DEFAULTS.handshakeTimeoutMs,
          },
          onConnection,
        )
      : createTcpServer(onConnection);
    // Node closes a connection beyond the limit as soon as it is accepted, before any byte is read or TLS begins.
    this.server.maxConnections = this.options.maxConnections ?? STREAM_SOURCE_DEFAULTS.maxConnections;
    this.server.on('drop', () => this.options.telemetry.error('receive', 'connection_limit'));
    // With a listener Node leaves the socket open (a handshake timeout included): it is ours to destroy.
    this.server.on('tlsClientError', (error: Error, socket: TLSSocket) => {
      this.options.telemetry.error('receive', 'tls_handshake', 1, error);
      socket.destroy();
    });
    // Before TLS: a connection in its handshake is not in `sockets` yet, but still has to end at stop.
    this.server.on('connection', (raw: Socket) => {
      this.rawSockets.add(raw);
      raw.once('close', () => this.rawSockets.delete(raw));
    });
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(this.options.port, this.options.host, () => resolve());
    });
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : this.options.port;
  }

  private handle(socket: Socket): void {
    this.sockets.add(socket);
    this.options.telemetry.connections(this.sockets.size);
    const idleTimeoutMs = this.options.idleTimeoutMs ?? STREAM_SOURCE_DEFAULTS.idleTimeoutMs;
    if (idleTimeoutMs > 0) socket.setTimeout(idleTimeoutMs);
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
        // Waiting for the pipeline is not idleness: the idle timer only runs while the connection is read.
        if (idleTimeoutMs > 0) socket.setTimeout(0);
        void pushedBack.then(() => {
          socket.resume();
          if (idleTimeoutMs > 0 && !socket.destroyed) socket.setTimeout(idleTimeoutMs);
        });
      }
    };
    // Idempotent: the decoder is empty after its first end(), so 'end' then 'close' deliver the partial frame once.
    const flushPartial = (why?: string) => {
      const rest = decoder.end();
      if (!rest) return;
      telemetry.received(1, 0);
      const framingError = why ? `${why}; ${rest.error}` : rest.error;
      deliver([{ line: rest.partial, receivedAt: Date.now(), sourceId: id, zone, framingError }]);
    };
    socket.on('data', (chunk: Buffer) => {
      const receivedAt = Date.now();
      telemetry.received(0, chunk.length);
      const lines = toLines(decoder.push(chunk), receivedAt);
      telemetry.received(lines.length, 0);
      deliver(lines);
    });
    socket.on('end', () => flushPartial());
    socket.on('timeout', () => {
      telemetry.error('receive', 'idle_timeout');
      flushPartial(`closed after ${idleTimeoutMs / 1000} s without data`);
      socket.destroy();
    });
    socket.on('error', (error) => telemetry.error('receive', 'connection_error', 1, error));
    // A reset, a destroy at stop or after an error never emits 'end': the partial frame is delivered here then.
    socket.on('close', () => {
      flushPartial();
      this.sockets.delete(socket);
      telemetry.connections(this.sockets.size);
    });
  }

  /** Stops accepting, lets open connections finish what they sent (half-close), then closes them. */
  async stop(graceMs = 2000): Promise<void> {
    const server = this.server;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Each socket's own 'close' (after the server's) delivers its partial frame: wait for those too, so it reaches the
    // pipeline before the pipeline stops.
    const socketsClosed = [...this.sockets].map((socket) => new Promise((resolve) => socket.once('close', resolve)));
    for (const socket of this.sockets) socket.end();
    const timer = setTimeout(() => {
      for (const socket of this.sockets) socket.destroy();
      for (const raw of this.rawSockets) raw.destroy();
    }, graceMs);
    await Promise.all([closed, ...socketsClosed]);
    clearTimeout(timer);
  }
}
