import { createSocket, type Socket } from 'node:dgram';
import type { ComponentTelemetry } from '../../platform/telemetry/component-telemetry.js';
import type { LineSink, RawLine } from '../pipeline/raw-line.js';

export interface UdpSourceOptions {
  id: string;
  host: string;
  port: number;
  zone: string;
  /** Kernel receive buffer: bursts are absorbed here rather than dropped. */
  receiveBufferBytes: number;
  telemetry: ComponentTelemetry;
  sink: LineSink;
  /** True when the pipeline cannot take more: UDP cannot push back, so datagrams are dropped and counted. */
  isFull: () => boolean;
}

/** Syslog over UDP: one message per datagram. What it cannot take is counted as discarded ('queue_full'), never hidden. */
export class SyslogUdpSource {
  private socket: Socket | undefined;
  port = 0;
  /** What the kernel granted (it may cap the request: net.core.rmem_max). */
  receiveBufferBytes = 0;

  constructor(private readonly options: UdpSourceOptions) {}

  async start(): Promise<void> {
    const { host, port, telemetry, sink, id, zone } = this.options;
    const socket = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: this.options.receiveBufferBytes });
    this.socket = socket;
    socket.on('message', (message: Buffer) => {
      telemetry.received(1, message.length);
      if (this.options.isFull()) {
        telemetry.discarded('queue_full');
        return;
      }
      let end = message.length;
      while (end > 0 && (message[end - 1] === 10 || message[end - 1] === 13 || message[end - 1] === 0)) end--;
      const text = message.toString('utf8', 0, end);
      const line: RawLine = { line: text, receivedAt: Date.now(), sourceId: id, zone };
      void sink([line]);
    });
    socket.on('error', (error) => telemetry.error('receive', 'socket_error', 1, error));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => resolve());
    });
    this.port = socket.address().port;
    this.receiveBufferBytes = socket.getRecvBufferSize();
  }

  async stop(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}
