import type { Socket } from 'node:net';
import { ReplayWindow } from './replay-window.js';
import { ConnectionError, describeTarget, openStream, type StreamTarget } from './stream-connection.js';

/** Waits before a chunk of events is written (the destination's rate limit). */
export type Throttle = (events: number, signal: AbortSignal) => Promise<void>;

export interface StreamSenderOptions {
  /** Frames written this long before a connection broke are written again on the next one (default 2 s). */
  replayWindowMs?: number;
  /** Memory bound of the replay window (default 16 MiB). */
  replayMaxBytes?: number;
  throttle?: Throttle;
}

/** Frames are written in chunks of this many, so one write call carries many messages without one huge buffer. */
const CHUNK_FRAMES = 64;

/**
 * One persistent TCP or TLS connection to a receiver: opened on the first write, opened again (on the next write,
 * after the sink helper's backoff) once it breaks. `write` resolves when every frame has been handed to the kernel.
 */
export class StreamSender {
  private socket: Socket | undefined;
  private lost: Error | undefined;
  private readonly replay: ReplayWindow;
  readonly description: string;

  constructor(
    private readonly target: StreamTarget,
    private readonly options: StreamSenderOptions = {},
  ) {
    this.description = describeTarget(target);
    this.replay = new ReplayWindow(options.replayWindowMs ?? 2000, options.replayMaxBytes ?? 16 * 1024 * 1024);
  }

  get connected(): boolean {
    return this.socket !== undefined;
  }

  /** Writes the frames in order; throws a ConnectionError when the connection cannot be opened or breaks. */
  async write(frames: readonly Buffer[], signal: AbortSignal): Promise<void> {
    const socket = await this.connection();
    const due = this.replay.due();
    if (due.length > 0) {
      await this.writeChunks(socket, due, signal, false);
      this.replay.replayed();
    }
    await this.writeChunks(socket, frames, signal, true);
    this.replay.written(frames);
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (!socket) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        socket.destroy();
        resolve();
      }, 2000);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.end();
    });
  }

  private async connection(): Promise<Socket> {
    if (this.socket) return this.socket;
    const socket = await openStream(this.target);
    this.lost = undefined;
    const onLost = (error?: Error) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.lost = error ?? new Error('the receiver closed the connection');
      this.replay.connectionLost();
      socket.destroy();
    };
    socket.on('error', (error) => onLost(error));
    // A receiver never sends, so its FIN is the first sign it is going away.
    socket.on('end', () => onLost());
    socket.on('close', () => onLost());
    this.socket = socket;
    return socket;
  }

  private async writeChunks(socket: Socket, frames: readonly Buffer[], signal: AbortSignal, throttled: boolean): Promise<void> {
    for (let start = 0; start < frames.length; start += CHUNK_FRAMES) {
      const chunk = frames.slice(start, start + CHUNK_FRAMES);
      if (throttled && this.options.throttle) await this.options.throttle(chunk.length, signal);
      if (signal.aborted) throw new ConnectionError(`${this.description}: aborted`);
      if (this.socket !== socket) throw this.lostError();
      const last = start + CHUNK_FRAMES >= frames.length;
      const written = new Promise<void>((resolve, reject) => {
        socket.write(Buffer.concat(chunk), (error) => (error ? reject(error) : resolve()));
      });
      // The callback of every write fires once the kernel has the bytes; waiting on each keeps memory bounded and
      // lets a broken connection surface before the batch is reported delivered.
      if (last || socket.writableNeedDrain) await this.settle(socket, written);
      else written.catch(() => undefined);
    }
  }

  /** The write's callback, or the connection's loss, whichever comes first. */
  private async settle(socket: Socket, written: Promise<void>): Promise<void> {
    let onClose: (() => void) | undefined;
    const closed = new Promise<void>((_, reject) => {
      onClose = () => reject(this.lostError());
      socket.once('close', onClose);
    });
    try {
      await Promise.race([written, closed]);
    } catch (error) {
      if (this.socket === socket) {
        this.socket = undefined;
        this.replay.connectionLost();
        socket.destroy();
      }
      throw error instanceof ConnectionError ? error : new ConnectionError(`${this.description}: ${(error as Error).message}`);
    } finally {
      if (onClose) socket.off('close', onClose);
      closed.catch(() => undefined);
    }
    if (this.socket !== socket) throw this.lostError();
  }

  private lostError(): ConnectionError {
    return new ConnectionError(`${this.description}: connection lost (${this.lost?.message ?? 'closed'})`);
  }
}
