/**
 * An alert output's `min_level`, on `fortiems.alert.level` in ALERT_LEVELS order. It is written as a forward filter
 * query (`fortiems.alert.level:high OR fortiems.alert.level:critical`) so that a syslog output gets it through the
 * syslog sink's own `filter.query` and a webhook through the same compiled predicate: one definition, and the sink
 * helper counts what it leaves out as `discarded{reason="filtered"}` for both.
 */

import { compileForwardFilter, type ForwardFilter } from '../../../ingest/forward/filter.js';
import { ALERT_LEVELS, type AlertLevel } from '../../../mappings/index.js';

/** The query that passes `minimum` and every more severe level; undefined when every level passes. */
export function alertLevelQuery(minimum: AlertLevel | undefined): string | undefined {
  if (minimum === undefined) return undefined;
  const from = ALERT_LEVELS.indexOf(minimum);
  if (from < 0) throw new Error(`alert output: unknown min_level '${String(minimum)}' (one of ${ALERT_LEVELS.join(', ')})`);
  if (from === 0) return undefined;
  return ALERT_LEVELS.slice(from)
    .map((level) => `fortiems.alert.level:${level}`)
    .join(' OR ');
}

export function alertLevelFilter(minimum: AlertLevel | undefined): ForwardFilter | undefined {
  const query = alertLevelQuery(minimum);
  return query === undefined ? undefined : compileForwardFilter({ query });
}
