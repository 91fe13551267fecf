import { isIP } from 'node:net';

/**
 * IP text, read without regular expressions (the parser's hot path asks for every field value that may be an address):
 * whether it is an address at all, and, for range checks and binary searches, its numbers. IPv4 becomes one unsigned
 * 32-bit number, IPv6 four unsigned 32-bit words (most significant first), so neither path needs BigInt.
 */

/** A dotted-quad IPv4 or any textual IPv6 address (node:net validates those). */
export function isIpAddress(text: string): boolean {
  return ipv4ToNumber(text) !== undefined || (text.includes(':') && isIP(text) === 6);
}

/** A dotted quad → its unsigned 32-bit value; undefined for anything else (leading zeros included: they are ambiguous). */
export function ipv4ToNumber(text: string): number | undefined {
  const length = text.length;
  if (length < 7 || length > 15) return undefined;
  let result = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code === 46) {
      if (digits === 0 || ++dots > 3) return undefined;
      result = result * 256 + octet;
      octet = 0;
      digits = 0;
    } else if (code >= 48 && code <= 57) {
      if (digits > 0 && octet === 0) return undefined;
      octet = octet * 10 + code - 48;
      if (++digits > 3 || octet > 255) return undefined;
    } else return undefined;
  }
  if (dots !== 3 || digits === 0) return undefined;
  return result * 256 + octet;
}

/**
 * Any textual IPv6 form (`::`, an embedded IPv4 tail, a `%zone`) → four 32-bit words in `out` (a fresh array when
 * omitted); undefined when the text is not IPv6. node:net validates, so the expansion below can trust the shape.
 */
export function ipv6ToWords(text: string, out: Uint32Array = new Uint32Array(4)): Uint32Array | undefined {
  if (!text.includes(':') || isIP(text) !== 6) return undefined;
  const zone = text.indexOf('%');
  const address = zone === -1 ? text : text.slice(0, zone);
  const groups: number[] = [];
  const gap = address.indexOf('::');
  const head = gap === -1 ? address : address.slice(0, gap);
  const tail = gap === -1 ? '' : address.slice(gap + 2);
  const headGroups = head === '' ? [] : hextets(head);
  const tailGroups = tail === '' ? [] : hextets(tail);
  groups.push(...headGroups);
  for (let missing = 8 - headGroups.length - tailGroups.length; missing > 0; missing--) groups.push(0);
  groups.push(...tailGroups);
  for (let word = 0; word < 4; word++) out[word] = (((groups[word * 2] ?? 0) << 16) | (groups[word * 2 + 1] ?? 0)) >>> 0;
  return out;
}

/** `a:b:1.2.3.4` → [a, b, 0x0102, 0x0304]: an IPv4 tail counts as two groups. */
function hextets(part: string): number[] {
  const groups: number[] = [];
  for (const piece of part.split(':')) {
    if (piece.includes('.')) {
      const v4 = ipv4ToNumber(piece) ?? 0;
      groups.push(v4 >>> 16, v4 & 0xffff);
    } else groups.push(Number.parseInt(piece, 16));
  }
  return groups;
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:8.8.8.8`), else undefined. */
export function mappedIpv4(words: Uint32Array): number | undefined {
  return words[0] === 0 && words[1] === 0 && words[2] === 0xffff ? words[3] : undefined;
}

/** The unsigned 32-bit value back to a dotted quad. */
export function numberToIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}
