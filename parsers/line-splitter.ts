import { BOM, type Piece, type Splitter } from './splitter.js';

/**
 * NDJSON and text/plain: an element a line; CRLF is accepted and blank lines are skipped (they still count as lines).
 * A line longer than `maxChars` is not buffered past that: it comes out with its first `maxChars` characters and
 * `oversized` (its length) set, so what one element holds in memory is bounded whatever the sender sends.
 */
export class LineSplitter implements Splitter {
  private pending = '';
  /** Characters of the pending line dropped past the maximum, and whether the last of them was a CR. */
  private dropped = 0;
  private droppedCR = false;
  private line = 0;

  constructor(private readonly maxChars = Number.POSITIVE_INFINITY) {}

  push(text: string, out: Piece[]): undefined {
    let start = 0;
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      if (start === 0) {
        this.append(text.slice(0, newline));
        this.emit(this.pending, out);
        this.pending = '';
      } else this.emit(text.slice(start, newline), out);
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    this.append(start === 0 ? text : text.slice(start));
    return undefined;
  }

  end(out: Piece[]): undefined {
    if (this.pending !== '' || this.dropped > 0) this.emit(this.pending, out);
    this.pending = '';
    return undefined;
  }

  /** Adds to the pending line up to the maximum (plus one character: a CR cut from its LF), counting the rest. */
  private append(part: string): void {
    const room = Math.max(0, this.maxChars + 1 - this.pending.length);
    if (part.length <= room) {
      this.pending += part;
      return;
    }
    this.pending += part.slice(0, room);
    this.dropped += part.length - room;
    this.droppedCR = part.endsWith('\r');
  }

  private emit(raw: string, out: Piece[]): void {
    this.line += 1;
    const dropped = this.dropped;
    const droppedCR = this.droppedCR;
    this.dropped = 0;
    this.droppedCR = false;
    const unmarked = this.line === 1 && raw.charCodeAt(0) === BOM ? raw.slice(1) : raw;
    if (dropped > 0) {
      // The CR before the LF, if any, was among the dropped characters.
      out.push({ text: unmarked.slice(0, this.maxChars), at: this.line, oversized: unmarked.length + dropped - (droppedCR ? 1 : 0) });
      return;
    }
    const text = unmarked.endsWith('\r') ? unmarked.slice(0, -1) : unmarked;
    if (text.length > this.maxChars) out.push({ text: text.slice(0, this.maxChars), at: this.line, oversized: text.length });
    else if (text.trim() !== '') out.push({ text, at: this.line });
  }
}
