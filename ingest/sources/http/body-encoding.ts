/** The Content-Encodings the HTTP source decodes (RFC 9110 §8.4); `deflate` is the zlib format, as the RFC says. */
export type BodyEncoding = 'identity' | 'gzip' | 'deflate';

const CODINGS = new Map<string, BodyEncoding>([
  ['identity', 'identity'],
  ['gzip', 'gzip'],
  ['x-gzip', 'gzip'],
  ['deflate', 'deflate'],
]);

/**
 * The body's encoding from its Content-Encoding header, or undefined when we cannot decode it: an unknown coding, or
 * more than one (nobody stacks them in practice, and each layer would need its own bound).
 */
export function bodyEncoding(header: string | string[] | undefined): BodyEncoding | undefined {
  if (header === undefined) return 'identity';
  const codings = (Array.isArray(header) ? header.join(',') : header)
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  if (codings.length === 0) return 'identity';
  if (codings.length > 1) return undefined;
  return CODINGS.get(codings[0] as string);
}
