import { openDestination } from '../../syslog/index.js';

/**
 * Sends messages through the EMS core's own emitter (octet counting on TCP and TLS), honouring its backpressure; fails
 * unless every line went out. Benchmarks pass a deeper queue and a longer close for millions of lines.
 */
export async function sendLines(
  url: string,
  lines: readonly string[],
  options: { maxQueuedMessages?: number; closeTimeoutMs?: number } = {},
): Promise<void> {
  const destination = openDestination(url, {
    maxQueuedMessages: options.maxQueuedMessages ?? 50_000,
    closeTimeoutMs: options.closeTimeoutMs ?? 60_000,
  });
  for (const line of lines) {
    const pushedBack = destination.write(line);
    if (pushedBack) await pushedBack;
  }
  await destination.close();
  const stats = destination.stats();
  if (stats.dropped > 0 || stats.sent !== lines.length)
    throw new Error(`${url}: sent ${stats.sent} of ${lines.length}, dropped ${stats.dropped}`);
}
