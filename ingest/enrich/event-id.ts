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
 * Trade-offs:
 * - Two genuinely distinct events whose lines are byte for byte identical (same sender, same message, same second)
 *   collapse into one document. EMS writes second-resolution times and repeats some messages (keepalive bursts),
 *   so this can happen; counting such repeats exactly would need a sequence number the syslog line does not carry.
 * - The same message relayed through two different paths (different headers) is two documents: the id is a
 *   fingerprint of the bytes, not of the meaning.
 * SHA-256 rather than SHA-1 or MD5: with the one-shot `crypto.hash` (Node ≥ 20.12) it costs the same (~1 µs per
 * 300-byte line on this machine), and ids stay collision-free even for lines an attacker chooses.
 */

/** The id for a dataset and a raw line. */
export function eventIdOf(dataset: string, original: string): string {
  return hash('sha256', `${dataset}\n${original}`, 'base64url');
}

/**
 * Sets `event.id` on the document from its dataset and `event.original`, and returns it. Always computed, never
 * taken from the line: a vendor's "id" names a message type, not an occurrence. Without `event.original` no id is
 * set and undefined is returned (the sink then lets OpenSearch choose one).
 */
export function assignEventId(document: Record<string, unknown>, dataset: string): string | undefined {
  const event = document.event;
  if (typeof event !== 'object' || event === null) return undefined;
  const fields = event as Record<string, unknown>;
  if (typeof fields.original !== 'string') return undefined;
  const id = eventIdOf(dataset, fields.original);
  fields.id = id;
  return id;
}
