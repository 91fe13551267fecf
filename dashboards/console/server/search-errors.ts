import { errors } from '@opensearch-project/opensearch';
import type { ErrorAnswer } from '../api-types.js';

/** A search failure as the console answers it: 400 for the user's mistake (their Lucene), 502 for the cluster's. */
export interface SearchFailure {
  status: 400 | 502;
  answer: ErrorAnswer;
}

interface ErrorNode {
  type?: string;
  reason?: string;
  caused_by?: ErrorNode;
  root_cause?: ErrorNode[];
  failed_shards?: { reason?: ErrorNode }[];
}

const MAX_MESSAGE = 400;

// Lucene's parser appends a long "Was expecting one of: …" list: the first line says what is wrong and where.
const firstLine = (text: string) => (text.split('\n')[0] ?? '').trim();

function deepestCause(node: ErrorNode | undefined): string | undefined {
  let reason: string | undefined;
  for (let current = node; current; current = current.caused_by) if (current.reason) reason = current.reason;
  return reason;
}

/**
 * "Failed to parse query [host:(]: Cannot parse 'host:(': Encountered "<EOF>" at line 1, column 6." from OpenSearch's
 * nested error: the root cause says which query, the innermost cause of the first failed shard says why.
 */
export function readableSearchError(body: unknown): string {
  const error = (body as { error?: ErrorNode | string } | undefined)?.error;
  if (typeof error === 'string') return firstLine(error).slice(0, MAX_MESSAGE);
  const root = error?.root_cause?.[0]?.reason ?? error?.reason ?? 'OpenSearch refused the search';
  const cause = deepestCause(error?.failed_shards?.[0]?.reason) ?? deepestCause(error?.caused_by);
  const message = cause && cause !== root ? `${root}: ${firstLine(cause)}` : firstLine(root);
  return message.slice(0, MAX_MESSAGE);
}

export function classifySearchError(error: unknown): SearchFailure {
  if (error instanceof errors.ResponseError) {
    const status = error.statusCode ?? 500;
    if (status === 400) return { status: 400, answer: { error: 'invalid query', message: readableSearchError(error.body) } };
    return {
      status: 502,
      answer: { error: 'opensearch error', message: `OpenSearch answered ${status}: ${readableSearchError(error.body)}` },
    };
  }
  const detail = error instanceof Error ? error.message : String(error);
  return {
    status: 502,
    answer: { error: 'opensearch unavailable', message: `OpenSearch did not answer: ${detail}`.slice(0, MAX_MESSAGE) },
  };
}

/** Shards that failed while others answered (a 200 with partial data), one readable line each, without repeats. */
export function shardWarnings(body: { _shards?: { failures?: { reason?: ErrorNode }[] } }): string[] {
  const messages = (body._shards?.failures ?? []).map((failure) => {
    const reason = failure.reason;
    const cause = deepestCause(reason?.caused_by);
    return firstLine(cause && cause !== reason?.reason ? `${reason?.reason}: ${cause}` : (reason?.reason ?? 'a shard failed'));
  });
  return [...new Set(messages)];
}
