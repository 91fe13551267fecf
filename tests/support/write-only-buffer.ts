import type { BufferRecord, EventBuffer, WriteResult } from '../../ingest/buffers/event-buffer.js';

/**
 * A sink buffer that hands each write to `onWrite` and is never read from (the sinks are not started): for tests and
 * benchmarks that look only at what the pipeline gives the sinks. `onWrite` must copy what it keeps: a buffer must not
 * hold the views it is given (their space may be reused once written).
 */
export class WriteOnlyBuffer implements EventBuffer {
  readonly durable = false;
  readonly firstOwnSeq = 0;
  /** Never read, so nothing is waited for: every write counts as settled. */
  readonly ackWatermark = 0;

  constructor(private readonly onWrite: (payloads: readonly Buffer[]) => void) {}

  async write(payloads: readonly Buffer[]): Promise<WriteResult> {
    this.onWrite(payloads);
    return { written: payloads.length, dropped: 0, end: 0 };
  }
  async read(): Promise<BufferRecord[]> {
    return [];
  }
  ack(): void {}
  depth() {
    return { events: 0, bytes: 0 };
  }
  async close(): Promise<void> {}
}
