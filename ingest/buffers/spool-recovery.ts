import { open, rm, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ACK_FILE, readAckFile } from './ack-file.js';
import { FRAME_HEADER_BYTES } from './frame.js';
import { FrameReader } from './frame-reader.js';
import { listSegments, type Segment, segmentEnd } from './segment-files.js';

/** What a previous process left in a spool directory, made consistent. */
export interface RecoveredSpool {
  /** Segments that still hold unacked records, oldest first, scanned (count and size set). */
  readonly segments: Segment[];
  /** The first seq to serve again. */
  readonly watermark: number;
  /** Where `watermark` starts in `segments[0]`. */
  readonly watermarkOffset: number;
  /** Where numbering continues. */
  readonly nextSeq: number;
  /** Seqs between kept segments that no file holds any more (lost to a corrupt frame): to be counted as acked. */
  readonly gaps: readonly (readonly [number, number])[];
  /** Records at or above the watermark: how many, their payload bytes, their bytes on disk. */
  readonly events: number;
  readonly bytes: number;
  readonly diskBytes: number;
}

/**
 * Scans every segment that may hold unacked records, checking each frame. A torn or corrupt frame (a crash
 * mid-write, a damaged disk) ends its segment: the file is truncated there with a warning, what came before is kept,
 * and recovery never throws for it. Segments wholly below the persisted watermark are deleted without being read.
 */
export async function recoverSpool(dir: string, warn: (message: string) => void): Promise<RecoveredSpool> {
  await rm(join(dir, `${ACK_FILE}.tmp`), { force: true });
  const persisted = await readAckFile(dir, warn);
  const listed = await listSegments(dir);
  const kept: Segment[] = [];
  let watermarkOffset = 0;
  for (let i = 0; i < listed.length; i++) {
    const segment = listed[i] as Segment;
    const next = listed[i + 1];
    if (persisted !== undefined && next !== undefined && next.firstSeq <= persisted) {
      await unlink(segment.path);
      continue;
    }
    const previous = kept.at(-1);
    if (previous !== undefined && segment.firstSeq < segmentEnd(previous)) {
      warn(`disk spool ${dir}: ${basename(segment.path)} overlaps the segment before it; ignored`);
      continue;
    }
    const mark = await scanSegment(segment, persisted, dir, warn);
    if (segment.count === 0 || (persisted !== undefined && segmentEnd(segment) <= persisted)) {
      await unlink(segment.path);
      continue;
    }
    if (kept.length === 0 && mark !== undefined) watermarkOffset = mark;
    kept.push(segment);
  }

  const first = kept[0];
  const last = kept.at(-1);
  let watermark = persisted ?? first?.firstSeq ?? 1;
  // Below the first kept segment everything was acked (its segments were deleted) or never existed.
  if (first !== undefined && watermark < first.firstSeq) watermark = first.firstSeq;
  const nextSeq = last !== undefined ? segmentEnd(last) : watermark;

  const gaps: [number, number][] = [];
  let events = 0;
  let diskBytes = 0;
  for (let i = 0; i < kept.length; i++) {
    const segment = kept[i] as Segment;
    const from = i === 0 ? watermark : segment.firstSeq;
    events += segmentEnd(segment) - from;
    diskBytes += segment.size - (i === 0 ? watermarkOffset : 0);
    const following = kept[i + 1];
    if (following !== undefined && following.firstSeq > segmentEnd(segment)) gaps.push([segmentEnd(segment), following.firstSeq]);
  }
  return {
    segments: kept,
    watermark,
    watermarkOffset,
    nextSeq,
    gaps,
    events,
    bytes: diskBytes - events * FRAME_HEADER_BYTES,
    diskBytes,
  };
}

/** Counts the intact frames of `segment` (setting count and size) and truncates what follows them; returns the offset of `markSeq` if the segment holds it. */
async function scanSegment(
  segment: Segment,
  markSeq: number | undefined,
  dir: string,
  warn: (message: string) => void,
): Promise<number | undefined> {
  const file = await open(segment.path, 'r+');
  try {
    const fileSize = (await file.stat()).size;
    const reader = new FrameReader(file, fileSize, 4 << 20);
    let offset = 0;
    let count = 0;
    let mark: number | undefined;
    while (offset < fileSize) {
      if (segment.firstSeq + count === markSeq) mark = offset;
      const frame = reader.frameInWindow(offset) ?? (await reader.frame(offset));
      if (!frame.ok) {
        warn(
          `disk spool ${dir}: ${basename(segment.path)}: ${frame.problem} at byte ${offset}; ` +
            `truncated ${fileSize - offset} bytes, kept ${count} records before it`,
        );
        await file.truncate(offset);
        break;
      }
      offset += FRAME_HEADER_BYTES + frame.size;
      count++;
    }
    if (segment.firstSeq + count === markSeq) mark = offset;
    segment.count = count;
    segment.size = offset;
    return mark;
  } finally {
    await file.close();
  }
}
