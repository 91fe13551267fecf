import { ReplayWindow } from './replay-window.js';
import { ConnectionError, type StreamTarget } from './stream-connection.js';
import { socketTransport } from './stream-transports.js';
import { type StreamLink, StreamWriter } from './stream-writer.js';

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
 * Forwarding's delivery policy on the shared stream writer: at-least-once batches over one persistent TCP or TLS
 * connection, opened on the first write and opened again (on the next write, after the sink helper's backoff) once it
 * breaks. `write` resolves when every frame has been handed to the kernel, and throws a ConnectionError otherwise (the
 * spool keeps the batch). The replay window covers what the receiver may have lost in its socket buffer.
 */
export class StreamSender {
  private readonly writer: StreamWriter;
  private readonly replay: ReplayWindow;
  readonly description: string;

  constructor(
    target: StreamTarget,
    private readonly options: StreamSenderOptions = {},
  ) {
    this.replay = new ReplayWindow(options.replayWindowMs ?? 2000, options.replayMaxBytes ?? 16 * 1024 * 1024);
    this.writer = new StreamWriter(socketTransport(target), () => this.replay.connectionLost());
    this.description = this.writer.description;
  }

  get connected(): boolean {
    return this.writer.current !== undefined;
  }

  /** Writes the frames in order; throws a ConnectionError when the connection cannot be opened or breaks. */
  async write(frames: readonly Buffer[], signal: AbortSignal): Promise<void> {
    const link = await this.writer.connect();
    const due = this.replay.due();
    if (due.length > 0) {
      await this.writeChunks(link, due, signal, false);
      this.replay.replayed();
    }
    await this.writeChunks(link, frames, signal, true);
    this.replay.written(frames);
  }

  close(): Promise<void> {
    return this.writer.close(true);
  }

  private async writeChunks(link: StreamLink, frames: readonly Buffer[], signal: AbortSignal, throttled: boolean): Promise<void> {
    for (let start = 0; start < frames.length; start += CHUNK_FRAMES) {
      const chunk = frames.slice(start, start + CHUNK_FRAMES);
      if (throttled && this.options.throttle) await this.options.throttle(chunk.length, signal);
      if (signal.aborted) throw new ConnectionError(`${this.description}: aborted`);
      if (!link.alive) throw link.lostError();
      const written = link.writeConfirmed(Buffer.concat(chunk));
      // The callback of every write fires once the kernel has the bytes; waiting on the last one (and whenever the
      // socket pushes back) keeps memory bounded and lets a broken connection surface before the batch is reported
      // delivered.
      if (start + CHUNK_FRAMES >= frames.length || link.needsDrain) await written;
      else written.catch(() => undefined);
    }
  }
}
