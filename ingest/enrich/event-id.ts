import { hash } from 'node:crypto';

/**
 * A deterministic event id, so that indexing is idempotent: the OpenSearch sink uses it as `_id` with
 * `op_type: create`, and a batch retried after a timeout, a replayed file or a source that reconnects and resends
 * cannot index the same line twice.
 *
 * The id is the SHA-256 of `dataset + "\n" + event.original` (the raw line as received, syslog header included),
 * in base64url: 43 characters. The header matters: it holds the second the line was sent and the sender, which is
 * what tells two occurrences of one message apart.
 *
 * Two genuinely distinct events can have byte-identical lines (same sender, same message, same second: EMS writes
 * second-resolution times and repeats messages in bursts, e.g. failed logins). The sources count such repeats per
 * stream (`RawLine.occurrence`, see ingest/sources/occurrence-counter.ts) and the n-th repeat's id includes n, so
 * repeats stay distinct documents while a replay of the same stream still produces the same ids.
 *
 * Trade-offs:
 * - A repeat more than the counter's window (1024 lines) after its twin restarts at 0 and collapses into it.
 * - The same message relayed through two different paths (different headers) is two documents: the id is a
 *   fingerprint of the bytes, not of the meaning.
 * SHA-256 rather than SHA-1 or MD5: with the one-shot `crypto.hash` (Node ≥ 20.12) it costs the same (~1 µs per
 * 300-byte line on this machine), and ids stay collision-free even for lines an attacker chooses.
 */

/** The id for a dataset and a raw line (and, for the n-th repeat of that line in its stream, n). */
export function eventIdOf(dataset: string, original: string, occurrence = 0): string {
  // Occurrence 0 keeps the plain form: ids of lines that never repeat are the same as before repeats were counted.
  return hash('sha256', occurrence === 0 ? `${dataset}\n${original}` : `${dataset}\n${occurrence}\n${original}`, 'base64url');
}

/**
 * Sets `event.id` on the document from its dataset and `event.original`, and returns it. Always computed, never
 * taken from the line: a vendor's "id" names a message type, not an occurrence. Without `event.original` no id is
 * set and undefined is returned (the sink then lets OpenSearch choose one).
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
