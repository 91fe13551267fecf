import { describe, expect, it } from 'vitest';
import { parseSyslogHeader, type SyslogHeader } from '../../parsers/syslog-header.js';

const BODY = 'dtime="2026-11-22 10:00:01" type=event subtype=admin msg="online"';

function header(line: string, receivedAt = '2026-11-22T10:00:05Z', zone = 'UTC'): SyslogHeader & { body: string; at?: string } {
  const parsed = parseSyslogHeader(line, { receivedAt: Date.parse(receivedAt), zone });
  const at = parsed.timestamp === undefined ? undefined : new Date(parsed.timestamp).toISOString();
  return { ...parsed, body: line.slice(parsed.bodyStart), at };
}

describe('RFC 3164 timestamps: no year, no zone', () => {
  it('picks the year closest to the receive time: December received in January, January received in December', () => {
    expect(header(`<134>Dec 31 23:59:58 ems01 ems-event: ${BODY}`, '2027-01-01T00:00:03Z').at).toBe('2026-12-31T23:59:58.000Z');
    expect(header(`<134>Jan  1 00:00:02 ems01 ems-event: ${BODY}`, '2026-12-31T23:59:59Z').at).toBe('2027-01-01T00:00:02.000Z');
    expect(header(`<134>Jun 15 08:00:00 ems01 ems-event: ${BODY}`, '2026-11-22T10:00:05Z').at).toBe('2026-06-15T08:00:00.000Z');
  });

  it('reads the wall time in the source zone, the later instant in a DST fold', () => {
    expect(header(`<134>Nov 22 11:00:01 ems01 ems-client: ${BODY}`, undefined, 'Europe/Paris').at).toBe('2026-11-22T10:00:01.000Z');
    expect(header(`<134>Jul  1 12:00:00 ems01 ems-client: ${BODY}`, undefined, 'America/New_York').at).toBe('2026-07-01T16:00:00.000Z');
    // 2026-10-25 02:30 happens twice in Paris (CEST then CET): the later one is 01:30Z.
    expect(header(`<134>Oct 25 02:30:00 ems01 ems-client: ${BODY}`, '2026-10-25T02:00:00Z', 'Europe/Paris').at).toBe(
      '2026-10-25T01:30:00.000Z',
    );
  });

  it('accepts the day padded with a space or a zero, and rejects impossible times (no header then)', () => {
    expect(header(`<134>Oct  1 22:17:30 ems01 ems-client: ${BODY}`).at).toBe('2026-10-01T22:17:30.000Z');
    expect(header(`<134>Oct 01 22:17:30 ems01 ems-client: ${BODY}`).at).toBe('2026-10-01T22:17:30.000Z');
    for (const bad of ['Oct 32 22:17:30', 'Oct  1 24:00:00', 'Oct  1 22:60:00', 'Okt  1 22:17:30', 'Oct  1 22:17']) {
      const parsed = header(`<134>${bad} ems01 ems-client: ${BODY}`);
      expect(parsed.format, bad).toBe('none');
      expect(parsed.timestamp, bad).toBeUndefined();
    }
  });
});

describe('RFC 3164 host and tag', () => {
  it('reads HOST TAG:, HOST TAG[PID]:, TAG: alone, HOST alone and no host nor tag', () => {
    expect(header(`<134>Nov 22 10:00:01 ems01 ems-client: ${BODY}`)).toMatchObject({
      hostname: 'ems01',
      appName: 'ems-client',
      body: BODY,
    });
    expect(header(`<134>Nov 22 10:00:01 ems01 ems-client[4242]: ${BODY}`)).toMatchObject({
      hostname: 'ems01',
      appName: 'ems-client',
      procId: '4242',
      body: BODY,
    });
    const tagOnly = header(`<134>Nov 22 10:00:01 ems-client: ${BODY}`);
    expect(tagOnly).toMatchObject({ appName: 'ems-client', body: BODY });
    expect(tagOnly.hostname).toBeUndefined();
    const hostOnly = header(`<134>Nov 22 10:00:01 ems01 ${BODY}`);
    expect(hostOnly).toMatchObject({ hostname: 'ems01', body: BODY });
    expect(hostOnly.appName).toBeUndefined();
    expect(header(`<134>Nov 22 10:00:01 ${BODY}`)).toMatchObject({ format: 'rfc3164', body: BODY });
  });

  it('reads the header without PRI, and PRI with no header (FortiOS style)', () => {
    expect(header(`Nov 22 10:00:01 ems01 ems-client: ${BODY}`)).toMatchObject({ format: 'rfc3164', hostname: 'ems01', body: BODY });
    const fortiOs = header('<189>date=2026-11-22 time=10:00:01 logid="0107045057"');
    expect(fortiOs).toMatchObject({
      format: 'none',
      priority: 189,
      facility: 23,
      severity: 5,
      body: 'date=2026-11-22 time=10:00:01 logid="0107045057"',
    });
  });
});

describe('PRI', () => {
  it('decomposes 0-191 into facility and severity, and reports anything else without eating the line', () => {
    expect(header(`<0>Nov 22 10:00:01 h t: ${BODY}`)).toMatchObject({ priority: 0, facility: 0, severity: 0 });
    expect(header(`<191>Nov 22 10:00:01 h t: ${BODY}`)).toMatchObject({ priority: 191, facility: 23, severity: 7 });
    for (const bad of ['<192>', '<>', '<1234>', '<12', '<x>']) {
      const parsed = header(`${bad}Nov 22 10:00:01 h t: ${BODY}`);
      expect(parsed.priority, bad).toBeUndefined();
      expect(parsed.problems, bad).toEqual(['malformed PRI']);
      expect(parsed.body.endsWith(BODY), bad).toBe(true);
    }
  });
});

describe('RFC 5424', () => {
  it('reads every header field, structured data with escapes, and drops the BOM', () => {
    const parsed = header(`<165>1 2026-11-22T11:00:01.250+01:00 ems01 ems-client 4242 ID47 [a x="1\\"]"][b y="2"] \ufeff${BODY}`);
    expect(parsed).toMatchObject({
      format: 'rfc5424',
      priority: 165,
      facility: 20,
      severity: 5,
      at: '2026-11-22T10:00:01.250Z',
      hostname: 'ems01',
      appName: 'ems-client',
      procId: '4242',
      msgId: 'ID47',
      structuredData: '[a x="1\\"]"][b y="2"]',
      body: BODY,
    });
  });

  it('leaves NILVALUE fields out', () => {
    const parsed = header(`<134>1 - - - - - - ${BODY}`);
    expect(parsed).toMatchObject({ format: 'rfc5424', body: BODY, problems: [] });
    for (const field of ['timestamp', 'hostname', 'appName', 'procId', 'msgId', 'structuredData'] as const)
      expect(parsed[field], field).toBeUndefined();
  });

  it('is recognised without its PRI (a relay that strips it)', () => {
    expect(header(`1 2026-11-22T10:00:02Z ems01 ems-client - - - ${BODY}`)).toMatchObject({
      format: 'rfc5424',
      at: '2026-11-22T10:00:02.000Z',
      hostname: 'ems01',
      appName: 'ems-client',
      body: BODY,
    });
  });

  it('reports a timestamp that is not RFC 3339 and still reads the rest', () => {
    const parsed = header(`<134>1 yesterday ems01 ems-client - - - ${BODY}`);
    expect(parsed).toMatchObject({ format: 'rfc5424', hostname: 'ems01', body: BODY });
    expect(parsed.problems).toEqual(['RFC 5424 timestamp is not RFC 3339: "yesterday"']);
  });
});

describe('relays', () => {
  it('reads a relay’s RFC 3339 time in front of HOST TAG: (the original header dropped)', () => {
    expect(header(`2026-11-22T10:00:01.123456+00:00 ems01 ems-client: ${BODY}`)).toMatchObject({
      format: 'rfc3164',
      relayTimestamp: Date.parse('2026-11-22T10:00:01.123Z'),
      at: '2026-11-22T10:00:01.123Z',
      hostname: 'ems01',
      appName: 'ems-client',
      body: BODY,
    });
  });

  it('reads a relay’s time in front of the original header, which keeps its own time', () => {
    expect(header(`2026-11-22T10:00:02+00:00 <134>Nov 22 10:00:01 ems01 ems-client: ${BODY}`)).toMatchObject({
      format: 'rfc3164',
      priority: 134,
      relayTimestamp: Date.parse('2026-11-22T10:00:02Z'),
      at: '2026-11-22T10:00:01.000Z',
      hostname: 'ems01',
      appName: 'ems-client',
      body: BODY,
    });
  });

  it('reads the RFC 3339 form with a space between date and time as one timestamp', () => {
    expect(header(`2026-11-22 10:00:03+00:00 ems01 ems-client: ${BODY}`)).toMatchObject({
      relayTimestamp: Date.parse('2026-11-22T10:00:03Z'),
      hostname: 'ems01',
      appName: 'ems-client',
      body: BODY,
    });
  });

  it('places an RFC 3339 time written without an offset in the source zone, not in the zone of the machine', () => {
    expect(header(`2026-11-22T11:00:03 ems01 ems-client: ${BODY}`, undefined, 'Europe/Paris')).toMatchObject({
      at: '2026-11-22T10:00:03.000Z',
      relayTimestamp: Date.parse('2026-11-22T10:00:03Z'),
      hostname: 'ems01',
    });
    expect(header(`<134>2026-11-22 11:00:03.5 ems01 ems-client: ${BODY}`, undefined, 'Europe/Paris')).toMatchObject({
      at: '2026-11-22T10:00:03.500Z',
      hostname: 'ems01',
    });
  });

  it('takes a body with no header at all as it is', () => {
    expect(header(BODY)).toMatchObject({ format: 'none', bodyStart: 0, problems: [] });
  });
});
