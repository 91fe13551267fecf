import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const cli = new URL('../../bin/fortiems.js', import.meta.url).pathname;

function fortiems(args: string[], input: string) {
  const run = spawnSync(process.execPath, [cli, ...args], { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('fortiems parse', () => {
  it('writes exactly one JSON event per input line, failures included and marked, and a summary on stderr', () => {
    const simulated = spawnSync(process.execPath, [cli, 'ems', 'simulate', '--to', '-', '--count', '200', '--seed', '3'], {
      encoding: 'utf8',
    }).stdout;
    const input = `${simulated}this is not a log line\n\n<134>Nov 22 10:00:00 host tag: no pairs here\n`;
    const inputLines = input.split('\n').slice(0, -1);
    const { status, stdout, stderr } = fortiems(['parse', '-'], input);
    expect(status).toBe(0);
    const events = stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events).toHaveLength(inputLines.length);
    const failures = events.filter((event) => event.event.kind === 'pipeline_error');
    expect(failures.map((event) => event.event.original)).toEqual(['this is not a log line', '']);
    // Another host's syslog line is an event of its own dataset, not a failure.
    expect(events.at(-1)).toMatchObject({
      event: { kind: 'event', dataset: 'fortiems.syslog' },
      message: 'no pairs here',
      process: { name: 'tag' },
    });
    expect(failures.every((event) => typeof event.error.message === 'string' && event.data_stream.dataset === 'fortiems.unparsed')).toBe(
      true,
    );
    expect(events.slice(0, 200).every((event) => event.event.kind === 'event' && event.observer.vendor === 'Fortinet')).toBe(true);
    expect(stderr).toMatch(new RegExp(`^${inputLines.length} lines: 201 events \\(0 with validation problems\\), 2 pipeline errors`));
  });

  it('places zone-less times in the zone given with --tz', () => {
    const line =
      '<134>Nov 23 09:00:00 ems01 ems-event: dtime="2026-11-23 09:00:00" type=event subtype=system level=notice emsserial=FCTEMS8822000123 msg="EMS started" emshostname="" vd="default"';
    const utc = JSON.parse(fortiems(['parse'], `${line}\n`).stdout);
    const paris = JSON.parse(fortiems(['parse', '--tz', 'Europe/Paris'], `${line}\n`).stdout);
    expect(utc['@timestamp']).toBe('2026-11-23T09:00:00.000Z');
    expect(paris['@timestamp']).toBe('2026-11-23T08:00:00.000Z');
  });

  it('rejects an unknown zone', () => {
    const { status, stderr } = fortiems(['parse', '--tz', 'Mars/Olympus'], '');
    expect(status).not.toBe(0);
    expect(stderr).toMatch(/IANA time zone/);
  });
});
