/**
 * FortiClient's own lines (direct, and forwarded by FortiAnalyzer) against EMS's relay of the same event: the same
 * typed fields and the same ECS, whoever sent the line; time zones and epoch units; the derived ECS fields.
 * The golden files (tests/fixtures/parsers/golden/forticlient-*, fortianalyzer-*) pin whole documents.
 */
import { describe, expect, it } from 'vitest';
import { keyValueBody } from '../../ingest/forward/formats/kv-body.js';
import { fileParts, networkDirection, urlParts } from '../../mappings/index.js';
import { epochMillis, neighbourTime, tzOffsetMinutes } from '../../parsers/neighbour-time.js';
import { parseLine } from '../../parsers/parse-line.js';

const receivedAt = Date.parse('2026-11-25T16:00:00Z');
const ENDPOINT =
  'uid=0123456789ABCDEF0123456789ABCDEF devid=FCT8003611528421 hostname=PC-1 deviceip=10.10.12.7 devicemac=a1-b2-c3-4d-38-a6 ' +
  'emsserial=FCTEMS8822000123 os="Microsoft Windows 11 Professional Edition, 64-bit (build 22631)" user=alice';
const FAZ = 'devname="PC-1" devid="FCT8003611528421" vd="root" itime=1795338005 fctsn="FCT8003611528421"';

/** The same event three ways: EMS's relay (dtime in UTC), FortiClient's line (+0100 wall clock), FortiAnalyzer's. */
const SAME_EVENTS = {
  'malware quarantined (96530)': {
    fields:
      'virus="W32/Agent.ABC!tr" viruscat=Trojan file="C:\\Users\\alice\\Downloads\\invoice.pdf.exe" checksum=8a3f0c21 detectedby=Realtime action=quarantined',
    ems: { subtype: 'upload', level: 'warning', msg: 'Malware quarantined' },
    fct: { id: 96530, type: 'securityevent', subtype: 'antivirus', msg: 'File quarantined' },
  },
  'web page blocked (96500)': {
    fields:
      'url="https://malware.example.net/download/payload.exe?id=7" remotename=malware.example.net catdesc="Malicious Websites" ' +
      'utmaction=blocked utmevent=webfilter direction=outbound srcip=10.10.12.7 srcport=51544 dstip=203.0.113.50 dstport=443 ' +
      'proto=6 sentbyte=812 rcvdbyte=0',
    ems: { subtype: 'upload', level: 'notice', msg: 'Web page blocked' },
    fct: { id: 96500, type: 'securityevent', subtype: 'webfilter', msg: 'Web filter blocked a URL' },
  },
  'vulnerability detected (96521)': {
    fields:
      'vulnid=41234 vulnname="Google Chrome Use-After-Free in Mojo" vulncat="Web Client" vulnseverity=Critical vulncvss=9.8 ' +
      'cveid=CVE-2026-1234 vulnproducts="Google Chrome"',
    ems: { subtype: 'upload', level: 'warning', msg: 'Vulnerability detected' },
    fct: { id: 96521, type: 'vuln', subtype: 'vuln', msg: 'Vulnerability detected' },
  },
} as const;

function emsLine(event: (typeof SAME_EVENTS)[keyof typeof SAME_EVENTS]): string {
  return (
    `<134>Nov 22 09:00:05 ems01 ems-client: dtime="2026-11-22 09:00:01" type=event subtype=${event.ems.subtype} level=${event.ems.level} ` +
    `${ENDPOINT} msg="${event.ems.msg}" ${event.fields} usingpolicy=Global emshostname=ems01 vd=default fctver=7.4.1.1736`
  );
}

function fctBody(event: (typeof SAME_EVENTS)[keyof typeof SAME_EVENTS]): string {
  return (
    `date=2026-11-22 time=10:00:01 tz="+0100" logver=1 id=${event.fct.id} type=${event.fct.type} subtype=${event.fct.subtype} ` +
    `level=${event.ems.level} ${ENDPOINT} fctver=7.4.1.1736 usingpolicy=Global msg="${event.fct.msg}" ${event.fields}`
  );
}

/** The ECS a detection or a board reads about the event itself (not who relayed it, nor how). */
function eventEcs(document: Record<string, unknown>): Record<string, unknown> {
  const event = document.event as Record<string, unknown>;
  const pick: Record<string, unknown> = {
    '@timestamp': document['@timestamp'],
    event: { action: event.action, category: event.category, type: event.type, outcome: event.outcome, severity: event.severity },
  };
  for (const root of ['threat', 'file', 'url', 'destination', 'source', 'network', 'vulnerability', 'package', 'rule', 'user'])
    if (document[root] !== undefined) pick[root] = document[root];
  const host = { ...(document.host as Record<string, unknown>) };
  pick.host = host;
  return pick;
}

describe('FortiClient lines and the EMS relay of the same event', () => {
  for (const [name, event] of Object.entries(SAME_EVENTS)) {
    it(`${name}: the same ECS from EMS, FortiClient and FortiAnalyzer`, () => {
      const ems = parseLine(emsLine(event), { receivedAt });
      const direct = parseLine(`<134>${fctBody(event)}`, { receivedAt });
      const forwarded = parseLine(`<134>Nov 22 09:00:05 faz01 ${FAZ} ${fctBody(event).replace(' devid=FCT8003611528421', '')}`, {
        receivedAt,
      });
      expect([ems.producer, direct.producer, forwarded.producer]).toEqual(['ems', 'forticlient', 'fortianalyzer']);
      for (const parsed of [ems, direct, forwarded]) expect(parsed.problems, parsed.producer).toEqual([]);
      expect((ems.document.event as { action?: string }).action).toBeDefined();
      expect(eventEcs(direct.document)).toEqual(eventEcs(ems.document));
      expect(eventEcs(forwarded.document)).toEqual(eventEcs(ems.document));
      // The raw fields too: the same names and types under ems.* (one template type per raw name).
      const raw = (document: Record<string, unknown>) => {
        const all = document.ems as Record<string, unknown>;
        return Object.fromEntries(
          event.fields
            .match(/^[a-z]+=|\s[a-z]+=/g)
            ?.map((key) => key.trim().slice(0, -1))
            .map((key) => [key, all[key]]) ?? [],
        );
      };
      expect(raw(direct.document)).toEqual(raw(ems.document));
    });
  }

  it('differs in who observed it: observer and producer', () => {
    const event = SAME_EVENTS['malware quarantined (96530)'];
    const ems = parseLine(emsLine(event), { receivedAt }).document;
    const forwarded = parseLine(`<134>Nov 22 09:00:05 faz01 ${FAZ} ${fctBody(event).replace(' devid=FCT8003611528421', '')}`, {
      receivedAt,
    }).document;
    expect(ems.observer).toMatchObject({ product: 'FortiClient EMS', type: 'ems', serial_number: 'FCTEMS8822000123' });
    expect(forwarded.observer).toEqual({
      name: 'PC-1',
      serial_number: 'FCT8003611528421',
      hostname: 'faz01',
      vendor: 'Fortinet',
      product: 'FortiClient',
      type: 'endpoint',
    });
    expect(forwarded.fortiems).toMatchObject({ producer: 'fortianalyzer', time_source: 'date_time_tz' });
    expect(forwarded.data_stream).toEqual({ type: 'logs', dataset: 'fortiems.forticlient', namespace: 'default' });
  });
});

describe('forwarding a FortiClient line', () => {
  it('sends its typed fields and the keys its schema does not know', () => {
    const event = parseLine('<134>date=2026-11-22 time=10:00:01 logver=1 id=96530 user=alice virus="W32/Agent.ABC!tr" quarantinefile=q1', {
      receivedAt,
    });
    expect(keyValueBody(event)).toBe('date=2026-11-22 time=10:00:01 logver=1 id=96530 user=alice virus=W32/Agent.ABC!tr quarantinefile=q1');
  });
});

describe('FortiClient time', () => {
  const at = (body: string, zone = 'UTC') => {
    const event = parseLine(`<134>${body} logver=1 id=96530 msg=x`, { receivedAt, zone });
    return [event.document['@timestamp'], (event.document.fortiems as { time_source?: string }).time_source];
  };

  it('applies tz, not the source zone', () => {
    expect(at('date=2026-11-22 time=10:00:01 tz="+0100"', 'America/New_York')).toEqual(['2026-11-22T09:00:01.000Z', 'date_time_tz']);
    expect(at('date=2026-11-22 time=10:00:01 tz="-0500"', 'Europe/Paris')).toEqual(['2026-11-22T15:00:01.000Z', 'date_time_tz']);
    expect(at('date=2026-11-22 time=15:30:01 tz="+05:30"')).toEqual(['2026-11-22T10:00:01.000Z', 'date_time_tz']);
    expect(at('date=2026-11-22 time=10:00:01 tz=UTC', 'Europe/Paris')).toEqual(['2026-11-22T10:00:01.000Z', 'date_time_tz']);
    expect(at('date=2026-11-22 time=10:00:01', 'Europe/Paris')).toEqual(['2026-11-22T09:00:01.000Z', 'date_time_source_zone']);
  });

  it('reads epochs by magnitude, and prefers eventtime, then date/time, then itime', () => {
    for (const eventtime of ['1795338001', '1795338001000', '1795338001000000', '1795338001000000000'])
      expect(at(`date=2026-11-22 time=23:59:59 tz="+0100" eventtime=${eventtime}`)).toEqual(['2026-11-22T09:00:01.000Z', 'eventtime']);
    expect(at('devname=a itime=1795338005 fctsn=FCT1 date=2026-11-22 time=10:00:01')).toEqual([
      '2026-11-22T10:00:01.000Z',
      'date_time_source_zone',
    ]);
    expect(at('devname=a itime=1795338005 fctsn=FCT1')).toEqual(['2026-11-22T09:00:05.000Z', 'itime']);
    expect(at('devname=a itime=12 fctsn=FCT1')).toEqual(['2026-11-25T16:00:00.000Z', 'received']);
  });

  it('falls back to the header, then the receive time, and says so; EMS lines say dtime', () => {
    expect(parseLine('<134>Nov 22 10:00:05 pc1 logver=1 id=96530 msg=x', { receivedAt }).document.fortiems).toMatchObject({
      time_source: 'header',
    });
    const ems = parseLine(emsLine(SAME_EVENTS['malware quarantined (96530)']), { receivedAt });
    expect(ems.document.fortiems).toMatchObject({ time_source: 'dtime' });
  });

  it('recognises the offsets FortiOS writes and refuses the rest', () => {
    expect(['+0100', '-0500', '+05:30', '+01', 'UTC', 'gmt', 'Z', '-1200', '+1400'].map(tzOffsetMinutes)).toEqual([
      60, -300, 330, 60, 0, 0, 0, -720, 840,
    ]);
    for (const bad of ['+9999', '0100', 'Europe/Paris', '+1', '+01:0', '', '+0a00', '++0100'])
      expect(tzOffsetMinutes(bad), bad).toBeUndefined();
    const problems: string[] = [];
    expect(neighbourTime({ date: '2026-11-22', time: '10:00:01', tz: 'CET' }, 'UTC', problems)?.source).toBe('date_time_source_zone');
    expect(problems).toEqual(['tz: not an offset: "CET"']);
  });

  it('takes 9 to 19 digits in 2000-2100 as an epoch, nothing else', () => {
    expect(epochMillis('1795338001')).toBe(1795338001000);
    expect(epochMillis('1795338001123')).toBe(1795338001123);
    expect(epochMillis('1795338001123456')).toBe(1795338001123);
    expect(epochMillis('1795338001123456789')).toBe(1795338001123);
    for (const bad of ['12', '0000000000', '99999999999999999999', '17953380011234567890', '1795338001.5', '-1795338001', ''])
      expect(epochMillis(bad), bad).toBeUndefined();
  });
});

describe('derived ECS fields', () => {
  it('splits URLs FortiClient logs: absolute, path alone, bare host, protocol-relative, IPv6, opaque', () => {
    expect(urlParts('https://user:pw@Example.COM:8443/a/b.exe?x=1&y=2#frag')).toEqual({
      scheme: 'https',
      domain: 'example.com',
      port: 8443,
      path: '/a/b.exe',
      query: 'x=1&y=2',
    });
    expect(urlParts('/download/payload.exe?id=7')).toEqual({ path: '/download/payload.exe', query: 'id=7' });
    expect(urlParts('www.example.com:8080/x')).toEqual({ domain: 'www.example.com', port: 8080, path: '/x' });
    expect(urlParts('//cdn.example.net/lib.js')).toEqual({ domain: 'cdn.example.net', path: '/lib.js' });
    expect(urlParts('http://[2001:db8::1]:8080/')).toEqual({ scheme: 'http', domain: '2001:db8::1', port: 8080, path: '/' });
    expect(urlParts('javascript:alert(document.cookie)')).toEqual({ scheme: 'javascript' });
    expect(urlParts('http://h:99999/')).toEqual({ scheme: 'http', domain: 'h', path: '/' });
    expect(urlParts('')).toEqual({});
  });

  it('splits Windows and POSIX paths into name and directory', () => {
    expect(fileParts('C:\\Users\\alice\\x.exe')).toEqual({ name: 'x.exe', directory: 'C:\\Users\\alice' });
    expect(fileParts('C:\\x.exe')).toEqual({ name: 'x.exe', directory: 'C:\\' });
    expect(fileParts('/home/bob/update.sh')).toEqual({ name: 'update.sh', directory: '/home/bob' });
    expect(fileParts('/x')).toEqual({ name: 'x', directory: '/' });
    expect(fileParts('x.exe')).toEqual({ name: 'x.exe' });
    expect(fileParts('/tmp/')).toEqual({ directory: '/tmp' });
  });

  it('gives network.direction an ECS value', () => {
    expect(['outbound', 'Outgoing', 'in', 'INBOUND', 'internal', 'sideways', '__proto__'].map(networkDirection)).toEqual([
      'outbound',
      'outbound',
      'inbound',
      'inbound',
      'internal',
      'unknown',
      'unknown',
    ]);
  });
});
