import { hash, randomBytes } from 'node:crypto';

/**
 * Event identity. Every received line gets its id once, where it enters the pipeline (`Pipeline.deliver/submit`), and
 * keeps it: RawLine.id → `event.id` → the `_id` of the bulk record in the sink's spool. Retries and spool recovery
 * resend that record with that id, so OpenSearch stores it once; two genuinely identical lines are two receptions,
 * so two ids, so two documents.
 *
 * Generated ids are a random per-process nonce (12 bytes: 16 base64url characters) followed by a sequence number in
 * base 36: unique within a process by the sequence, across processes and restarts by the nonce (2^96), and cheap — a
 * string concatenation, no hash per line. They are 17 to 27 characters long.
 *
 * Ids a client controls (an HTTP `Idempotency-Key`, an element's own `"id"`) are SHA-256 hashes in base64url, 43
 * characters, of an input that names its kind: they can never equal a generated id (different lengths) nor one of
 * the other kind (different prefixes), whatever the client sends.
 */

const NONCE = randomBytes(12).toString('base64url');
let sequence = 0;

/** A fresh id for one received event; never returned twice, in this process or any other. */
export function receiveEventId(): string {
  return NONCE + (sequence++).toString(36);
}

/** The id of element `index` of an HTTP request that carries `Idempotency-Key: key`: the same on every resend. */
export function idempotentEventId(sourceId: string, key: string, index: number): string {
  return hash('sha256', `fortiems-idempotency-key\n${sourceId}\n${key}\n${index}`, 'base64url');
}

/**
 * The id of an element that names its own `"id"`. Not scoped to a source: the client's id names the event, however
 * it reaches us.
 */
export function clientEventId(clientId: string): string {
  return hash('sha256', `fortiems-client-id\n${clientId}`, 'base64url');
}

/** Sets `event.id` on a document (creating `event` when a document has none). */
export function setEventId(document: Record<string, unknown>, id: string): void {
  const event = document.event;
  if (typeof event === 'object' && event !== null) (event as Record<string, unknown>).id = id;
  else document.event = { id };
}
