import { setTimeout as sleep } from 'node:timers/promises';
import type { ParsedEvent } from '../../parsers/parse-line.js';
import type { EnrichStage } from '../enrich/enrich-stage.js';
import { enrichSafely } from '../pipeline/process-stage.js';
import { encodeBulkCreate } from '../sinks/search/bulk-encoding.js';
import type { ItemOutcome } from '../sinks/sink-driver.js';
import type { DeadLetterStore, StoredDeadLetter } from './dead-letter-store.js';
import type { DeadLetterFilter } from './filters.js';
import { type ReparseSettings, reparseLetter } from './reparse.js';

/** Sends bulk `create` pairs; one outcome per payload. Throwing means the whole request failed (retried, then left). */
export type BulkSender = (payloads: readonly Buffer[]) => Promise<ItemOutcome[]>;

/** What a replay needs of the store (`DeadLetterStore`; tests give a fake). */
export type ReplayStore = Pick<DeadLetterStore, 'page' | 'delete' | 'refusedAgain'>;

export interface ReplayOptions extends ReparseSettings {
  store: ReplayStore;
  send: BulkSender;
  /**
   * The ids among these that the destination holds already, in any backing index: a 409 only speaks for the write
   * index, so an event stored by a replay that crashed before its delete, with a rollover since, would be stored twice.
   */
  alreadyStored?: (ids: readonly string[]) => Promise<ReadonlySet<string>>;
  /** The pipeline's enrichment (GeoIP, endpoint context); without it the events are stored as parsed. */
  enrich?: EnrichStage | undefined;
  filter?: DeadLetterFilter;
  /** Letters per page and per bulk request (default 500). */
  batchSize?: number;
  /** Attempts for a request or item that failed for a passing reason (unavailable, 429, 5xx; default 4). */
  attempts?: number;
  /** First backoff between those attempts (default 500 ms, doubling). */
  backoffMs?: number;
  now?: () => Date;
}

/** What one replay did; `stillFailing` letters stay in the store. */
export interface ReplaySummary {
  /** Letters that matched the filter. */
  matched: number;
  /** Parsed again and sent (or found stored already). */
  replayed: number;
  /** Confirmed in the data stream (stored now, or found stored already: by id in any backing index, or 409). */
  stored: number;
  /** Refused again, or the target kept failing: left in place. */
  stillFailing: number;
  /** Not replayable (no line, or it parses into an error now): left in place. */
  unparsable: number;
  /** Letters deleted (each only after its event was confirmed stored). */
  deleted: number;
  /** A few of the letters left, with why (at most 20). */
  failures: { id: string; reason: string; message: string }[];
}

const MAX_FAILURES_LISTED = 20;

/**
 * Dead letters sent through the pipeline again: each letter's line parsed and enriched as the pipeline does, encoded
 * as the search sink encodes (bulk `create` with the event's own id), and deleted only once the target confirmed it
 * (2xx, or 409: an earlier replay stored it and crashed before the delete). A letter the target refuses again stays
 * with its new reason (`error.type`/`error.message` updated, `fortiems.dead_letter.replays` + 1); one the target could
 * not take for a passing reason (down, 429, 5xx after the attempts) stays unchanged; one that cannot be parsed again
 * stays unchanged. Idempotent: what was stored is gone from the store, and storing it again would be a 409.
 */
export async function replayDeadLetters(options: ReplayOptions): Promise<ReplaySummary> {
  const summary: ReplaySummary = { matched: 0, replayed: 0, stored: 0, stillFailing: 0, unparsable: 0, deleted: 0, failures: [] };
  const note = (id: string, reason: string, message: string) => {
    if (summary.failures.length < MAX_FAILURES_LISTED) summary.failures.push({ id, reason, message });
  };
  const size = options.batchSize ?? 500;
  const filter = options.filter ?? {};
  let after: unknown[] | undefined;
  for (;;) {
    const page = await options.store.page(filter, size, after);
    if (page.letters.length === 0) break;
    after = page.next;
    summary.matched += page.letters.length;

    const events: ParsedEvent[] = [];
    const letters: StoredDeadLetter[] = [];
    for (const letter of page.letters) {
      const reparsed = reparseLetter(letter, options);
      if ('failure' in reparsed) {
        summary.unparsable++;
        note(letter.id, 'reparse_failed', reparsed.failure);
        continue;
      }
      events.push(reparsed.event);
      letters.push(letter);
    }
    if (options.enrich) await enrichSafely(options.enrich, events);
    summary.replayed += events.length;

    const held = options.alreadyStored && letters.length > 0 ? await options.alreadyStored(letters.map((letter) => letter.id)) : new Set();
    const outcomes: ItemOutcome[] = letters.map(() => ({ status: 'exists' }));
    const toSend = letters.flatMap((letter, i) => (held.has(letter.id) ? [] : [i]));
    const answers = await sendWithRetries(
      toSend.map((i) => encodeBulkCreate(events[i] as ParsedEvent)),
      options,
    );
    toSend.forEach((i, k) => {
      outcomes[i] = answers[k] as ItemOutcome;
    });
    const stored: string[] = [];
    const refused: { letter: StoredDeadLetter; reason: string; message: string }[] = [];
    outcomes.forEach((outcome, i) => {
      const letter = letters[i] as StoredDeadLetter;
      if (outcome.status === 'ok' || outcome.status === 'exists') stored.push(letter.id);
      else if (outcome.status === 'reject') {
        refused.push({ letter, reason: outcome.errorType, message: outcome.error });
        note(letter.id, outcome.errorType, outcome.error);
      } else note(letter.id, outcome.errorClass, outcome.error);
    });
    summary.stored += stored.length;
    summary.stillFailing += letters.length - stored.length;
    summary.deleted += await options.store.delete(stored);
    await options.store.refusedAgain(refused, options.now?.() ?? new Date());
    if (page.letters.length < size) break;
  }
  return summary;
}

/** The payloads' outcomes, retrying the request (thrown) and the items (`retry`) a few times with a doubling wait. */
async function sendWithRetries(payloads: readonly Buffer[], options: ReplayOptions): Promise<ItemOutcome[]> {
  const outcomes: ItemOutcome[] = payloads.map(() => ({ status: 'retry', errorClass: 'not_sent', error: 'not sent' }));
  const attempts = options.attempts ?? 4;
  let pending = payloads.map((_, i) => i);
  let wait = options.backoffMs ?? 500;
  for (let attempt = 1; attempt <= attempts && pending.length > 0; attempt++) {
    if (attempt > 1) {
      await sleep(wait);
      wait *= 2;
    }
    let answer: ItemOutcome[];
    try {
      answer = await options.send(pending.map((i) => payloads[i] as Buffer));
    } catch (error) {
      const outcome: ItemOutcome = {
        status: 'retry',
        errorClass: 'unavailable',
        error: error instanceof Error ? error.message : String(error),
      };
      for (const i of pending) outcomes[i] = outcome;
      continue;
    }
    pending.forEach((i, k) => {
      outcomes[i] = answer[k] as ItemOutcome;
    });
    pending = pending.filter((i) => (outcomes[i] as ItemOutcome).status === 'retry');
  }
  return outcomes;
}
