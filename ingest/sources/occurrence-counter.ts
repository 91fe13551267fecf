/**
 * Tells repeats of a byte-identical line apart within one stream (a TCP connection, one HTTP request, one UDP peer):
 * the first occurrence is 0, the next identical line among the last `window` lines is 1, and so on. The event id
 * includes it, so ten identical "login failed" lines in one second stay ten events, while replaying the same stream
 * (a file sent again, a request resent after a lost answer) yields the same ids and indexes nothing twice.
 */
export class OccurrenceCounter {
  private readonly counts = new Map<string, number>();
  private readonly recent: (string | undefined)[];
  private next = 0;

  constructor(private readonly window = 1024) {
    this.recent = new Array(window);
  }

  /** How many times this line was seen among the last `window` lines of the stream. */
  occurrence(line: string): number {
    const seen = this.counts.get(line) ?? 0;
    const evicted = this.recent[this.next];
    if (evicted !== undefined) {
      const left = (this.counts.get(evicted) as number) - 1;
      if (left === 0) this.counts.delete(evicted);
      else this.counts.set(evicted, left);
    }
    this.recent[this.next] = line;
    this.next = (this.next + 1) % this.window;
    this.counts.set(line, seen + 1);
    return seen;
  }
}
