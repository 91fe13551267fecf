import { describe, expect, it } from 'vitest';
import type { EmsLogLine } from '../../syslog/log-line.js';
import {
  formatLine,
  formatSyslogHeader,
  isFacility,
  isHeaderToken,
  printableToken,
  priorityValue,
  rfc3164Header,
  rfc3164Tag,
  rfc5424Header,
} from '../../syslog/syslog-format.js';

const offline: EmsLogLine = {
  category: 'ems-client',
  level: 'information',
  time: new Date('2026-10-01T22:17:30.000Z'),
  record: {
    dtime: '2026-10-01 22:17:30',
    type: 'event',
    subtype: 'admin',
    devid: 'FCT8001ZQ7RB4K2A',
    hostname: 'pc 1',
    emsserial: 'FCTEMS8822001975',
    msg: 'offline',
    emshostname: '',
    vd: 'default',
  },
};

const refused: EmsLogLine = {
  category: 'ems-network',
  level: 'warning',
  time: new Date('2026-11-22T09:00:00.123Z'),
  record: { dtime: '2026-11-22 10:00:00', type: 'event', subtype: 'network', srcip: '198.51.100.7', msg: 'Connection refused' },
};

const at = (iso: string, level: EmsLogLine['level'] = 'information'): EmsLogLine => ({ ...offline, level, time: new Date(iso) });

describe('formatLine', () => {
  it('RFC 3164: PRI, BSD timestamp with the day padded by a space, host, TAG = category', () => {
    expect(formatLine(offline, { hostname: 'ems01' })).toBe(
      '<134>Oct  1 22:17:30 ems01 ems-client: dtime="2026-10-01 22:17:30" type=event subtype=admin level=information ' +
        'devid=FCT8001ZQ7RB4K2A hostname="pc 1" emsserial=FCTEMS8822001975 msg="offline" emshostname="" vd="default"',
    );
  });

  it('RFC 5424: version 1, RFC 3339 time with milliseconds in the zone (Paris in winter is +01:00), NILVALUEs, no BOM', () => {
    expect(formatLine(refused, { format: 'rfc5424', hostname: 'ems01', timeZone: 'Europe/Paris' })).toBe(
      '<132>1 2026-11-22T10:00:00.123+01:00 ems01 ems-network - - - dtime="2026-11-22 10:00:00" type=event subtype=network ' +
        'level=warning msg="Connection refused" srcip=198.51.100.7',
    );
  });

  it('is the header followed by the body', () => {
    const options = { format: 'rfc5424', hostname: 'h' } as const;
    expect(formatLine(refused, options).startsWith(formatSyslogHeader(refused, options))).toBe(true);
  });
});

describe('formatSyslogHeader', () => {
  it('PRI is facility × 8 + severity, facility local0 (16) by default', () => {
    expect(formatSyslogHeader(at('2026-01-01T00:00:00Z', 'debug'), { hostname: 'h' })).toMatch(/^<135>/);
    expect(formatSyslogHeader(at('2026-01-01T00:00:00Z', 'emergency'), { hostname: 'h', facility: 23 })).toMatch(/^<184>/);
    expect(formatSyslogHeader(at('2026-01-01T00:00:00Z', 'critical'), { hostname: 'h', facility: 0 })).toMatch(/^<2>/);
  });

  it('writes the RFC 3164 time as the wall clock of the zone, across a day and year boundary', () => {
    expect(formatSyslogHeader(at('2026-12-31T23:30:05Z'), { hostname: 'h', timeZone: 'Europe/Paris' })).toBe(
      '<134>Jan  1 00:30:05 h ems-client: ',
    );
    expect(formatSyslogHeader(at('2026-12-10T00:00:00Z'), { hostname: 'h' })).toBe('<134>Dec 10 00:00:00 h ems-client: ');
  });

  it('writes RFC 5424 offsets for every kind of zone, Z for UTC', () => {
    const header = (iso: string, timeZone?: string) =>
      formatSyslogHeader(at(iso), { format: 'rfc5424', hostname: 'h', ...(timeZone ? { timeZone } : {}) }).split(' ')[1];
    expect(header('2026-07-01T12:00:00Z', 'Europe/Paris')).toBe('2026-07-01T14:00:00.000+02:00');
    expect(header('2026-01-15T05:30:00.007Z', 'America/New_York')).toBe('2026-01-15T00:30:00.007-05:00');
    expect(header('2026-01-15T05:30:00Z', 'Asia/Kolkata')).toBe('2026-01-15T11:00:00.000+05:30');
    expect(header('2026-01-15T05:30:00.999Z')).toBe('2026-01-15T05:30:00.999Z');
    // The last millisecond before Paris springs forward, and the first after.
    expect(header('2026-03-29T00:59:59.999Z', 'Europe/Paris')).toBe('2026-03-29T01:59:59.999+01:00');
    expect(header('2026-03-29T01:00:00.000Z', 'Europe/Paris')).toBe('2026-03-29T03:00:00.000+02:00');
  });

  it('refuses what would corrupt the header', () => {
    const line = at('2026-01-01T00:00:00Z');
    expect(() => formatSyslogHeader(line, { hostname: 'my host' })).toThrow('syslog hostname');
    expect(() => formatSyslogHeader(line, { hostname: '' })).toThrow('syslog hostname');
    expect(() => formatSyslogHeader(line, { hostname: 'h', facility: 24 })).toThrow('facility must be 0-23');
    expect(() => formatSyslogHeader(line, { hostname: 'h', facility: 1.5 })).toThrow('facility must be 0-23');
    expect(() => formatSyslogHeader(line, { hostname: 'h', timeZone: 'Mars/Olympus' })).toThrow("unknown time zone 'Mars/Olympus'");
    expect(() => formatSyslogHeader(line, { hostname: 'h', format: 'rfc9999' as 'rfc5424' })).toThrow('syslog format must be');
    expect(() => formatSyslogHeader(at('not a date'), { hostname: 'h' })).toThrow('invalid time');
    expect(() => formatSyslogHeader({ ...line, level: 'loud' as 'debug' }, { hostname: 'h' })).toThrow("unknown level 'loud'");
  });
});

// The rules the emitters check and the forwarding formats sanitize with (ingest/forward/formats/).
describe('shared header rules', () => {
  it('a header token is 1 to max printable ASCII characters; printableToken makes one of anything', () => {
    expect(isHeaderToken('ems01.corp', 255)).toBe(true);
    expect(isHeaderToken('', 255) || isHeaderToken('my host', 255) || isHeaderToken('abc', 2) || isHeaderToken('h\u00e9', 9)).toBe(false);
    expect(printableToken('LAPTOP 01\u00e9', 255, '-')).toBe('LAPTOP_01_');
    expect(printableToken('abcdef', 4, '-')).toBe('abcd');
    expect(printableToken('', 4, '-')).toBe('-');
    expect(printableToken(undefined, 4, 'localhost')).toBe('localhost');
    expect(rfc3164Tag('ems-client')).toBe('ems-client');
    expect(rfc3164Tag('a b:c[1]'.repeat(5))).toBe('a_b_c_1_a_b_c_1_a_b_c_1_a_b_c_1_');
    expect(rfc3164Tag('')).toBe('fortiems');
  });

  it('PRI and the header layouts are the ones formatSyslogHeader writes', () => {
    expect(isFacility(23) && isFacility(0)).toBe(true);
    expect(isFacility(24) || isFacility(-1) || isFacility(1.5)).toBe(false);
    expect(priorityValue(16, 'warning')).toBe('<132>');
    const options = { hostname: 'ems01', timeZone: 'Europe/Paris' };
    expect(formatSyslogHeader(refused, options)).toBe(
      rfc3164Header({ priority: '<132>', timestamp: 'Nov 22 10:00:00', hostname: 'ems01', tag: 'ems-network' }),
    );
    expect(formatSyslogHeader(refused, { ...options, format: 'rfc5424' })).toBe(
      rfc5424Header({ priority: '<132>', timestamp: '2026-11-22T10:00:00.123+01:00', hostname: 'ems01', appName: 'ems-network' }),
    );
    expect(rfc5424Header({ priority: '<1>', timestamp: 'T', hostname: 'h', appName: 'a', msgId: 'm', structuredData: '[x]' })).toBe(
      '<1>1 T h a - m [x] ',
    );
  });
});
