import type { Client } from '@opensearch-project/opensearch';
import type { FastifyReply } from 'fastify';
import { classifySearchError, shardWarnings } from './search-errors.js';
import type { SearchAnswer } from './shape-results.js';

export type Search = (body: Record<string, unknown>) => Promise<SearchAnswer & { _shards?: { failures?: never[] } }>;

/**
 * `_search` over the console's index pattern. A pattern that matches nothing yet (no event indexed) is an empty
 * answer, not an error: a fresh installation shows empty boards.
 */
export function searchOver(client: Client, indexPattern: string): Search {
  return async (body) => {
    const response = await client.search({ index: indexPattern, body, ignore_unavailable: true, allow_no_indices: true });
    return response.body as SearchAnswer;
  };
}

/** Runs a search for a route: the answer and its partial-failure warnings, or the error already sent (undefined). */
export async function searchOrReply(
  search: Search,
  body: Record<string, unknown>,
  reply: FastifyReply,
): Promise<{ answer: SearchAnswer; warnings: string[] } | undefined> {
  try {
    const answer = await search(body);
    return { answer, warnings: shardWarnings(answer) };
  } catch (error) {
    const failure = classifySearchError(error);
    if (failure.status === 502) reply.log.warn({ err: error }, 'console search failed');
    await reply.code(failure.status).send(failure.answer);
    return undefined;
  }
}
