import type { ComponentTelemetry } from '../../../platform/telemetry/component-telemetry.js';
import type { PipelineIntake, RawLine } from '../../pipeline/raw-line.js';

// A few chunks in flight let parsing overlap the sinks' fsync without letting one request run far ahead of the pipeline.
const MAX_SUBMITS_IN_FLIGHT = 4;
// Long lines make big chunks: cap a chunk's characters too, so its memory stays bounded whatever the line length.
const MAX_CHUNK_CHARS = 1 << 20;

/**
 * Hands lines to the pipeline in chunks, a few in flight, and counts what it acknowledged. Only the unbroken run of
 * acknowledged chunks from the start counts as accepted: that is what a sender may safely skip when it resends.
 */
export class ChunkSubmitter {
  private batch: RawLine[] = [];
  private batchChars = 0;
  private readonly inFlight: Promise<number>[] = [];
  accepted = 0;
  /** A submit was refused (the pipeline is stopping): nothing more is submitted. */
  refused = false;

  constructor(
    private readonly intake: PipelineIntake,
    private readonly telemetry: ComponentTelemetry,
    private readonly chunkLines: number,
  ) {}

  async add(line: RawLine): Promise<void> {
    this.batch.push(line);
    this.batchChars += line.line.length;
    if (this.batch.length < this.chunkLines && this.batchChars < MAX_CHUNK_CHARS) return;
    this.flush();
    while (this.inFlight.length >= MAX_SUBMITS_IN_FLIGHT) await this.settleOldest();
  }

  flush(): void {
    if (this.batch.length === 0 || this.refused) return;
    const lines = this.batch;
    this.batch = [];
    this.batchChars = 0;
    let submitted: Promise<void>;
    try {
      submitted = this.intake.submit(lines);
    } catch {
      // Stopping: nothing entered, so nothing is received; the sender is told and resends.
      this.telemetry.error('submit', 'pipeline_stopping');
      this.inFlight.push(Promise.resolve(-1));
      return;
    }
    // In the pipeline from here on: counted now (the sinks account for every line that entered, even if a buffer fails).
    this.telemetry.received(lines.length, 0);
    // Settled into a number at once: a refusal must never surface as an unhandled rejection while it waits its turn.
    this.inFlight.push(
      submitted.then(
        () => lines.length,
        () => {
          this.telemetry.error('submit', 'buffer_write_failed');
          return -1;
        },
      ),
    );
  }

  private async settleOldest(): Promise<void> {
    const count = await (this.inFlight.shift() as Promise<number>);
    if (count < 0) this.refused = true;
    else if (!this.refused) this.accepted += count;
  }

  /** Waits for every chunk in flight; `flush` first submits the partial chunk. */
  async finish(flush: boolean): Promise<number> {
    if (flush) this.flush();
    while (this.inFlight.length > 0) await this.settleOldest();
    return this.accepted;
  }
}
