/**
 * At most `maxActive` tasks at once, at most `maxWaiting` in line behind them. A cold cache and a batch of a
 * thousand distinct endpoints must not become a thousand simultaneous requests to EMS; and when the line is full,
 * the caller is told at once (and passes its event on un-enriched) rather than queueing without bound.
 */
export class ConcurrencyLimit {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly maxActive: number,
    private readonly maxWaiting: number,
  ) {}

  /** Runs `task` when a slot is free; undefined (and `task` never runs) when the line is full. */
  run<T>(task: () => Promise<T>): Promise<T> | undefined {
    if (this.active < this.maxActive) {
      this.active++;
      return this.execute(task);
    }
    if (this.waiting.length >= this.maxWaiting) return undefined;
    // The slot is handed over by the task that finishes (see execute), so no newcomer can take it in between.
    return new Promise<void>((resolve) => this.waiting.push(resolve)).then(() => this.execute(task));
  }

  private async execute<T>(task: () => Promise<T>): Promise<T> {
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }

  get activeCount(): number {
    return this.active;
  }

  get waitingCount(): number {
    return this.waiting.length;
  }
}
