import { readFileSync } from 'node:fs';
import { sleep } from '../../platform/concurrency/sleep.js';

/** True while a process with this pid exists and (when /proc tells) is a Java process, so a recycled pid is not mistaken for ours. */
export function isOpenSearchAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('org.opensearch.bootstrap.OpenSearch') || cmdline.includes('bin/opensearch');
  } catch {
    return true; // no /proc (macOS): trust the signal check
  }
}

/** Signals the whole process group first (the node was started detached as its leader), then the pid alone. */
export function signalTree(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
    return;
  } catch {
    // not a group leader: fall through to the single process
  }
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

export async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 250): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await sleep(intervalMs);
  }
  return condition();
}
