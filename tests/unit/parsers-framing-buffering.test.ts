import { afterEach, describe, expect, it, vi } from 'vitest';
import { FrameDecoder } from '../../parsers/framing.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** Feeds `data` one byte per chunk (the worst a sender can do), counting the joins the decoder makes. */
function feedByteByByte(decoder: FrameDecoder, data: Buffer) {
  const concat = vi.spyOn(Buffer, 'concat');
  const events = [];
  for (let i = 0; i < data.length; i++) events.push(...decoder.push(data.subarray(i, i + 1)));
  const joins = concat.mock.calls.length;
  concat.mockRestore();
  return { events, joins };
}

describe('a partial frame is held compactly', () => {
  it('a 64 KiB line in one-byte chunks is held as bytes and joined once, not once per chunk', () => {
    const decoder = new FrameDecoder(65_536);
    const line = `<13>${'x'.repeat(65_536 - 4)}`;
    const { events, joins } = feedByteByByte(decoder, Buffer.from(line));
    expect(events).toEqual([]);
    expect(decoder.bufferedBytes).toBe(65_536);
    // Repeated concatenation would be 65,535 joins (and O(n²) bytes copied).
    expect(joins).toBe(0);
    const done = decoder.push(Buffer.from('\n'));
    expect(done).toEqual([{ message: line, framing: 'newline' }]);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('an octet-counted frame in one-byte chunks is joined once it is complete', () => {
    const decoder = new FrameDecoder(65_536);
    const message = `<13>${'é'.repeat(20_000)}`;
    const frame = Buffer.from(`${Buffer.byteLength(message)} ${message}`);
    const { events, joins } = feedByteByByte(decoder, frame);
    expect(events).toEqual([{ message, framing: 'octet' }]);
    // The length header needs a few joins until its space arrives; the body none until its last byte.
    expect(joins).toBeLessThanOrEqual(8);
  });

  it('delivers what it held at end(), byte for byte, however it arrived', () => {
    const decoder = new FrameDecoder(65_536);
    const text = `<13>partial ${'ü'.repeat(3000)}`;
    feedByteByByte(decoder, Buffer.from(text));
    expect(decoder.end()).toEqual({ error: 'connection closed before the end of the last line (no LF)', partial: text });
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('still reports a line that grows past the maximum while it waits, and recovers at its LF', () => {
    const decoder = new FrameDecoder(1024);
    const { events } = feedByteByByte(decoder, Buffer.from(`<13>${'y'.repeat(2000)}`));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ error: expect.stringContaining('longer than 1024 bytes') });
    expect(decoder.bufferedBytes).toBe(0);
    expect(decoder.push(Buffer.from('rest\n<13>next\n'))).toEqual([{ message: '<13>next', framing: 'newline' }]);
  });

  it('does not keep a large chunk alive for the few bytes of the next frame it ends with', () => {
    const decoder = new FrameDecoder(65_536);
    const chunk = Buffer.from(`<13>${'z'.repeat(60_000)}\n<13>sta`);
    decoder.push(chunk);
    expect(decoder.bufferedBytes).toBe(7);
    const held = (decoder as unknown as { pending: { segments: Buffer[]; tail?: Buffer } }).pending;
    const buffers = [...held.segments, ...(held.tail ? [held.tail] : [])];
    expect(buffers.every((buffer) => buffer.buffer !== chunk.buffer)).toBe(true);
    expect(decoder.push(Buffer.from('rt\n'))).toEqual([{ message: '<13>start', framing: 'newline' }]);
  });
});
