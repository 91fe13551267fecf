import { describe, expect, it } from 'vitest';
import { isPublicIp } from '../../ingest/enrich/public-ip.js';
import { ipv4ToNumber, ipv6ToWords } from '../../parsers/ip.js';

describe('ip-address: text to numbers', () => {
  it('reads dotted quads and refuses anything else', () => {
    expect(ipv4ToNumber('0.0.0.0')).toBe(0);
    expect(ipv4ToNumber('8.8.8.8')).toBe(0x08080808);
    expect(ipv4ToNumber('255.255.255.255')).toBe(0xffffffff);
    for (const text of ['256.1.1.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1..2.3', 'a.b.c.d', '', '1.2.3.4 ', '::1']) {
      expect(ipv4ToNumber(text), text).toBeUndefined();
    }
  });

  it('expands every IPv6 form into four words', () => {
    expect([...(ipv6ToWords('::') ?? [])]).toEqual([0, 0, 0, 0]);
    expect([...(ipv6ToWords('::1') ?? [])]).toEqual([0, 0, 0, 1]);
    expect([...(ipv6ToWords('2001:db8::ff00:42:8329') ?? [])]).toEqual([0x20010db8, 0, 0x0000ff00, 0x00428329]);
    expect([...(ipv6ToWords('2001:0db8:0000:0000:0000:ff00:0042:8329') ?? [])]).toEqual([0x20010db8, 0, 0x0000ff00, 0x00428329]);
    expect([...(ipv6ToWords('::ffff:192.0.2.128') ?? [])]).toEqual([0, 0, 0xffff, 0xc0000280]);
    expect([...(ipv6ToWords('fe80::1%eth0') ?? [])]).toEqual([0xfe800000, 0, 0, 1]);
    expect([...(ipv6ToWords('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff') ?? [])]).toEqual([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff]);
    for (const text of ['1.2.3.4', '2001:db8::g', ':::', '1::2::3', 'hello']) expect(ipv6ToWords(text), text).toBeUndefined();
  });
});

describe('isPublicIp', () => {
  it('accepts globally routed IPv4 and IPv6 unicast addresses', () => {
    for (const ip of [
      '8.8.8.8',
      '1.1.1.1',
      '9.9.9.9',
      '100.63.255.255',
      '100.128.0.0',
      '172.15.255.255',
      '172.32.0.0',
      '223.255.255.255',
    ]) {
      expect(isPublicIp(ip), ip).toBe(true);
    }
    for (const ip of [
      '2001:4860:4860::8888',
      '2606:4700:4700::1111',
      '2a00:1450:4001::1',
      '2001:200::1',
      '::ffff:8.8.8.8',
      '2002:808:808::1',
    ]) {
      expect(isPublicIp(ip), ip).toBe(true);
    }
  });

  it('refuses private, loopback, link-local, CGNAT, documentation, benchmarking, multicast and reserved IPv4', () => {
    const special = [
      '0.0.0.0',
      '0.1.2.3',
      '10.0.0.1',
      '10.255.255.255',
      '100.64.0.1',
      '100.127.255.254',
      '127.0.0.1',
      '169.254.169.254',
      '172.16.0.1',
      '172.31.255.255',
      '192.0.0.8',
      '192.0.2.10',
      '192.168.1.1',
      '198.18.0.1',
      '198.19.255.255',
      '198.51.100.7',
      '203.0.113.99',
      '224.0.0.251',
      '239.255.255.250',
      '240.0.0.1',
      '255.255.255.255',
    ];
    for (const ip of special) expect(isPublicIp(ip), ip).toBe(false);
  });

  it('refuses special-purpose IPv6, and judges embedded IPv4 by the IPv4 rules', () => {
    const special = [
      '::',
      '::1',
      'fe80::1',
      'fe80::1%eth0',
      'fc00::1',
      'fd12:3456:789a::1',
      'ff02::1',
      '2001:db8::1',
      '2001::1', // Teredo, in 2001::/23
      '2001:2::1', // benchmarking
      '3fff::1', // documentation (RFC 9637)
      '100::1', // discard-only
      '::ffff:10.1.2.3',
      '::ffff:127.0.0.1',
      '64:ff9b::192.168.0.1',
      '2002:c0a8:101::1', // 6to4 of 192.168.1.1
    ];
    for (const ip of special) expect(isPublicIp(ip), ip).toBe(false);
    expect(isPublicIp('64:ff9b::8.8.8.8')).toBe(true);
  });

  it('is false for anything that is not an address', () => {
    for (const text of ['', 'example.com', '8.8.8', '8.8.8.8/32', '[2001:4860::1]', '999.1.1.1'])
      expect(isPublicIp(text), text).toBe(false);
  });
});
