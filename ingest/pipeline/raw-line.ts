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
}

/** Where a source delivers; a returned promise means "the pipeline is full: stop reading until it resolves". */
export type LineSink = (lines: RawLine[]) => undefined | Promise<void>;
