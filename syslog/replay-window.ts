/**
 * What the receiver may have lost when a TCP/TLS connection breaks. A syslog receiver sends no acknowledgement, so a
 * write the kernel took (and the sink acked) can still die in the receiver's socket buffer when it stops. The frames
 * written during the last `windowMs` are kept here and written again, first thing, on the next connection: the
 * receiver sees duplicates of at most that window instead of losing it.
 */
export class ReplayWindow {
  private recent: { at: number; frame: Buffer }[] = [];
  private recentBytes = 0;
  private pending: Buffer[] = [];

  constructor(
    private readonly windowMs: number,
    /** A memory bound: older frames beyond it are forgotten first. */
    private readonly maxBytes: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Frames a connection has just written and drained. */
  written(frames: readonly Buffer[]): void {
    const at = this.now();
    for (const frame of frames) {
      this.recent.push({ at, frame });
      this.recentBytes += frame.length;
    }
    this.prune(at);
  }

  /** The connection is gone: what it wrote within the window is due again. */
  connectionLost(): void {
    this.prune(this.now());
    this.pending = this.pending.concat(this.recent.map((entry) => entry.frame));
    this.recent = [];
    this.recentBytes = 0;
  }

  /** What the next connection must write before anything new; cleared once `replayed()` confirms it was drained. */
  due(): readonly Buffer[] {
    return this.pending;
  }

  replayed(): void {
    this.written(this.pending);
    this.pending = [];
  }

  private prune(now: number): void {
    let drop = 0;
    while (
      drop < this.recent.length &&
      ((this.recent[drop] as { at: number }).at < now - this.windowMs || this.recentBytes > this.maxBytes)
    ) {
      this.recentBytes -= (this.recent[drop] as { frame: Buffer }).frame.length;
      drop++;
    }
    if (drop > 0) this.recent = this.recent.slice(drop);
  }
}
