import { describe, expect, it } from 'vitest';
import { type Frame, FrameDecoder, type FrameEvent, type FramingError, isFramingError } from '../../parsers/framing.js';
import { cutInto, frame } from '../support/parser-corpus.js';

const EMS_LINE =
  '<134>Nov 22 10:00:01 ems01 ems-client: dtime="2026-11-22 10:00:01" type=event subtype=admin level=information ' +
  'emsserial=FCTEMS8822000123 msg="online" emshostname="" vd="default"';

/** Everything one connection yields: the frames of every chunk, then what end() reports. */
function decodeAll(chunks: readonly Buffer[], maxMessageBytes?: number): FrameEvent[] {
  const decoder = new FrameDecoder(maxMessageBytes);
  const events = chunks.flatMap((chunk) => decoder.push(chunk));
  const last = decoder.end();
  if (last) events.push(last);
  return events;
}

const bytes = (text: string) => Buffer.from(text, 'utf8');
const frames = (events: FrameEvent[]) => events.filter((event): event is Frame => !isFramingError(event));
const errors = (events: FrameEvent[]) => events.filter(isFramingError);

describe('framing detected per frame', () => {
  it('reads RFC 6587 octet counting, the length being UTF-8 bytes (not characters)', () => {
    const message = `${EMS_LINE} user="Zoë 👩‍💻"`;
    const stream = Buffer.concat([frame(message, 'octet'), frame(EMS_LINE, 'octet')]);
    expect(decodeAll([stream])).toEqual([
      { message, framing: 'octet' },
      { message: EMS_LINE, framing: 'octet' },
    ]);
  });

  it('keeps an LF inside an octet-counted message (it is data there, not a delimiter)', () => {
    const message = 'a=1\nb=2';
    expect(decodeAll([bytes(`${Buffer.byteLength(message)} ${message}`)])).toEqual([{ message, framing: 'octet' }]);
  });

  it('reads newline framing, drops the CR of CRLF and skips empty lines between frames', () => {
    expect(decodeAll([bytes(`${EMS_LINE}\r\n\r\n\n${EMS_LINE}\n`)])).toEqual([
      { message: EMS_LINE, framing: 'newline' },
      { message: EMS_LINE, framing: 'newline' },
    ]);
  });

  it('switches between octet counting and newline framing from one frame to the next', () => {
    const stream = Buffer.concat([frame('a=1', 'octet'), frame(EMS_LINE, 'newline'), frame('b=2', 'octet'), bytes('c=3\r\n')]);
    expect(decodeAll([stream])).toEqual([
      { message: 'a=1', framing: 'octet' },
      { message: EMS_LINE, framing: 'newline' },
      { message: 'b=2', framing: 'octet' },
      { message: 'c=3', framing: 'newline' },
    ]);
  });

  it('gives the same frames however the stream is cut, down to one byte per chunk', () => {
    const message = `${EMS_LINE} user="Zoë"`;
    const stream = Buffer.concat([frame(message, 'octet'), frame(message, 'newline'), frame(message, 'octet')]);
    const expected = decodeAll([stream]);
    expect(frames(expected)).toHaveLength(3);
    expect(decodeAll(cutInto(stream, new Array(stream.length).fill(1)))).toEqual(expected);
    for (let cut = 1; cut < stream.length; cut++) expect(decodeAll([stream.subarray(0, cut), stream.subarray(cut)])).toEqual(expected);
  });

  it('reads a bare line that starts with digits as newline framing: a relay-prefixed line, a number, digits and a tab', () => {
    const relayPrefixed = `2026-11-22T10:00:01.123456+00:00 ems01 ems-client: dtime="2026-11-22 10:00:01" msg="online"`;
    const stream = bytes(`${relayPrefixed}\n404\n1234567890123 ten digits and more\n7\tx=1\n`);
    expect(decodeAll(cutInto(stream, [3, 1, 40, 2, 7]))).toEqual([
      { message: relayPrefixed, framing: 'newline' },
      { message: '404', framing: 'newline' },
      { message: '1234567890123 ten digits and more', framing: 'newline' },
      { message: '7\tx=1', framing: 'newline' },
    ]);
  });

  it('decodes invalid UTF-8 to replacement characters without losing or merging frames', () => {
    const invalid = Buffer.from([0x61, 0x3d, 0xff, 0xfe, 0xc3]); // a=, two bytes that never start UTF-8, a truncated sequence
    const stream = Buffer.concat([bytes(`${invalid.length} `), invalid, invalid, bytes('\n'), frame('b=2', 'octet')]);
    expect(decodeAll([stream])).toEqual([
      { message: 'a=\ufffd\ufffd\ufffd', framing: 'octet' },
      { message: 'a=\ufffd\ufffd\ufffd', framing: 'newline' },
      { message: 'b=2', framing: 'octet' },
    ]);
  });
});

describe('maximum message size', () => {
  const max = 64;
  const long = `x=${'y'.repeat(100)}`;

  it('octet counting: reports the oversized frame with what was received (at most the maximum), then reads the next frame', () => {
    const stream = Buffer.concat([frame(long, 'octet'), frame('a=1', 'octet')]);
    for (const chunks of [[stream], cutInto(stream, [5, 30, 30, 30, 30])]) {
      const events = decodeAll(chunks, max);
      expect(events).toHaveLength(2);
      const [error, next] = events as [FramingError, Frame];
      expect(error.error).toBe('octet-counted frame of 102 bytes exceeds the maximum of 64');
      expect(long.startsWith(error.partial)).toBe(true);
      expect(error.partial.length).toBeLessThanOrEqual(max);
      expect(next).toEqual({ message: 'a=1', framing: 'octet' });
    }
  });

  it('newline framing: reports an oversized line whose LF is in the same chunk, then reads the next line', () => {
    const events = decodeAll([bytes(`${long}\na=1\n`)], max);
    expect(events).toEqual([
      { error: 'message longer than 64 bytes (newline framing)', partial: long.slice(0, max) },
      { message: 'a=1', framing: 'newline' },
    ]);
  });

  it('newline framing: reports an oversized line before its LF arrives, skips the rest of it, and recovers at the LF', () => {
    const events = decodeAll([bytes(long.slice(0, 80)), bytes(long.slice(80)), bytes('zzzz'), bytes('\na=1\n')], max);
    expect(events).toEqual([
      {
        error: 'message longer than 64 bytes (newline framing); the rest of the line is skipped',
        partial: long.slice(0, max),
      },
      { message: 'a=1', framing: 'newline' },
    ]);
  });

  it('bounds a bare line that starts with a digit like any other line (no unbounded buffering while waiting for LF)', () => {
    const digitLine = `1${'y'.repeat(100)}`;
    expect(decodeAll([bytes(`${digitLine}\na=1\n`)], max)).toEqual([
      { error: 'message longer than 64 bytes (newline framing)', partial: digitLine.slice(0, max) },
      { message: 'a=1', framing: 'newline' },
    ]);
    const decoder = new FrameDecoder(max);
    const events = decoder.push(bytes(digitLine));
    expect(errors(events)).toHaveLength(1);
    expect(decoder.push(bytes('y'.repeat(1000)))).toEqual([]);
    expect(decoder.push(bytes('\na=1\n'))).toEqual([{ message: 'a=1', framing: 'newline' }]);
  });

  it('accepts a message of exactly the maximum size in both framings', () => {
    const exact = 'z'.repeat(max);
    expect(decodeAll([frame(exact, 'octet'), frame(exact, 'newline')], max)).toEqual([
      { message: exact, framing: 'octet' },
      { message: exact, framing: 'newline' },
    ]);
  });
});

describe('connection close', () => {
  it('reports nothing after complete frames', () => {
    const decoder = new FrameDecoder();
    decoder.push(Buffer.concat([frame(EMS_LINE, 'octet'), frame(EMS_LINE, 'newline')]));
    expect(decoder.end()).toBeUndefined();
  });

  it('reports a partial octet-counted frame with the bytes received', () => {
    const decoder = new FrameDecoder();
    expect(decoder.push(frame(EMS_LINE, 'octet').subarray(0, 50))).toEqual([]);
    const error = decoder.end();
    expect(error?.error).toBe('connection closed in the middle of an octet-counted frame');
    expect(error?.partial).toBe(frame(EMS_LINE, 'octet').subarray(0, 50).toString());
  });

  it('reports a last line without its LF, with its text, instead of dropping it', () => {
    const decoder = new FrameDecoder();
    expect(decoder.push(bytes(`a=1\n${EMS_LINE}`))).toEqual([{ message: 'a=1', framing: 'newline' }]);
    expect(decoder.end()).toEqual({ error: 'connection closed before the end of the last line (no LF)', partial: EMS_LINE });
  });

  it('reports a connection closed in the middle of an oversized octet-counted frame being skipped', () => {
    const decoder = new FrameDecoder(16);
    expect(errors(decoder.push(bytes(`100 ${'x'.repeat(30)}`)))).toHaveLength(1);
    expect(decoder.end()).toEqual({ error: 'connection closed 70 bytes before the end of an oversized frame', partial: '' });
  });

  it('starts clean after end(): the next connection’s bytes are not mixed with the last one’s', () => {
    const decoder = new FrameDecoder();
    decoder.push(bytes('partial=1'));
    decoder.end();
    expect(decoder.push(bytes('a=1\n'))).toEqual([{ message: 'a=1', framing: 'newline' }]);
  });
});
