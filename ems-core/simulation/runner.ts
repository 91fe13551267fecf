import { sleep } from '../../platform/concurrency/sleep.js';
import type { EmsLogLine } from '../../syslog/log-line.js';
import type { Simulation } from './simulation.js';

export interface RunOptions {
  /** Stop after this many emitted lines. */
  count?: number;
  /** Simulate and discard this many lines before the first emitted one (a count run that ends at "now"). */
  skip?: number;
  /** Stop when virtual time reaches this instant (a backfill ends at "now"). */
  until?: number;
  /** Stop after this much wall-clock time. */
  durationMs?: number;
  /** Pace output to at most this many lines per second (load tests). */
  rate?: number;
  /** Follow the wall clock: an action runs when its virtual instant arrives. */
  realtime?: boolean;
  signal?: AbortSignal;
  /** Wall clock, injectable for tests. */
  clock?: () => number;
}

export interface RunResult {
  lines: number;
  virtualStart: number;
  /** Instant of the first emitted line (undefined when none was). */
  first?: number;
  virtualEnd: number;
  wallMs: number;
  stoppedBy: 'count' | 'until' | 'duration' | 'signal' | 'exhausted';
}

const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Drives a simulation and hands each emitted line to `sink`, awaiting it when it pushes back (a slow socket).
 * Unpaced, virtual time runs as fast as the sink takes lines: a day of logs in seconds, with correct timestamps.
 */
export async function runSimulation(
  sim: Simulation,
  sink: (line: EmsLogLine) => void | Promise<void>,
  options: RunOptions = {},
): Promise<RunResult> {
  const clock = options.clock ?? Date.now;
  const wallStart = clock();
  const virtualStart = sim.ems.now;
  const pending: EmsLogLine[] = [];
  const unsubscribe = sim.ems.onLine((line) => pending.push(line));
  let lines = 0;
  let skipped = 0;
  let first: number | undefined;
  let stoppedBy = 'exhausted' as RunResult['stoppedBy'];
  /** Delivers what is pending; lines logged between steps (an admin API call) are delivered too. False once the count is reached. */
  const drain = async (): Promise<boolean> => {
    while (pending.length > 0) {
      const line = pending.shift() as EmsLogLine;
      if (options.skip !== undefined && skipped < options.skip) {
        skipped++;
        continue;
      }
      first ??= line.time.getTime();
      const pushedBack = sink(line);
      if (pushedBack) await pushedBack;
      lines++;
      if (options.count !== undefined && lines >= options.count) {
        stoppedBy = 'count';
        return false;
      }
      if (options.rate !== undefined) {
        const due = wallStart + (lines / options.rate) * 1000;
        const ahead = due - clock();
        if (ahead > 1) await sleep(ahead);
      } else if (lines % 512 === 0) {
        await yieldToIo();
      }
    }
    return true;
  };
  try {
    for (;;) {
      // Most actions log nothing (filtered keepalives): only pay for an await when there is something to deliver.
      if (pending.length > 0 && !(await drain())) break;
      if (options.signal?.aborted) {
        stoppedBy = 'signal';
        break;
      }
      if (options.durationMs !== undefined && clock() - wallStart >= options.durationMs) {
        stoppedBy = 'duration';
        break;
      }
      const next = sim.ems.scheduler.peek();
      if (next === undefined) break;
      if (options.until !== undefined && next > options.until) {
        stoppedBy = 'until';
        break;
      }
      if (options.realtime) {
        const wait = next - clock();
        sim.ems.scheduler.advanceTo(clock());
        if (wait > 0) {
          await sleep(Math.min(wait, 250));
          continue;
        }
      }
      sim.step();
    }
    // Lines logged on the way out (a stop signal after an API call) still go out, unless the count is reached.
    if (stoppedBy !== 'count') await drain();
  } finally {
    unsubscribe();
  }
  return {
    lines,
    virtualStart,
    ...(first !== undefined ? { first } : {}),
    virtualEnd: sim.ems.now,
    wallMs: clock() - wallStart,
    stoppedBy,
  };
}
