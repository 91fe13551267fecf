/** EMS/syslog levels, most severe first; the index is the syslog severity number (RFC 5424). */
export const LEVELS = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'information', 'debug'] as const;
export type Level = (typeof LEVELS)[number];

const ALIASES: Record<string, Level> = {
  emerg: 'emergency',
  crit: 'critical',
  err: 'error',
  warn: 'warning',
  info: 'information', // FortiClient writes `info`
};

/** Accepts the EMS words, FortiClient's `info`, common syslog abbreviations and the numbers 0-7. */
export function normalizeLevel(value: string | number): Level | undefined {
  if (typeof value === 'number' || /^[0-7]$/.test(String(value))) return LEVELS[Number(value)];
  const word = String(value).trim().toLowerCase();
  if ((LEVELS as readonly string[]).includes(word)) return word as Level;
  return ALIASES[word];
}

export function severityOf(level: Level): number {
  return LEVELS.indexOf(level);
}

/** True when `level` is at least as severe as `minimum` (e.g. error passes a warning threshold). */
export function meetsMinimum(level: Level, minimum: Level): boolean {
  return severityOf(level) <= severityOf(minimum);
}
