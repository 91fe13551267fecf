import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../ingest/config/load-config.js';
import { expiredIndices, isFortiemsStream, type StreamIndices } from '../../ingest/sinks/search/retention/retention-plan.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

/** A stream whose index i was created on day `created[i]` and rolled over on day `rolled[i]` (undefined: unknown). */
function stream(name: string, created: number[], rolled: (number | undefined)[] = []): StreamIndices {
  return {
    name,
    indices: created.map((day, i) => {
      const rolledDay = rolled[i];
      return {
        name: `.ds-${name}-00000${i + 1}`,
        createdAt: T0 + day * DAY,
        ...(rolledDay !== undefined ? { rolledOverAt: T0 + rolledDay * DAY } : {}),
      };
    }),
  };
}

describe('retention: which backing indices are deleted', () => {
  it('deletes those rolled over at least the retention ago, and never the write index, however old', () => {
    const s = stream('logs-fortiems.client-default', [0, 1, 2, 3], [1, 2, 3]);
    // Day 32: index 1 rolled over on day 1 (31 days ago), index 2 on day 2 (30 days: reached), index 3 on day 3 (29).
    const expired = expiredIndices([s], T0 + 32 * DAY, 30);
    expect(expired.map((e) => e.index)).toEqual(['.ds-logs-fortiems.client-default-000001', '.ds-logs-fortiems.client-default-000002']);
    expect(expired.map((e) => [e.basis, e.ageDays])).toEqual([
      ['rollover', 31],
      ['rollover', 30],
    ]);
    // A year on, every read-only index goes; the write index (created on day 3) stays.
    const later = expiredIndices([s], T0 + 400 * DAY, 30).map((e) => e.index);
    expect(later).toHaveLength(3);
    expect(later).not.toContain('.ds-logs-fortiems.client-default-000004');
  });

  it('a stream with only its write index loses nothing, even when that index is years old', () => {
    expect(expiredIndices([stream('logs-fortiems.client-default', [0])], T0 + 3000 * DAY, 1)).toEqual([]);
    expect(expiredIndices([{ name: 'logs-fortiems.client-default', indices: [] }], T0, 1)).toEqual([]);
  });

  it('ages by the rollover, not the creation: an index created long before its rollover is kept the full retention', () => {
    // Created on day 0, written to until its rollover on day 20: at day 35 its newest events are 15 days old.
    const s = stream('logs-fortiems.client-default', [0, 20], [20]);
    expect(expiredIndices([s], T0 + 35 * DAY, 30)).toEqual([]);
    expect(expiredIndices([s], T0 + 50 * DAY, 30).map((e) => e.index)).toEqual(['.ds-logs-fortiems.client-default-000001']);
  });

  it('without rollover times, the next index creation stands for the rollover', () => {
    const s = stream('logs-fortiems.client-default', [0, 20, 25]);
    const expired = expiredIndices([s], T0 + 52 * DAY, 30);
    expect(expired.map((e) => [e.index, e.basis, e.ageDays])).toEqual([
      ['.ds-logs-fortiems.client-default-000001', 'next-index-created', 32],
    ]);
  });

  it('judges each stream on its own', () => {
    const a = stream('logs-fortiems.client-default', [0, 1], [1]);
    const b = stream('logs-fortiems.endpoint-default', [40, 41], [41]);
    expect(expiredIndices([a, b], T0 + 45 * DAY, 30).map((e) => e.stream)).toEqual(['logs-fortiems.client-default']);
  });
});

describe('retention: whose streams', () => {
  it('takes the fortiems streams of exactly its namespace', () => {
    expect(isFortiemsStream('logs-fortiems.client-default', 'default')).toBe(true);
    expect(isFortiemsStream('logs-fortiems.forticlient-default', 'default')).toBe(true);
    expect(isFortiemsStream('logs-fortiems.client-prod', 'default')).toBe(false);
    expect(isFortiemsStream('logs-fortiems.client-x-default', 'default')).toBe(false);
    expect(isFortiemsStream('logs-nginx.access-default', 'default')).toBe(false);
    expect(isFortiemsStream('logs-fortiems.-default', 'default')).toBe(false);
  });
});

describe('retention: configuration', () => {
  const problemsOf = (text: string) => {
    try {
      parseConfig(text, 'test.yaml', {});
    } catch (error) {
      if (error instanceof ConfigError) return error.problems.map((problem) => problem.path);
      throw error;
    }
    return [];
  };

  it('takes a retention section with its defaults (auto: only where ISM is missing), and refuses bad values', () => {
    const config = parseConfig('sinks: { os: { type: opensearch } }\nretention: { days: 7 }\n', 'test.yaml', {});
    expect(config.retention).toEqual({
      mode: 'auto',
      days: 7,
      interval_seconds: 600,
      rollover_max_age: '1d',
      rollover_max_size: '25gb',
      lease_seconds: 300,
    });
    expect(problemsOf('sinks: { os: { type: opensearch } }\nretention: { mode: sometimes }\n')).toEqual(['retention.mode']);
    expect(problemsOf('sinks: { os: { type: opensearch } }\nretention: { days: 0 }\n')).toEqual(['retention.days']);
    expect(problemsOf('sinks: { os: { type: opensearch } }\nretention: { rollover_max_size: 25 }\n')).toEqual([
      'retention.rollover_max_size',
    ]);
    expect(problemsOf('sinks: { os: { type: opensearch } }\nretention: { rollover_max_age: 1w }\n')).toEqual([
      'retention.rollover_max_age',
    ]);
  });
});
