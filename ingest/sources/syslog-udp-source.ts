import { createSocket, type Socket } from 'node:dgram';
import type { LineSink, RawLine } from '../pipeline/raw-line.js';
import type { ComponentTelemetry } from '../telemetry/component-telemetry.js';
import { OccurrenceCounter } from './occurrence-counter.js';

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

// Each peer's counter holds up to 1024 numbers: a sender spraying source ports costs us at most MAX_PEERS of them.
const MAX_PEERS = 256;

/** Syslog over UDP: one message per datagram. What it cannot take is counted as discarded ('queue_full'), never hidden. */
export class SyslogUdpSource {
  private socket: Socket | undefined;
  private readonly peers = new Map<string, OccurrenceCounter>();
  port = 0;
  /** What the kernel granted (it may cap the request: net.core.rmem_max). */
  receiveBufferBytes = 0;

  constructor(private readonly options: UdpSourceOptions) {}

  async start(): Promise<void> {
    const { host, port, telemetry, sink, id, zone } = this.options;
    const socket = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: this.options.receiveBufferBytes });
    this.socket = socket;
    socket.on('message', (message: Buffer, peer) => {
      telemetry.received(1, message.length);
      if (this.options.isFull()) {
        telemetry.discarded('queue_full');
        return;
      }
      let end = message.length;
      while (end > 0 && (message[end - 1] === 10 || message[end - 1] === 13 || message[end - 1] === 0)) end--;
      const text = message.toString('utf8', 0, end);
      const occurrence = this.occurrencesOf(`${peer.address}:${peer.port}`).occurrence(text);
      const line: RawLine =
        occurrence > 0
          ? { line: text, receivedAt: Date.now(), sourceId: id, zone, occurrence }
          : { line: text, receivedAt: Date.now(), sourceId: id, zone };
      void sink([line]);
    });
    socket.on('error', () => telemetry.error('receive', 'socket_error'));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => resolve());
    });
    this.port = socket.address().port;
    this.receiveBufferBytes = socket.getRecvBufferSize();
  }

  /** Each sending peer is one stream; the least recently heard of are forgotten beyond MAX_PEERS. */
  private occurrencesOf(peer: string): OccurrenceCounter {
    let counter = this.peers.get(peer);
    if (counter) this.peers.delete(peer);
    else counter = new OccurrenceCounter();
    this.peers.set(peer, counter);
    if (this.peers.size > MAX_PEERS) this.peers.delete(this.peers.keys().next().value as string);
    return counter;
  }

  async stop(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}
