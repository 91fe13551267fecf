import { isIP } from 'node:net';

/** Dotted-quad IPv4 without a regular expression (the common case on the hot path); IPv6 falls back to node:net. */
export function isIpAddress(text: string): boolean {
  const length = text.length;
  if (length >= 7 && length <= 15) {
    let octets = 0;
    let value = 0;
    let digits = 0;
    let i = 0;
    for (; i < length; i++) {
      const code = text.charCodeAt(i);
      if (code === 46) {
        if (digits === 0 || value > 255) break;
        octets++;
        value = 0;
        digits = 0;
      } else if (code >= 48 && code <= 57) {
        if (digits > 0 && value === 0) break; // leading zero
        value = value * 10 + code - 48;
        if (++digits > 3) break;
      } else break;
    }
    if (i === length) return octets === 3 && digits > 0 && value <= 255;
  }
  return text.includes(':') && isIP(text) === 6;
}
