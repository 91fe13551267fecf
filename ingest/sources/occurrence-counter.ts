/**
 * Tells repeats of a byte-identical line apart within one stream (a TCP connection, one HTTP request, one UDP peer):
 * the first occurrence is 0, the next identical line among the last `window` lines is 1, and so on. The event id
 * includes it, so ten identical "login failed" lines in one second stay ten events, while replaying the same stream
 * (a file sent again, a request resent after a lost answer) yields the same ids and indexes nothing twice.
 *
 * Lines are remembered by a 32-bit FNV-1a hash, never by their text: a sender cannot make us hold its lines (at most
 * `window` numbers per stream). A collision only bumps a number, giving a distinct line a distinct, still
 * deterministic id; nothing merges.
 */
export class OccurrenceCounter {
  /** hash → how many times seen while in the window, and the slot of its latest copy. */
  private readonly counts = new Map<number, { count: number; lastSlot: number }>();
  private readonly recent: Float64Array;
  private filled = 0;
  private next = 0;

  constructor(private readonly window = 1024) {
    this.recent = new Float64Array(window);
  }

  /** How many times this line was seen among the last `window` lines of the stream. */
  occurrence(line: string): number {
    const slot = this.next;
    if (this.filled === this.window) {
      // The slot's old line leaves the window; forget it unless a later copy is still inside.
      const evicted = this.recent[slot] as number;
      if (this.counts.get(evicted)?.lastSlot === slot) this.counts.delete(evicted);
    } else this.filled++;
    const key = fnv1a(line);
    const entry = this.counts.get(key);
    const seen = entry ? entry.count : 0;
    if (entry) {
      entry.count++;
      entry.lastSlot = slot;
    } else this.counts.set(key, { count: 1, lastSlot: slot });
    this.recent[slot] = key;
    this.next = (slot + 1) % this.window;
    return seen;
  }

  /** Lines remembered (at most the window). */
  get size(): number {
    return this.counts.size;
  }
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
