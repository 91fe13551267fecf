import { type Logger, pino } from 'pino';

export type { Logger };

/**
 * Structured JSON logs on stderr (stdout stays for what a command prints), one logger per process with a child per
 * component. FORTIEMS_LOG_LEVEL selects the level (default info); `silent` for tests.
 */
export function createLogger(env: NodeJS.ProcessEnv = process.env): Logger {
  return pino({ level: env.FORTIEMS_LOG_LEVEL || 'info', base: { service: 'fortiems' } }, pino.destination({ fd: 2, sync: false }));
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
