import { BOM, type Piece, type Splitter } from './splitter.js';

/**
 * NDJSON and text/plain: an element a line; CRLF is accepted and blank lines are skipped (they still count as lines).
 * A line longer than `maxChars` is not buffered past that: it comes out with its first `maxChars` characters and
 * `oversized` set, so what one element holds in memory is bounded whatever the sender sends.
 */
export class LineSplitter implements Splitter {
  private pending = '';
  /** Characters of the pending line dropped past the maximum. */
  private dropped = 0;
  private line = 0;

  constructor(private readonly maxChars = Number.POSITIVE_INFINITY) {}

  push(text: string, out: Piece[]): undefined {
    let start = 0;
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      this.emit(start === 0 ? this.pending + text.slice(0, newline) : text.slice(start, newline), out);
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    const rest = start === 0 ? this.pending + text : text.slice(start);
    // One character of slack: a line of exactly the maximum whose CRLF is cut between CR and LF is not oversized.
    if (rest.length > this.maxChars + 1) {
      this.dropped += rest.length - (this.maxChars + 1);
      this.pending = rest.slice(0, this.maxChars + 1);
    } else this.pending = rest;
    return undefined;
  }

  end(out: Piece[]): undefined {
    if (this.pending !== '' || this.dropped > 0) this.emit(this.pending, out);
    this.pending = '';
    return undefined;
  }

  private emit(raw: string, out: Piece[]): void {
    this.line += 1;
    const dropped = this.dropped;
    this.dropped = 0;
    const unmarked = this.line === 1 && raw.charCodeAt(0) === BOM ? raw.slice(1) : raw;
    const text = unmarked.endsWith('\r') && dropped === 0 ? unmarked.slice(0, -1) : unmarked;
    if (dropped > 0 || text.length > this.maxChars)
      out.push({ text: text.slice(0, this.maxChars), at: this.line, oversized: text.length + dropped });
    else if (text.trim() !== '') out.push({ text, at: this.line });
  }
}
