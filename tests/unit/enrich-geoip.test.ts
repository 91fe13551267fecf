import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AsnTable } from '../../ingest/enrich/asn-table.js';
import { GeoIp, type GeoIpDatabases, loadShippedGeoIpDatabases, sharedGeoIp } from '../../ingest/enrich/geoip.js';

// Loading the shipped databases takes about a second: once for the file.
let databases: GeoIpDatabases;
let geoip: GeoIp;
beforeAll(() => {
  databases = loadShippedGeoIpDatabases();
  geoip = new GeoIp(() => databases);
});

describe('GeoIP from the shipped databases (DB-IP country, ip-location-db ASN)', () => {
  it('knows well-known public resolvers: country and autonomous system', () => {
    expect(geoip.lookup('8.8.8.8')).toEqual({ country: 'US', as: { number: 15169, organization: 'Google LLC' } });
    expect(geoip.lookup('1.1.1.1')?.as).toEqual({ number: 13335, organization: 'Cloudflare, Inc.' });
    expect(geoip.lookup('9.9.9.9')?.as?.number).toBe(19281);
    expect(geoip.lookup('193.0.14.129')).toMatchObject({ country: 'NL', as: { number: 25152 } }); // k.root-servers.net, RIPE NCC
  });

  it('looks up IPv6, and IPv4-mapped IPv6 like its IPv4 address', () => {
    expect(geoip.lookup('2001:4860:4860::8888')?.as?.number).toBe(15169);
    expect(geoip.lookup('2606:4700:4700::1111')?.as?.number).toBe(13335);
    expect(geoip.lookup('2001:4860:4860::8888')?.country).toMatch(/^[A-Z]{2}$/);
    expect(geoip.lookup('::ffff:8.8.8.8')).toEqual(geoip.lookup('8.8.8.8'));
  });

  it('keeps organization names with quotes and commas intact', () => {
    const systems = ['1.1.1.1', '8.8.8.8'].map((ip) => geoip.lookup(ip)?.as?.organization);
    expect(systems[0]).toBe('Cloudflare, Inc.');
    expect(systems.every((name) => name !== undefined && !name.startsWith('"'))).toBe(true);
  });

  it('answers nothing for private, special-purpose and invalid addresses', () => {
    for (const ip of [
      '10.1.2.3',
      '192.168.0.1',
      '127.0.0.1',
      '100.64.1.1',
      '169.254.1.1',
      '203.0.113.5',
      'fd00::1',
      'fe80::1',
      'nonsense',
    ]) {
      expect(geoip.lookup(ip), ip).toBeUndefined();
    }
  });

  it('fills source and destination geo and as for public addresses only, leaving private ones untouched', () => {
    const document: Record<string, unknown> = {
      source: { ip: '8.8.8.8', port: 53 },
      destination: { ip: '10.0.0.1' },
      host: { ip: '1.1.1.1' },
    };
    expect(geoip.enrichDocument(document)).toBe(true);
    expect(document.source).toEqual({
      ip: '8.8.8.8',
      port: 53,
      geo: { country_iso_code: 'US' },
      as: { number: 15169, organization: { name: 'Google LLC' } },
    });
    expect(document.destination).toEqual({ ip: '10.0.0.1' });
    expect(document.host).toEqual({ ip: '1.1.1.1' }); // only source and destination are looked up

    const both: Record<string, unknown> = { source: { ip: '192.168.1.5' }, destination: { ip: '1.1.1.1', geo: { city_name: 'kept' } } };
    geoip.enrichDocument(both);
    expect(both.source).toEqual({ ip: '192.168.1.5' });
    expect(both.destination).toMatchObject({ geo: { city_name: 'kept', country_iso_code: 'AU' }, as: { number: 13335 } });

    const privateOnly: Record<string, unknown> = { source: { ip: '172.16.0.1' }, destination: { ip: '::1' } };
    expect(geoip.enrichDocument(privateOnly)).toBe(false);
    expect(privateOnly).toEqual({ source: { ip: '172.16.0.1' }, destination: { ip: '::1' } });
  });

  it('loads at the first public lookup only, and once', () => {
    let loads = 0;
    const lazy = new GeoIp(() => {
      loads++;
      return databases;
    });
    lazy.lookup('10.0.0.1');
    lazy.enrichDocument({ source: { ip: '192.168.0.1' } });
    expect(loads).toBe(0);
    lazy.lookup('8.8.8.8');
    lazy.lookup('1.1.1.1');
    expect(loads).toBe(1);
    expect(sharedGeoIp()).toBe(sharedGeoIp());
  });

  it('without its databases, answers nothing and says why, without throwing', () => {
    let attempts = 0;
    const broken = new GeoIp(() => {
      attempts++;
      throw new Error('Cannot find package @ip-location-db/asn');
    });
    const document = { source: { ip: '8.8.8.8' } };
    expect(broken.enrichDocument(document)).toBe(false);
    expect(broken.lookup('1.1.1.1')).toBeUndefined();
    expect(document).toEqual({ source: { ip: '8.8.8.8' } });
    expect(broken.loadError?.message).toMatch(/asn/);
    expect(attempts).toBe(1);
  });
});

describe('AsnTable: the range file reader', () => {
  let folder: string;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'fortiems-asn-'));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('reads quoted names, clips a nested range, skips malformed rows, and bisects IPv4 and IPv6', () => {
    const ipv4 = join(folder, 'v4.csv');
    const ipv6 = join(folder, 'v6.csv');
    writeFileSync(
      ipv4,
      [
        '16777216,16777471,13335,"Cloudflare, Inc."',
        '16777472,16777727,64500,"LLC ""QUOTED"""',
        'garbage line',
        '3596550144,3607166975,749,United States Department of Defense (DoD) ',
        '3607101440,3607167999,721,DoD Network Information Center', // starts inside the previous range: clipped
        '3607168000,3607168255,0,Reserved AS', // AS 0 is no AS
        '',
      ].join('\r\n'),
    );
    // 2001:4860::/32 and 2606:4700::/32 as decimal 128-bit integers.
    writeFileSync(
      ipv6,
      [
        '42541956101370907050197289607612071936,42541956180599069564461627201156022271,15169,Google LLC',
        '50543257672059871404715951523469721600,50543257751288033918980289117013671935,13335,"Cloudflare, Inc."',
      ].join('\n'),
    );
    const table = AsnTable.load({ ipv4, ipv6 });
    // Cloudflare appears in both files and is one system.
    expect(table.stats()).toMatchObject({ ipv4Ranges: 4, ipv6Ranges: 2, systems: 5 });
    expect(table.lookupIpv4(16777216)).toEqual({ number: 13335, organization: 'Cloudflare, Inc.' });
    expect(table.lookupIpv4(16777471)?.number).toBe(13335);
    expect(table.lookupIpv4(16777472)).toEqual({ number: 64500, organization: 'LLC "QUOTED"' });
    expect(table.lookupIpv4(16777215)).toBeUndefined();
    expect(table.lookupIpv4(16777728)).toBeUndefined();
    expect(table.lookupIpv4(3607101440)).toEqual({ number: 749, organization: 'United States Department of Defense (DoD)' });
    expect(table.lookupIpv4(3607167000)?.number).toBe(721);
    expect(table.lookupIpv4(3607168100)).toBeUndefined();
    expect(table.lookupIpv6(Uint32Array.of(0x20014860, 0, 0, 0x8888))?.number).toBe(15169);
    expect(table.lookupIpv6(Uint32Array.of(0x26064700, 0xffffffff, 0xffffffff, 0xffffffff))?.number).toBe(13335);
    expect(table.lookupIpv6(Uint32Array.of(0x26064701, 0, 0, 0))).toBeUndefined();
  });
});
