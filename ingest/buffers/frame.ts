import { crc32 } from 'node:zlib';

/**
 * How a record sits in a segment file: [u32 LE payload length][u32 LE crc32][payload bytes]. The checksum covers the
 * length field as well as the payload, so a zero-filled tail (a file extended but never written, as a crash can leave
 * it) or a damaged length never passes for a record: crc32 of four zero bytes is not zero.
 */
export const FRAME_HEADER_BYTES = 8;

/** The frames of `payloads`, back to back in one buffer: one copy of each payload's bytes, nothing re-encoded. */
export function encodeFrames(payloads: readonly Uint8Array[]): Buffer {
  let total = 0;
  for (let i = 0; i < payloads.length; i++) total += FRAME_HEADER_BYTES + (payloads[i] as Uint8Array).length;
  const buffer = Buffer.allocUnsafe(total);
  let offset = 0;
  for (let i = 0; i < payloads.length; i++) {
    const payload = payloads[i] as Uint8Array;
    const size = payload.length;
    buffer.writeUInt32LE(size, offset);
    buffer.set(payload, offset + FRAME_HEADER_BYTES);
    buffer.writeUInt32LE(frameChecksum(buffer, offset, size), offset + 4);
    offset += FRAME_HEADER_BYTES + size;
  }
  return buffer;
}

/** The checksum of the frame at `offset` in `buffer` whose payload is `size` bytes long. */
export function frameChecksum(buffer: Buffer, offset: number, size: number): number {
  return crc32(buffer.subarray(offset + FRAME_HEADER_BYTES, offset + FRAME_HEADER_BYTES + size), lengthChecksum(buffer, offset));
}

/** crc32 of the four length bytes, in JavaScript: a native call (and a slice) per record for four bytes costs more. */
function lengthChecksum(buffer: Buffer, offset: number): number {
  let c = 0xffffffff;
  for (let i = offset; i < offset + 4; i++) c = (CRC_TABLE[(c ^ (buffer[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const CRC_TABLE = Int32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

/** Whether the frame at `offset` (header and payload both inside `buffer`) is intact. */
export function frameIsIntact(buffer: Buffer, offset: number): boolean {
  const size = buffer.readUInt32LE(offset);
  return buffer.readUInt32LE(offset + 4) === frameChecksum(buffer, offset, size);
}
