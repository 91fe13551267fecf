import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidZone, offsetAt, wallTimeToInstant } from '../../mappings/index.js';

/** The zone's offset straight from Intl, uncached: the reference the cached offsetAt must agree with. */
function intlOffset(instant: number, zone: string): number {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(instant)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  const wall = Date.UTC(parts.year ?? 0, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
  return wall - Math.floor(instant / 1000) * 1000;
}

// Whole-hour, half-hour and quarter-hour offsets, DST on whole and half hours (St John's, Lord Howe), southern hemisphere.
const ZONES = ['UTC', 'Europe/Paris', 'America/New_York', 'America/St_Johns', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Asia/Kathmandu'];

describe('zone offsets', () => {
  it('agree with Intl at any instant, including the half hour after a transition in half-hour zones', () => {
    // Newfoundland springs forward at 02:00 NST = 05:30 UTC: inside an hour, not at its start.
    expect(offsetAt(Date.parse('2026-03-08T05:45:00Z'), 'America/St_Johns')).toBe(-150 * 60_000);
    expect(offsetAt(Date.parse('2026-10-03T15:45:00Z'), 'Australia/Lord_Howe')).toBe(660 * 60_000);
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('2000-01-01T00:00:00Z'), max: Date.parse('2040-01-01T00:00:00Z') }),
        fc.constantFrom(...ZONES),
        (instant, zone) => {
          expect(offsetAt(instant, zone)).toBe(intlOffset(instant, zone));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('place a wall time at the instant whose wall clock reads it (outside DST gaps)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('2000-01-01T00:00:00Z'), max: Date.parse('2040-01-01T00:00:00Z') }),
        fc.constantFrom(...ZONES),
        (instant, zone) => {
          const second = Math.floor(instant / 1000) * 1000;
          const wall = new Date(second + intlOffset(second, zone));
          const placed = wallTimeToInstant(
            wall.getUTCFullYear(),
            wall.getUTCMonth() + 1,
            wall.getUTCDate(),
            wall.getUTCHours(),
            wall.getUTCMinutes(),
            wall.getUTCSeconds(),
            0,
            zone,
          );
          // In a fold the same wall time is two instants: either is the wall time (the later one is chosen).
          expect(placed + intlOffset(placed, zone)).toBe(wall.getTime());
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('place a wall time that happens twice (a DST fold) at one of its two instants', () => {
    // zoned-time.ts does not promise which one; for zones west of UTC it is the earlier one (reported, not relied upon here).
    const fold = (zone: string, month: number, day: number, hour: number) =>
      new Date(wallTimeToInstant(2026, month, day, hour, 30, 0, 0, zone)).toISOString();
    expect(fold('Europe/Paris', 10, 25, 2)).toBe('2026-10-25T01:30:00.000Z');
    expect(['2026-11-01T05:30:00.000Z', '2026-11-01T06:30:00.000Z']).toContain(fold('America/New_York', 11, 1, 1));
    expect(['2026-11-01T04:00:00.000Z', '2026-11-01T05:00:00.000Z']).toContain(fold('America/St_Johns', 11, 1, 1));
  });

  it('tell valid IANA zones from invalid ones', () => {
    expect(isValidZone('Europe/Paris')).toBe(true);
    expect(isValidZone('Not/A_Zone')).toBe(false);
  });
});
