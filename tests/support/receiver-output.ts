/** What the real syslog receivers in the tests share: is a port open yet, and the JSON lines they wrote so far. */
import { existsSync, readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export function readIfPresent(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

/** True once something accepts TCP connections on the loopback port. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

/**
 * The complete records of a JSON-lines file a receiver writes (none while the file does not exist). A receiver may be
 * caught mid-write, so only lines ended by a newline count: the partial last one is read at the next poll.
 */
export function readJsonLines<T>(path: string): T[] {
  const text = readIfPresent(path);
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  return complete === ''
    ? []
    : complete
        .slice(0, -1)
        .split('\n')
        .map((line) => JSON.parse(line) as T);
}

/** Polls the file until it holds `count` records or the time is up; returns what it holds then. */
export async function waitForJsonLines<T>(path: string, count: number, timeoutMs: number): Promise<T[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const records = readJsonLines<T>(path);
    if (records.length >= count || Date.now() > until) return records;
    await sleep(50);
  }
}
