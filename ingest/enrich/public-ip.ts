import { ipv4ToNumber, ipv6ToWords, mappedIpv4 } from '../../parsers/ip.js';

/**
 * Whether an address can be looked up in a GeoIP database: a globally routed unicast address. Private, loopback,
 * link-local, CGNAT, documentation, benchmarking, multicast and reserved ranges (IANA special-purpose registries,
 * RFC 6890 and successors) are not: a country or AS for them would be noise, or wrong.
 */

interface Block {
  network: number;
  length: number;
}

const block = (network: string, length: number): Block => ({ network: ipv4ToNumber(network) as number, length });

const NON_PUBLIC_IPV4: readonly Block[] = [
  block('0.0.0.0', 8), // "this network"
  block('10.0.0.0', 8), // private (RFC 1918)
  block('100.64.0.0', 10), // carrier-grade NAT (RFC 6598)
  block('127.0.0.0', 8), // loopback
  block('169.254.0.0', 16), // link-local
  block('172.16.0.0', 12), // private
  block('192.0.0.0', 24), // IETF protocol assignments
  block('192.0.2.0', 24), // documentation TEST-NET-1
  block('192.168.0.0', 16), // private
  block('198.18.0.0', 15), // benchmarking (RFC 2544)
  block('198.51.100.0', 24), // documentation TEST-NET-2
  block('203.0.113.0', 24), // documentation TEST-NET-3
  block('224.0.0.0', 4), // multicast
  block('240.0.0.0', 4), // reserved, and the limited broadcast 255.255.255.255
];

/** A public IPv4 address, as its unsigned 32-bit value. */
export function isPublicIpv4Number(value: number): boolean {
  for (const { network, length } of NON_PUBLIC_IPV4) {
    const shift = 32 - length;
    if (value >>> shift === network >>> shift) return false;
  }
  return true;
}

/** A public IPv6 address, as four 32-bit words: global unicast (2000::/3) minus its special-purpose blocks. */
export function isPublicIpv6Words(words: Uint32Array): boolean {
  const first = words[0] as number;
  const mapped = mappedIpv4(words);
  if (mapped !== undefined) return isPublicIpv4Number(mapped);
  // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address: public exactly when that one is.
  if (first === 0x0064ff9b && words[1] === 0 && words[2] === 0) return isPublicIpv4Number(words[3] as number);
  if (first >>> 16 === 0x2002) return isPublicIpv4Number(((first & 0xffff) * 65536 + ((words[1] as number) >>> 16)) >>> 0);
  if (first >>> 29 !== 0b001) return false; // outside 2000::/3: loopback, ULA fc00::/7, link-local fe80::/10, multicast ff00::/8, …
  if (first >>> 9 === 0x2001 << 7) return false; // 2001::/23 IETF protocol assignments (Teredo, benchmarking, ORCHID)
  if (first === 0x20010db8) return false; // 2001:db8::/32 documentation
  if (first >>> 12 === 0x3fff0) return false; // 3fff::/20 documentation (RFC 9637)
  return true;
}

/** True for a globally routed unicast IPv4 or IPv6 address; false for special-purpose ranges and for non-addresses. */
export function isPublicIp(text: string): boolean {
  const v4 = ipv4ToNumber(text);
  if (v4 !== undefined) return isPublicIpv4Number(v4);
  const v6 = ipv6ToWords(text);
  return v6 !== undefined && isPublicIpv6Words(v6);
}
