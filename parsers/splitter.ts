/**
 * What the incremental body splitters share: they are fed a body's text as it arrives and hand out each complete
 * element's text, leaving the element itself to the caller.
 */

/** One element's text and where it is: its line (1-based) for line formats, its index (0-based) in a JSON array. */
export interface Piece {
  text: string;
  at: number;
  /**
   * Set when the element was longer than the splitter's maximum: its full length in characters. `text` then holds
   * only its first maximum characters (the rest was never buffered), and the caller reports it as such.
   */
  oversized?: number;
}

export interface Malformed {
  at: number;
  reason: string;
}

export interface Splitter {
  /** Appends the complete elements in `text` to `out`; returns the structural problem that stopped it, if any. */
  push(text: string, out: Piece[]): Malformed | undefined;
  end(out: Piece[]): Malformed | undefined;
}

export const BOM = 0xfeff;
