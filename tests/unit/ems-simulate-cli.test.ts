import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CATEGORY_NAMES, isCategoryName, typedRecordFromStrings, validateRecord } from '../../mappings/index.js';
import { parseKeyValue } from '../../parsers/key-value.js';
import { parseSyslogHeader } from '../../parsers/syslog-header.js';

const cli = new URL('../../bin/fortiems.js', import.meta.url).pathname;
const run = promisify(execFile);
const simulate = async (...args: string[]) =>
  (await run(process.execPath, [cli, 'ems', 'simulate', ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })).stdout;

/** Every line must be a syslog message whose tag is a category and whose body validates against the catalogue. */
function checkLines(output: string): Set<string> {
  const categories = new Set<string>();
  const lines = output.trimEnd().split('\n');
  for (const line of lines) {
    const header = parseSyslogHeader(line, { receivedAt: Date.now(), zone: 'UTC' });
    const tag = header.appName ?? '';
    expect(isCategoryName(tag), line).toBe(true);
    if (!isCategoryName(tag)) continue;
    categories.add(tag);
    const { pairs, problems } = parseKeyValue(line.slice(header.bodyStart));
    expect(problems, line).toEqual([]);
    const typed = typedRecordFromStrings(tag, pairs);
    expect(typed.problems, line).toEqual([]);
    expect(typed.unknown, line).toEqual({});
    expect(validateRecord(tag, typed.record), line).toEqual([]);
  }
  return categories;
}

describe('fortiems ems simulate', () => {
  it('--to - --count 5000 --seed 1: lines of all ten categories, each valid; the same seed prints the same lines', async () => {
    // A fixed --start: without it a count run ends at the command's start, so two runs may differ by a line at the end.
    const at = ['--start', '2026-11-23T00:00:00Z'];
    const first = await simulate('--to', '-', '--count', '5000', '--seed', '1', ...at);
    const second = await simulate('--to', '-', '--count', '5000', '--seed', '1', ...at);
    expect(first.trimEnd().split('\n')).toHaveLength(5000);
    expect(second).toBe(first);
    expect(checkLines(first)).toEqual(new Set(CATEGORY_NAMES));
    const other = await simulate('--to', '-', '--count', '5000', '--seed', '2', ...at);
    expect(other).not.toBe(first);
  });

  it('speaks RFC 5424 too', async () => {
    const output = await simulate('--to', '-', '--count', '300', '--format', 'rfc5424', '--start', '2026-11-23T07:00:00Z');
    for (const line of output.trimEnd().split('\n'))
      expect(line).toMatch(/^<\d{1,3}>1 2026-11-2\dT\d\d:\d\d:\d\d(\.\d+)?Z ems01\.corp\.example\.com ems-[a-z]+ - - - dtime=/);
    checkLines(output);
  });

  it('--count without --start writes no line later than the command start', async () => {
    const before = Date.now();
    const output = await simulate('--to', '-', '--count', '2000', '--format', 'rfc5424');
    const instants = output
      .trimEnd()
      .split('\n')
      .map((line) => Date.parse(line.split(' ')[1] ?? ''));
    expect(instants).toHaveLength(2000);
    for (const instant of instants) expect(instant).toBeLessThanOrEqual(Date.now());
    expect(Math.max(...instants)).toBeGreaterThan(before - 86_400_000);
  });

  it('--backfill writes the last hours with their own timestamps, into a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fortiems-sim-'));
    try {
      const before = Date.now();
      await simulate('--to', `file://${join(dir, 'ems.log')}`, '--backfill', '6h', '--format', 'rfc5424');
      const lines = readFileSync(join(dir, 'ems.log'), 'utf8').trimEnd().split('\n');
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        const instant = Date.parse(line.split(' ')[1] ?? '');
        expect(instant).toBeGreaterThanOrEqual(before - 6 * 3_600_000 - 1000);
        expect(instant).toBeLessThanOrEqual(Date.now());
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the accepted forms for a bad destination', async () => {
    await expect(simulate('--to', 'smtp://x', '--count', '1')).rejects.toThrow(/udp:\/\/HOST:PORT/);
  });
});
