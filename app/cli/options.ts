import { InvalidArgumentError } from 'commander';

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('a port is a whole number from 0 to 65535 (0: any free port)');
  return port;
}

export function parseHeap(value: string): string {
  if (!/^\d+[mg]$/i.test(value)) throw new InvalidArgumentError('heap looks like 512m or 2g');
  return value;
}

export const stdoutLog = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
export const stderrLog = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "500ms", "60s", "5m", "24h", "2d" → milliseconds. */
export function parseDuration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('a duration looks like 500ms, 60s, 5m, 24h or 2d');
  return Number(match[1]) * (DURATION_UNITS[match[2] as string] as number);
}

export function parsePositiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError('a whole number of 1 or more');
  return number;
}

export function parsePositiveNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError('a number above 0');
  return number;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
