import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonArraySplitter } from '../../parsers/json-array-splitter.js';
import { LineSplitter } from '../../parsers/line-splitter.js';
import type { Piece, Splitter } from '../../parsers/splitter.js';

function split(splitter: Splitter, chunks: string[]): Piece[] {
  const out: Piece[] = [];
  for (const chunk of chunks) splitter.push(chunk, out);
  splitter.end(out);
  return out;
}

/** The text cut at the given offsets. */
const cut = (text: string, offsets: number[]) => {
  const points = [...new Set(offsets.map((o) => o % (text.length + 1)))].sort((a, b) => a - b);
  const chunks: string[] = [];
  let from = 0;
  for (const point of points) {
    chunks.push(text.slice(from, point));
    from = point;
  }
  chunks.push(text.slice(from));
  return chunks;
};

describe('body splitters bounded by max_message_bytes', () => {
  it('lines: however the body is cut, each line is whole up to the maximum, else its first max characters and its length', () => {
    const MAX = 8;
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z ]{0,20}$/), { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 6 }),
        (lines, crlf, offsets) => {
          const body = lines.join(crlf ? '\r\n' : '\n');
          const expected = lines.flatMap((line, i) =>
            line.length > MAX
              ? [{ text: line.slice(0, MAX), at: i + 1, oversized: line.length }]
              : line.trim() === ''
                ? []
                : [{ text: line, at: i + 1 }],
          );
          expect(split(new LineSplitter(MAX), cut(body, offsets))).toEqual(expected);
        },
      ),
    );
  });

  it('a JSON array: an oversized element keeps its first max characters; the structure is still followed', () => {
    const body = JSON.stringify(['ok', { message: 'x'.repeat(50), nested: ['"]', '\\'] }, 7]);
    const pieces = split(new JsonArraySplitter(16), cut(body, [3, 20, 41, 60]));
    expect(pieces).toEqual([
      { text: '"ok"', at: 0 },
      { text: body.slice(6, 22), at: 1, oversized: JSON.stringify({ message: 'x'.repeat(50), nested: ['"]', '\\'] }).length },
      { text: '7', at: 2 },
    ]);
  });
});
