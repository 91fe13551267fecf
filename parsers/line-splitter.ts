import { BOM, type Piece, type Splitter } from './splitter.js';

/** NDJSON and text/plain: an element a line; CRLF is accepted and blank lines are skipped (they still count as lines). */
export class LineSplitter implements Splitter {
  private pending = '';
  private line = 0;

  push(text: string, out: Piece[]): undefined {
    let start = 0;
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      this.emit(start === 0 ? this.pending + text.slice(0, newline) : text.slice(start, newline), out);
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    this.pending = start === 0 ? this.pending + text : text.slice(start);
    return undefined;
  }

  end(out: Piece[]): undefined {
    if (this.pending !== '') this.emit(this.pending, out);
    this.pending = '';
    return undefined;
  }

  private emit(raw: string, out: Piece[]): void {
    this.line += 1;
    const unmarked = this.line === 1 && raw.charCodeAt(0) === BOM ? raw.slice(1) : raw;
    const text = unmarked.endsWith('\r') ? unmarked.slice(0, -1) : unmarked;
    if (text.trim() !== '') out.push({ text, at: this.line });
  }
}
