import { hash } from 'node:crypto';

/**
 * `replay --dedupe`: an id per line from its content and its occurrence number in the input (the n-th identical line
 * gets n), so replaying the same file again yields the same ids and the destination stores nothing twice, while
 * identical lines within the file stay distinct events.
 *
 * Memory grows with the distinct lines of the input: one 16-character key each (about 100 bytes with the map's
 * overhead). Keys are a prefix of the line's SHA-256: a collision (2^-96) only numbers two distinct lines as repeats
 * of one another, which still gives each a distinct id, the same on every run.
 */
export class DedupeIds {
  private readonly seen = new Map<string, number>();

  next(line: string): string {
    const digest = hash('sha256', line, 'base64url');
    const key = digest.slice(0, 16);
    const occurrence = this.seen.get(key) ?? 0;
    this.seen.set(key, occurrence + 1);
    return occurrence === 0 ? digest : `${digest}.${occurrence}`;
  }
}
