/** What a source hands the pipeline: one received message, before parsing, with what the receiver knows about it. */
export interface RawLine {
  line: string;
  receivedAt: number;
  /** The source component's id (for metrics and per-source settings). */
  sourceId: string;
  /** Zone of zone-less times from this source. */
  zone: string;
  /** Set when framing failed: the pipeline turns it into a pipeline_error event carrying `line`. */
  framingError?: string;
  /**
   * The event's id (`event.id`, the sink's `_id`). Sources leave it unset and the pipeline gives each line a fresh one
   * as it enters (event-ids.ts); the HTTP source sets a deterministic one when the client asks for exactly-once.
   */
  id?: string;
}

/** The lines' characters (bytes for ASCII): what the queue's byte bound and the parse stage's byte counts weigh. */
export function lineBytes(lines: readonly RawLine[]): number {
  let bytes = 0;
  for (const raw of lines) bytes += raw.line.length;
  return bytes;
}

/** What `submit` waits for. */
export interface SubmitOptions {
  /** `buffered` (the default): in every sink's buffer; `delivered`: a final fate in every sink (end-to-end). */
  until?: 'buffered' | 'delivered';
  /** Called once the events are in every sink's buffer (with `delivered`, before the promise resolves). */
  onBuffered?: () => void;
}

/** Where a source delivers; a returned promise means "the pipeline is full: stop reading until it resolves". */
export type LineSink = (lines: RawLine[]) => undefined | Promise<void>;

/**
 * The pipeline's door, as sources see it. Streaming sources (TCP, TLS) `deliver` and pause while it pushes back;
 * sources that acknowledge their sender (HTTP) `submit` and answer only once it resolves.
 */
export interface PipelineIntake {
  deliver: LineSink;
  /**
   * Resolves once the lines' events are in every sink's buffer (for disk buffers: fsynced), so an acknowledgement sent
   * afterwards survives a crash; with `until: 'delivered'`, once they have a final fate in every sink (sent,
   * deduplicated, dead-lettered, or discarded by a policy). Throws (synchronously) when the pipeline is stopping:
   * nothing entered. Once it returns, the lines are in the pipeline and their fate is accounted by the sinks, so a
   * source counts them as received at once, not when the promise settles (counting late made
   * `fortiems_unaccounted_events` dip below 0 while chunks were in flight). Rejects when a buffer cannot write, or
   * (delivered) a sink stopped with them undelivered in a memory buffer.
   */
  submit(lines: RawLine[], options?: SubmitOptions): Promise<void>;
  /** True when the pipeline cannot take more right now: HTTP answers 429, UDP drops and counts. */
  isFull(): boolean;
}
