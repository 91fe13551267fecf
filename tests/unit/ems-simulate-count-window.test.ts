import { describe, expect, it } from 'vitest';
import { prepareSimulation } from '../../app/cli/ems-command.js';
import { runSimulation } from '../../ems-core/simulation/runner.js';
import type { ScenarioName } from '../../ems-core/simulation/scenarios.js';

const base = { seed: 1, scenario: 'office-day' as ScenarioName, endpoints: 250, timezone: 'UTC' };

/** Runs `fortiems ems simulate` as the command does, with the command's start instant injected. */
async function simulate(options: Parameters<typeof prepareSimulation>[0], now: number) {
  const { sim, run, window } = prepareSimulation(options, now);
  const times: number[] = [];
  const keys: string[] = [];
  const result = await runSimulation(
    sim,
    (line) => {
      times.push(line.time.getTime());
      keys.push(`${line.category} ${JSON.stringify(line.record)}`);
    },
    { ...run, clock: () => now },
  );
  return { sim, times, keys, result, window };
}

describe('ems simulate --count without --start ends at the command start', () => {
  // A Tuesday afternoon and a Saturday just after midnight (sparse lines, a weekend behind).
  for (const iso of ['2026-12-08T14:13:27Z', '2026-12-05T00:40:00Z']) {
    it(`--count 20000 at ${iso}: every line at or before now, the last one the stream writes by now`, async () => {
      const now = Date.parse(iso);
      const { sim, times, result, window } = await simulate({ ...base, count: 20_000 }, now);
      expect(times).toHaveLength(20_000);
      expect(result.stoppedBy).toBe('count');
      expect(Math.max(...times)).toBeLessThanOrEqual(now);
      // The stream's own gap before now: the run ends on the last line it writes at or before now.
      expect(window?.last).toBe(times.at(-1));
      expect(now - (times.at(-1) as number)).toBeLessThan(30 * 60_000);
      expect((await runSimulation(sim, () => {}, { until: now })).lines).toBe(0);
      // It starts where it needs to: now − span, with the span the lines take.
      expect(times[0]).toBe(window?.first);
      expect(result.first).toBe(times[0]);
      expect(now - (times[0] as number)).toBeGreaterThan(7 * 86_400_000);
      for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1] as number);
    });
  }

  it('the same seed and the same instant print the same lines; another seed others', async () => {
    const now = Date.parse('2026-12-08T14:13:27Z');
    const first = await simulate({ ...base, count: 3000 }, now);
    const second = await simulate({ ...base, count: 3000 }, now);
    expect(second.keys).toEqual(first.keys);
    const other = await simulate({ ...base, seed: 2, count: 3000 }, now);
    expect(other.keys).not.toEqual(first.keys);
  });

  it('an incident scenario keeps its incident inside the window', async () => {
    const now = Date.parse('2026-12-08T14:13:27Z');
    const { times, window } = await simulate({ ...base, scenario: 'admin-brute-force', count: 3000 }, now);
    expect(times).toHaveLength(3000);
    expect(Math.max(...times)).toBeLessThanOrEqual(now);
    expect(window?.incidentAt).toBeGreaterThanOrEqual(times[0] as number);
    expect(window?.incidentAt).toBeLessThanOrEqual(now);
  });

  it('--start still starts where asked, even when the lines run past now', async () => {
    const now = Date.parse('2026-12-08T14:13:27Z');
    const start = Date.parse('2026-12-08T07:00:00Z');
    const { times, window } = await simulate({ ...base, count: 5000, start }, now);
    expect(window).toBeUndefined();
    expect(times).toHaveLength(5000);
    expect(times[0]).toBeGreaterThanOrEqual(start);
    expect(times[0]).toBeLessThan(start + 3_600_000);
    expect(Math.max(...times)).toBeGreaterThan(now);
  });
});
