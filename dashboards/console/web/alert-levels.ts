import type { AlertLevel } from '../../../mappings/opensearch/alerts.js';

// The browser cannot load mappings/ (only web/ is served), so the order is restated here; a Record over AlertLevel
// makes the compiler name any level added there and missing here.
const RANK: Record<AlertLevel, number> = { informational: 0, low: 1, medium: 2, high: 3, critical: 4 };

/** Sigma levels, lowest first (ALERT_LEVELS). */
export const ALERT_LEVELS = (Object.keys(RANK) as AlertLevel[]).sort((a, b) => RANK[a] - RANK[b]);

export function isAlertLevel(value: unknown): value is AlertLevel {
  return typeof value === 'string' && Object.hasOwn(RANK, value);
}
