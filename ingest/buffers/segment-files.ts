import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** A segment file: records firstSeq, firstSeq + 1, … back to back, appended only. */
export interface Segment {
  readonly firstSeq: number;
  readonly path: string;
  /** Records in the file (durable ones: the writer counts a record once it is fsynced). */
  count: number;
  /** Bytes of those records, i.e. where the next frame goes. */
  size: number;
}

const SEGMENT_NAME = /^(\d{20})\.seg$/;

/** Named by first seq, zero-padded, so that the names sort like the seqs. */
export function segmentPath(dir: string, firstSeq: number): string {
  return join(dir, `${String(firstSeq).padStart(20, '0')}.seg`);
}

export function segmentEnd(segment: Segment): number {
  return segment.firstSeq + segment.count;
}

/** The segment files in `dir`, oldest first (count and size not known yet: recovery scans them). */
export async function listSegments(dir: string): Promise<Segment[]> {
  const segments: Segment[] = [];
  for (const name of await readdir(dir)) {
    const match = SEGMENT_NAME.exec(name);
    if (!match) continue;
    const firstSeq = Number(match[1]);
    if (Number.isSafeInteger(firstSeq) && firstSeq > 0) segments.push({ firstSeq, path: join(dir, name), count: 0, size: 0 });
  }
  return segments.sort((a, b) => a.firstSeq - b.firstSeq);
}
