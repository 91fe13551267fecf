import type { AlertLevel, AlertStatus } from '../../../mappings/opensearch/alerts.js';

// The browser cannot load mappings/ (only web/ is served), so the order is restated here; a Record over AlertLevel
// makes the compiler name any level added there and missing here.
const RANK: Record<AlertLevel, number> = { informational: 0, low: 1, medium: 2, high: 3, critical: 4 };

/** Sigma levels, lowest first (ALERT_LEVELS). */
export const ALERT_LEVELS = (Object.keys(RANK) as AlertLevel[]).sort((a, b) => RANK[a] - RANK[b]);

export function isAlertLevel(value: unknown): value is AlertLevel {
  return typeof value === 'string' && Object.hasOwn(RANK, value);
}

// ALERT_STATUSES restated for the same reason, in workflow order.
const STATUS_ORDER: Record<AlertStatus, number> = { open: 0, acknowledged: 1, closed: 2 };

export const ALERT_STATUSES = (Object.keys(STATUS_ORDER) as AlertStatus[]).sort((a, b) => STATUS_ORDER[a] - STATUS_ORDER[b]);

export function isAlertStatus(value: unknown): value is AlertStatus {
  return typeof value === 'string' && Object.hasOwn(STATUS_ORDER, value);
}
