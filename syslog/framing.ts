/** How messages are delimited on a stream (RFC 6587): octet counting by default, newline framing on request. */
export type Framing = 'octet' | 'newline';

/** A message as text, or already as its UTF-8 bytes (a sink's payload: encoded once, never again). */
export type Message = string | Uint8Array;

const LF = 0x0a;
const CR = 0x0d;
const BACKSLASH = 0x5c;

const bytesOf = (message: Message): Uint8Array => (typeof message === 'string' ? Buffer.from(message, 'utf8') : message);

/** `LEN SP MSG`, LEN being the UTF-8 byte length of MSG (RFC 6587 §3.4.1). */
export function frameOctetCounted(message: Message): Buffer {
  const payload = bytesOf(message);
  const prefix = `${payload.length} `;
  const frame = Buffer.allocUnsafe(prefix.length + payload.length);
  frame.write(prefix, 0, 'latin1');
  frame.set(payload, prefix.length);
  return frame;
}

/**
 * `MSG LF` (RFC 6587 §3.4.2). A line break inside MSG would split it into two messages at the receiver, so CR and LF are
 * written as the escapes `\r` and `\n` (the body serializer never produces them; this guards other callers). Done on
 * the bytes: in UTF-8 the bytes 0x0A and 0x0D only ever stand for LF and CR.
 */
export function frameNewline(message: Message): Buffer {
  const payload = bytesOf(message);
  let breaks = 0;
  for (let i = payload.indexOf(LF); i >= 0; i = payload.indexOf(LF, i + 1)) breaks++;
  for (let i = payload.indexOf(CR); i >= 0; i = payload.indexOf(CR, i + 1)) breaks++;
  const frame = Buffer.allocUnsafe(payload.length + breaks + 1);
  if (breaks === 0) frame.set(payload, 0);
  else {
    let at = 0;
    for (const byte of payload) {
      if (byte === LF || byte === CR) {
        frame[at++] = BACKSLASH;
        frame[at++] = byte === LF ? 0x6e : 0x72;
      } else frame[at++] = byte;
    }
  }
  frame[frame.length - 1] = LF;
  return frame;
}

export function framerFor(framing: Framing): (message: Message) => Buffer {
  return framing === 'octet' ? frameOctetCounted : frameNewline;
}
