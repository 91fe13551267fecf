import { startOfLocalDay } from './ems-time.js';
import type { Simulation } from './simulation.js';

const DAY = 86_400_000;
const INCIDENT_LEAD = 15 * 60_000;
const INCIDENT_TRIES = 8;

/** Where a `--count N` run that ends at `now` comes from. */
export interface CountWindow {
  /** Simulation start: a local midnight, so the office days are planned as on any other day. */
  start: number;
  /** Lines simulated between `start` and the first emitted line. */
  skip: number;
  /** Instant of the first emitted line; the run spans [first, last], last ≤ now. */
  first: number;
  /** Instant of the last emitted line (the last line the stream writes at or before now). */
  last: number;
  /** When the scenario's incident begins (undefined for office-day): inside the window. */
  incidentAt?: number;
  /** Dry passes it took (each simulates start..now without formatting a line). */
  passes: number;
}

/** Line instants of a dry pass from `start` up to and including `until`. */
function lineTimes(sim: Simulation, until: number): number[] {
  const times: number[] = [];
  const unsubscribe = sim.ems.onLine((line) => void times.push(line.time.getTime()));
  try {
    for (let next = sim.ems.scheduler.peek(); next !== undefined && next <= until; next = sim.ems.scheduler.peek()) sim.step();
  } finally {
    unsubscribe();
  }
  return times;
}

/**
 * The last `count` lines a seeded stream writes up to `now`. A simulation is not shift-invariant (office days are
 * anchored to local midnight, weekends differ, one random stream feeds everything), so "start = now − span" found by
 * shifting a start never lands exactly. Instead the stream starts at a local midnight `k` days back (the smallest `k`
 * found with at least `count` lines by now), and the lines before the last `count` are simulated and skipped: exact
 * by construction, at the price of dry passes that only step the clock (a fortnight takes ~0.1 s).
 * An incident scenario's incident is placed 15 minutes after the window's first line, re-counted until it stays inside.
 */
export function countWindow(
  make: (start: number, incidentAt?: number) => Simulation,
  count: number,
  now: number,
  timeZone: string,
  hasIncident: boolean,
): CountWindow {
  const midnight = startOfLocalDay(now, timeZone);
  let passes = 0;
  let days = 0;
  let times: number[];
  for (;;) {
    passes++;
    times = lineTimes(make(midnight - days * DAY), now);
    if (times.length >= count) break;
    // Extrapolate from the lines per day seen so far; at least one more day, at most double (a short first pass
    // after midnight says little about a whole day).
    const span = now - (midnight - days * DAY);
    const wanted = Math.ceil(((span * count) / Math.max(times.length, 1) - (now - midnight)) / DAY);
    days = Math.min(Math.max(wanted, days + 1), 2 * days + 2);
  }
  const start = midnight - days * DAY;
  const window = (lines: number[], incidentAt?: number): CountWindow => {
    const skip = lines.length - count;
    return {
      start,
      skip,
      first: lines[skip] as number,
      last: lines[lines.length - 1] as number,
      passes,
      ...(incidentAt !== undefined ? { incidentAt } : {}),
    };
  };
  if (!hasIncident) return window(times);
  // The incident adds lines, which moves the window's first line later; re-place it until it starts inside.
  let result = window(times);
  let incidentAt = result.first + INCIDENT_LEAD;
  for (let i = 0; i < INCIDENT_TRIES; i++) {
    passes++;
    const lines = lineTimes(make(start, incidentAt), now);
    if (lines.length < count) break;
    result = window(lines, incidentAt);
    if (result.first <= incidentAt) return result;
    incidentAt = result.first + INCIDENT_LEAD;
  }
  return { ...result, passes };
}
