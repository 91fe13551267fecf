/**
 * What the incremental body splitters share: they are fed a body's text as it arrives and hand out each complete
 * element's text, leaving the element itself to the caller.
 */

/** One element's text and where it is: its line (1-based) for line formats, its index (0-based) in a JSON array. */
export interface Piece {
  text: string;
  at: number;
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
