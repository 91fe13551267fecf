import { ContentIds } from '../../ingest/enrich/event-id.js';

/** What `replay --dedupe` ids are computed under: the line's dataset is unknown before the pipeline parses it. */
export const REPLAY_DATASET = 'replay';

/**
 * `replay --dedupe`: an id per line from its content and its occurrence number in the input (the n-th identical line
 * gets n), so replaying the same file again yields the same ids and the destination stores nothing twice, while
 * identical lines within the file stay distinct events. The content ids of ingest/enrich/event-id.ts.
 */
export class DedupeIds {
  private readonly ids = new ContentIds();

  next(line: string): string {
    return this.ids.next(REPLAY_DATASET, line);
  }
}
