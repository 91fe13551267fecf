import { BOM, type Malformed, type Piece, type Splitter } from './splitter.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * A JSON array, one element at a time: tracks strings, escapes and nesting just enough to find where each element ends,
 * and leaves the element itself to JSON.parse. A body that is not an array is taken as a single element.
 */
export class JsonArraySplitter implements Splitter {
  /**
   * `maxChars` bounds an element's buffered text: past it the structure is still followed (strings, nesting) but the
   * text is not kept, and the element comes out with its first `maxChars` characters and `oversized` set.
   */
  constructor(private readonly maxChars = Number.POSITIVE_INFINITY) {}

  private state: 'start' | 'before' | 'value' | 'after' | 'done' | 'single' = 'start';
  private index = 0;
  private parts: string[] = [];
  /** Characters kept in `parts`, and those dropped past `maxChars`, of the element being read. */
  private kept = 0;
  private dropped = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private scalar = false;
  private afterComma = false;

  push(text: string, out: Piece[]): Malformed | undefined {
    let valueStart = this.state === 'value' || this.state === 'single' ? 0 : -1;
    const finish = (end: number) => {
      this.keep(text, valueStart, end);
      out.push(this.element(this.index));
      this.parts = [];
      this.index += 1;
      this.state = 'after';
      valueStart = -1;
    };
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      switch (this.state) {
        case 'start':
          if (isSpace(c) || c === BOM) continue;
          if (c === OPEN_ARRAY) this.state = 'before';
          else {
            this.state = 'single';
            valueStart = i;
          }
          continue;
        case 'single':
          continue;
        case 'before':
          if (isSpace(c)) continue;
          if (c === CLOSE_ARRAY && !this.afterComma) {
            this.state = 'done';
            continue;
          }
          if (c === CLOSE_ARRAY || c === COMMA) return { at: this.index, reason: `expected an element, found '${String.fromCharCode(c)}'` };
          if (c === CLOSE_OBJECT) return { at: this.index, reason: "expected an element, found '}'" };
          this.state = 'value';
          valueStart = i;
          this.depth = c === OPEN_ARRAY || c === OPEN_OBJECT ? 1 : 0;
          this.inString = c === QUOTE;
          this.escaped = false;
          this.scalar = this.depth === 0 && !this.inString;
          continue;
        case 'value':
          if (this.inString) {
            if (this.escaped) this.escaped = false;
            else if (c === BACKSLASH) this.escaped = true;
            else if (c === QUOTE) {
              this.inString = false;
              if (this.depth === 0) finish(i + 1);
            }
          } else if (this.scalar) {
            // A number or literal ends where the array's punctuation starts: hand that character to 'after'.
            if (c === COMMA || c === CLOSE_ARRAY || isSpace(c)) {
              finish(i);
              i -= 1;
            }
          } else if (c === QUOTE) this.inString = true;
          else if (c === OPEN_ARRAY || c === OPEN_OBJECT) this.depth += 1;
          else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
            this.depth -= 1;
            if (this.depth === 0) finish(i + 1);
          }
          continue;
        case 'after':
          if (isSpace(c)) continue;
          if (c === COMMA) {
            this.state = 'before';
            this.afterComma = true;
          } else if (c === CLOSE_ARRAY) this.state = 'done';
          else return { at: this.index, reason: `expected ',' or ']' after element ${this.index - 1}` };
          continue;
        case 'done':
          if (isSpace(c)) continue;
          return { at: this.index, reason: "unexpected data after the array's closing ']'" };
      }
    }
    if (valueStart !== -1) this.keep(text, valueStart, text.length);
    return undefined;
  }

  /** Appends text[from, to) to the element, up to the maximum; counts the rest. */
  private keep(text: string, from: number, to: number): void {
    const room = Math.max(0, Math.min(to - from, this.maxChars - this.kept));
    if (room > 0) this.parts.push(text.slice(from, from + room));
    this.kept += room;
    this.dropped += to - from - room;
  }

  private element(at: number): Piece {
    const piece: Piece = { text: this.parts.join(''), at };
    if (this.dropped > 0) piece.oversized = this.kept + this.dropped;
    this.kept = 0;
    this.dropped = 0;
    return piece;
  }

  end(out: Piece[]): Malformed | undefined {
    if (this.state === 'single') {
      out.push(this.element(0));
      return undefined;
    }
    if (this.state === 'start' || this.state === 'done') return undefined;
    return { at: this.index, reason: "the body ends inside the array (missing ']')" };
  }
}
