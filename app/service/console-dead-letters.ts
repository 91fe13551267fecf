import type { DeadLetterAccess } from '../../dashboards/console/dead-letter-types.js';
import type { FortiemsConfig } from '../../ingest/config/types.js';
import { searchDeadLetters } from '../../ingest/dead-letters/search-dead-letters.js';
import type { OpenSearchTarget } from '../../platform/opensearch/target.js';

/**
 * The console's Dead letters view on `ingest/dead-letters/`: the first opensearch sink's dead-letter index, and its
 * replay through today's parse → enrich and that sink (as `fortiems dead-letter replay`). Undefined when the
 * configuration has no opensearch sink (the view's routes then answer 503).
 */
export function consoleDeadLetters(config: FortiemsConfig, target: OpenSearchTarget | undefined): DeadLetterAccess | undefined {
  if (!Object.values(config.sinks ?? {}).some((sink) => sink.type === 'opensearch')) return undefined;
  const letters = searchDeadLetters(config, { target });
  return {
    index: letters.store.index,
    async counts(selection, sampleSize) {
      const summary = await letters.store.summary(selection, sampleSize);
      return {
        total: summary.total,
        byReason: summary.byReason,
        byDataset: summary.byDataset,
        sample: summary.sample.map(({ id, timestamp, reason, message, dataset, original, targetIndex, replays }) => ({
          id,
          timestamp,
          reason,
          message,
          dataset,
          original,
          targetIndex,
          replays,
        })),
      };
    },
    replay: (selection) => letters.replay(selection),
    close: () => letters.close(),
  };
}
