import type { ItemOutcome } from '../sink-driver.js';

/**
 * Reading a bulk answer, shared by the OpenSearch and Elasticsearch drivers. Every item is read: a 200 answer with
 * `errors: true` can hide per-item 429s (a full write queue) next to mapping errors, and the two need opposite
 * handling — wait and resend, or dead-letter at once.
 */
interface ItemError {
  type?: string;
  reason?: string;
  caused_by?: { type?: string; reason?: string };
}

interface BulkItem {
  status?: number;
  error?: ItemError | string;
}

const OK: ItemOutcome = { status: 'ok' };
const EXISTS: ItemOutcome = { status: 'exists' };

function describe(error: ItemError | string | undefined, status: number): { type: string; message: string } {
  if (typeof error === 'string') return { type: `http_${status}`, message: error };
  const type = error?.type ?? `http_${status}`;
  let message = error?.reason ? `${type}: ${error.reason}` : type;
  // mapper_parsing_exception's own reason names the field; its cause says what was wrong with the value.
  if (error?.caused_by?.reason) message += ` (${error.caused_by.type ?? 'caused by'}: ${error.caused_by.reason})`;
  return { type, message };
}

/** One item's outcome from its status: 2xx is delivered, 409 is an id already stored (the sink helper tells whose). */
export function classifyItem(status: number, error?: ItemError | string): ItemOutcome {
  if (status >= 200 && status < 300) return OK;
  if (status === 409) return EXISTS;
  const { type, message } = describe(error, status);
  if (status === 429) return { status: 'retry', errorClass: 'throttled', error: message };
  // A write block (flood-stage disk watermark, a read-only index) lifts once an operator acts: wait, don't dead-letter.
  if (type === 'cluster_block_exception') return { status: 'retry', errorClass: 'throttled', error: message };
  if (status >= 500 || status === 408) return { status: 'retry', errorClass: 'server_error', error: message };
  return { status: 'reject', errorType: type, error: message };
}

/** One outcome per sent record, in order. Items missing from a malformed answer are retried (bounded). */
export function bulkOutcomes(body: unknown, count: number): ItemOutcome[] {
  const items = (body as { items?: unknown } | null)?.items;
  const list = Array.isArray(items) ? (items as Record<string, BulkItem | undefined>[]) : [];
  const outcomes: ItemOutcome[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const entry = list[i];
    const item = entry ? Object.values(entry)[0] : undefined;
    outcomes[i] =
      typeof item?.status === 'number'
        ? classifyItem(item.status, item.error)
        : { status: 'retry', errorClass: 'invalid_response', error: `bulk answer has no status for item ${i} of ${count}` };
  }
  return outcomes;
}

/**
 * A whole-request failure: unreachable, timed out, or an HTTP error for the request itself. `status` is undefined
 * when no answer came.
 */
export class BulkRequestError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
  ) {
    super(message);
    this.name = 'BulkRequestError';
  }
}

/**
 * Whether the target as a whole is unavailable (retry without limit: the buffer holds the events) or refused this
 * request (a bounded retry, so one request the target can never take — too large, malformed — ends in the
 * dead-letter store instead of wedging the sink). Credentials and routing problems are the operator's to fix: wait.
 */
export function isUnavailable(status: number | undefined): boolean {
  return status === undefined || status === 401 || status === 403 || status === 404 || status === 408 || status === 429 || status >= 500;
}

interface ClientErrorShape {
  name?: string;
  message?: string;
  meta?: { statusCode?: number | null; body?: unknown };
}

/**
 * Either official client's error (both shape it the same: `meta.statusCode`, `meta.body.error`) as a
 * `BulkRequestError`, with the server's reason when it gave one.
 */
export function toBulkRequestError(error: unknown, what: string): BulkRequestError {
  if (error instanceof BulkRequestError) return error;
  const shape = (error ?? {}) as ClientErrorShape;
  const status = typeof shape.meta?.statusCode === 'number' && shape.meta.statusCode > 0 ? shape.meta.statusCode : undefined;
  const body = shape.meta?.body as { error?: ItemError | string } | undefined;
  const reason = body?.error !== undefined && status !== undefined ? describe(body.error, status).message : undefined;
  const detail = reason ?? `${shape.name ?? 'Error'}: ${shape.message ?? String(error)}`;
  return new BulkRequestError(`${what} failed${status !== undefined ? ` (HTTP ${status})` : ''}: ${detail}`, status);
}
