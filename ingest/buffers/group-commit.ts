import { errorMessage } from './error-message.js';
import type { FrameChunk, SegmentWriter } from './segment-writer.js';

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * The group commit: everything that queued up while the previous write + fdatasync ran goes in the next one, so the
 * fsync rate follows the disk, not the record rate. The first failure is for good: every later commit fails with it.
 */
export class GroupCommit {
  /** Commits made: each one write + fdatasync for every chunk that joined it. */
  commits = 0;
  failure: Error | undefined;
  private pending: FrameChunk[] = [];
  private group: Deferred | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly writer: SegmentWriter,
    private readonly dir: string,
    /** The chunks are durable, in the order they were added. */
    private readonly committed: (chunks: readonly FrameChunk[]) => void,
    /** A commit failed: `failure` is set, and these chunks are not durable (nor will they be served). */
    private readonly failed: (chunks: readonly FrameChunk[]) => void,
  ) {}

  /** Queues a chunk for the next commit; resolves once it is durable. */
  add(chunk: FrameChunk): Promise<void> {
    this.pending.push(chunk);
    this.group ??= deferred();
    this.flushing ??= this.flushLoop();
    return this.group.promise;
  }

  /** The commits running now, until nothing is queued any more. */
  get inProgress(): Promise<void> | undefined {
    return this.flushing;
  }

  private async flushLoop(): Promise<void> {
    // Starts at once rather than on a timer or the next event-loop turn: the first commit goes out while the other
    // writers are still encoding, so CPU work overlaps the fsync instead of alternating with it.
    await Promise.resolve();
    while (this.pending.length > 0) {
      const chunks = this.pending;
      const group = this.group as Deferred;
      this.pending = [];
      this.group = undefined;
      try {
        if (this.failure) throw this.failure;
        await this.writer.append(chunks);
        this.commits++;
        this.committed(chunks);
        group.resolve();
      } catch (error) {
        // After a failed write or fsync the file's state is unknown: take no more records, keep serving the durable ones.
        this.failure ??= new Error(`disk spool ${this.dir}: writing failed, the spool takes no more records: ${errorMessage(error)}`, {
          cause: error,
        });
        group.reject(this.failure);
        this.failed(chunks);
      }
    }
    this.flushing = undefined;
  }
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A writer may give up (closed while blocked) before awaiting its commit: its failure must not go unhandled.
  promise.catch(() => {});
  return { promise, resolve, reject };
}
