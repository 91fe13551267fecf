/** How messages are delimited on a stream (RFC 6587): octet counting by default, newline framing on request. */
export type Framing = 'octet' | 'newline';

/** `LEN SP MSG`, LEN being the UTF-8 byte length of MSG (RFC 6587 §3.4.1). */
export function frameOctetCounted(message: string): Buffer {
  const payload = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${payload.length} `, 'ascii'), payload]);
}

/**
 * `MSG LF` (RFC 6587 §3.4.2). A line break inside MSG would split it into two messages at the receiver, so CR and LF are
 * written as the escapes `\r` and `\n` (the body serializer never produces them; this guards other callers).
 */
export function frameNewline(message: string): Buffer {
  return Buffer.from(`${message.replace(/\r/g, '\\r').replace(/\n/g, '\\n')}\n`, 'utf8');
}

export function framerFor(framing: Framing): (message: string) => Buffer {
  return framing === 'octet' ? frameOctetCounted : frameNewline;
}
