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
