import { hash } from 'node:crypto';

/**
 * Content ids, for tools that index events themselves and need the same id on every run: `fortiems rules test`
 * (detections/runtime/rule-samples.ts) and test fixtures. The pipeline does not use them: it identifies an event by its
 * reception (ingest/pipeline/event-ids.ts), because identical lines are often distinct events (repeated failed logins).
 *
 * The id is the SHA-256 of `dataset + "\n" + event.original`, in base64url (43 characters); the n-th repeat of a line
 * in the caller's input adds n, so repeats stay distinct while a second run gives the same ids.
 */

/** The id for a dataset and a raw line (and, for the n-th repeat of that line in its stream, n). */
export function eventIdOf(dataset: string, original: string, occurrence = 0): string {
  // Occurrence 0 keeps the plain form: ids of lines that never repeat are the same as before repeats were counted.
  return hash('sha256', occurrence === 0 ? `${dataset}\n${original}` : `${dataset}\n${occurrence}\n${original}`, 'base64url');
}

/**
 * Content ids over a stream, numbering repeats: the n-th copy of (dataset, line) gets `eventIdOf(dataset, line, n)`.
 * What `fortiems rules test` and `replay --dedupe` share. Memory grows with the distinct lines: one 16-character key
 * each (a prefix of the plain id; a collision, 2^-96, only numbers two distinct lines as repeats of each other, which
 * still gives each a distinct id, the same on every run).
 */
export class ContentIds {
  private readonly seen = new Map<string, number>();

  /** How many copies of this (dataset, line) came before it; counts this one. */
  occurrence(dataset: string, original: string, plainId = eventIdOf(dataset, original)): number {
    const key = plainId.slice(0, 16);
    const occurrence = this.seen.get(key) ?? 0;
    this.seen.set(key, occurrence + 1);
    return occurrence;
  }

  next(dataset: string, original: string): string {
    const plainId = eventIdOf(dataset, original);
    const occurrence = this.occurrence(dataset, original, plainId);
    return occurrence === 0 ? plainId : eventIdOf(dataset, original, occurrence);
  }
}

/**
 * Sets `event.id` on the document from its dataset and `event.original`, and returns it. Always computed, never
 * taken from the line: a vendor's "id" names a message type, not an occurrence. Without `event.original` no id is
 * set and undefined is returned.
 */
export function assignEventId(document: Record<string, unknown>, dataset: string, occurrence = 0): string | undefined {
  const event = document.event;
  if (typeof event !== 'object' || event === null) return undefined;
  const fields = event as Record<string, unknown>;
  if (typeof fields.original !== 'string') return undefined;
  const id = eventIdOf(dataset, fields.original, occurrence);
  fields.id = id;
  return id;
}
