import { describe, expect, it } from 'vitest';
import { serializeBody } from '../../syslog/ems-body.js';
import type { EmsLogLine } from '../../syslog/log-line.js';

const ENDPOINT = {
  devid: 'FCT8001ZQ7RB4K2A',
  uid: '6F1C3B9A0D2E4F5A8B7C6D5E4F3A2B1C',
  hostname: 'pc 1',
  user: 'alice.martin',
  deviceip: '10.20.30.42',
  devicemac: 'a1-b2-c3-4d-38-a6',
  emsserial: 'FCTEMS8822001975',
  os: 'Microsoft Windows 11',
};

function clientLine(record: EmsLogLine['record'], level: EmsLogLine['level'] = 'information'): EmsLogLine {
  return { category: 'ems-client', level, time: new Date('2026-10-01T22:17:30Z'), record };
}

describe('serializeBody', () => {
  it('writes the observed EMS body: schema order, strings quoted, tokens bare', () => {
    const line = clientLine({
      dtime: '2026-10-01 22:17:30',
      type: 'event',
      subtype: 'admin',
      ...ENDPOINT,
      msg: 'offline',
      status: 'offline',
      usingpolicy: 'Global',
      emshostname: '',
      vd: 'default',
    });
    expect(serializeBody(line)).toBe(
      'dtime="2026-10-01 22:17:30" type=event subtype=admin level=information devid=FCT8001ZQ7RB4K2A ' +
        'uid=6F1C3B9A0D2E4F5A8B7C6D5E4F3A2B1C hostname="pc 1" user="alice.martin" deviceip=10.20.30.42 ' +
        'devicemac=a1-b2-c3-4d-38-a6 emsserial=FCTEMS8822001975 os="Microsoft Windows 11" msg="offline" status="offline" ' +
        'usingpolicy="Global" emshostname="" vd="default"',
    );
  });

  it('follows the schema order whatever order the record was built in, and leaves out absent fields', () => {
    const line = clientLine({
      vd: 'default',
      msg: 'online',
      emsserial: 'FCTEMS0000000001',
      hostname: null,
      user: undefined,
      type: 'event',
    });
    expect(serializeBody(line)).toBe('type=event level=information emsserial=FCTEMS0000000001 msg="online" vd="default"');
  });

  it('takes the level from the line, not from the record', () => {
    const body = serializeBody(clientLine({ level: 'debug', msg: 'Endpoint quarantined' }, 'warning'));
    expect(body).toBe('level=warning msg="Endpoint quarantined"');
  });

  it('writes ints, longs, IPs and enums bare', () => {
    const line: EmsLogLine = {
      category: 'ems-vpn',
      level: 'notice',
      time: new Date(0),
      record: { subtype: 'vpn', gateway: '2001:db8::1', duration: 3600, sentbyte: 9_007_199_254_740_991, vpntype: 'ssl' },
    };
    expect(serializeBody(line)).toBe('subtype=vpn level=notice vpntype="ssl" gateway=2001:db8::1 duration=3600 sentbyte=9007199254740991');
  });

  it('writes the network certaction enum bare', () => {
    const line: EmsLogLine = {
      category: 'ems-network',
      level: 'warning',
      time: new Date(0),
      record: { certaction: 'deny', srcport: 51234 },
    };
    expect(serializeBody(line)).toBe('level=warning srcport=51234 certaction=deny');
  });

  it('quotes a would-be bare value that contains a space, a quote or =', () => {
    const body = serializeBody(clientLine({ devid: 'FCT evil', uid: 'a"b', emsserial: 'x=y', deviceip: '' }));
    expect(body).toBe('level=information devid="FCT evil" uid="a\\"b" deviceip="" emsserial="x=y"');
  });

  it('escapes backslashes and quotes inside quoted values', () => {
    expect(serializeBody(clientLine({ user: 'CORP\\alice "the admin"' }))).toBe('level=information user="CORP\\\\alice \\"the admin\\""');
  });

  it('never lets a value break the line: control characters become escapes', () => {
    const body = serializeBody(
      clientLine({
        hostname: 'a\nb\rc\td\u0000e\u001bf\u007fg\u0085h\u2028i',
        msg: 'x\n<13>Oct  1 00:00:00 forged ems-error: msg="pwned"',
      }),
    );
    expect(body).toBe(
      'level=information hostname="a\\nb\\rc\\td\\x00e\\x1bf\\x7fg\\x85h\\u2028i" msg="x\\n<13>Oct  1 00:00:00 forged ems-error: msg=\\"pwned\\""',
    );
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the assertion is precisely that none are left
    expect(body).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
  });

  it('escapes control characters in would-be bare values too', () => {
    expect(serializeBody(clientLine({ deviceip: '10.0.0.1\nmsg=forged' }))).toBe('level=information deviceip="10.0.0.1\\nmsg=forged"');
  });

  it('keeps Unicode text as it is', () => {
    expect(serializeBody(clientLine({ user: 'Zoë Ørsted 山田' }))).toBe('level=information user="Zoë Ørsted 山田"');
  });

  it('refuses a key the category does not have rather than dropping it silently', () => {
    expect(() => serializeBody(clientLine({ vpntunnel: 'x' }))).toThrow("'vpntunnel' is not a field of the ems-client category");
  });

  it('refuses an unknown category', () => {
    const line = { category: 'ems-nope', level: 'debug', time: new Date(0), record: {} } as unknown as EmsLogLine;
    expect(() => serializeBody(line)).toThrow("unknown EMS log category 'ems-nope'");
  });
});
