/**
 * Exponential reconnect delays with jitter: initial, 2×, 4×… capped at max, each scaled by a random factor in [0.5, 1) so
 * many emitters that lost the same receiver do not reconnect in lockstep.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {
    if (!(initialMs > 0) || !(maxMs >= initialMs)) throw new Error(`bad backoff bounds: initial ${initialMs} ms, max ${maxMs} ms`);
  }

  nextDelayMs(): number {
    // Cap the exponent so the intermediate value stays finite however long the receiver is away.
    const ceiling = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt += 1;
    return Math.round(ceiling * (0.5 + this.random() * 0.5));
  }

  reset(): void {
    this.attempt = 0;
  }
}
