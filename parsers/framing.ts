import { PendingBytes } from './pending-bytes.js';

/**
 * Splits a TCP byte stream into syslog messages. Each frame is detected on its own (as rsyslog does):
 * a frame that starts with a digit is RFC 6587 octet counting (`LEN SP MSG`), anything else ends at LF.
 * Oversized frames and a partial frame at connection close are reported as errors with their bytes, never dropped.
 */
export interface Frame {
  message: string;
  framing: 'octet' | 'newline';
}

export interface FramingError {
  error: string;
  /** What was received of the bad frame (at most maxMessageBytes), so it can be dead-lettered. */
  partial: string;
}

export type FrameEvent = Frame | FramingError;

export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;
const LF = 10;
const CR = 13;
const SPACE = 32;
const ZERO = 48;
const NINE = 57;
const MAX_LENGTH_DIGITS = 9;
/** octetFrame's answer for digits not followed by a space. */
const NOT_OCTET_COUNTED = -1;

export function isFramingError(event: FrameEvent): event is FramingError {
  return 'error' in event;
}

/** `LEN SP` at the start: a non-zero digit, at most MAX_LENGTH_DIGITS digits in all, then a space. */
function opensOctetCount(text: string): boolean {
  const first = text.charCodeAt(0);
  if (!(first > ZERO && first <= NINE)) return false;
  let i = 1;
  while (i < MAX_LENGTH_DIGITS && text.charCodeAt(i) >= ZERO && text.charCodeAt(i) <= NINE) i++;
  return text.charCodeAt(i) === SPACE;
}

export class FrameDecoder {
  /**
   * The unfinished frame's bytes, joined only when a chunk can complete it: a sender controls the chunk sizes, and
   * thousands of connections may each hold a partial frame, so no concatenation per chunk (O(n²)) and no strings.
   */
  private readonly pending = new PendingBytes();
  /** Octet counting: the bytes the pending frame needs (length header included) before it can be decoded; else 0. */
  private pendingNeeds = 0;
  /** Newline framing: the pending line has no LF yet. */
  private pendingLine = false;
  /** Bytes of an oversized frame still to skip (octet counting) or skip-until-LF (-1) mode. */
  private skipOctets = 0;
  private skippingLine = false;

  constructor(private readonly maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES) {}

  /** Bytes held for a frame that is not complete yet. */
  get bufferedBytes(): number {
    return this.pending.length;
  }

  /** Feeds bytes; returns the frames (and framing errors) they complete, in order. */
  push(chunk: Buffer): FrameEvent[] {
    const events: FrameEvent[] = [];
    if (chunk.length === 0) return events;
    if (this.pending.length > 0 && this.keepsWaiting(chunk)) {
      this.pending.append(chunk);
      return events;
    }
    const data = this.pending.take(chunk);
    this.pendingNeeds = 0;
    this.pendingLine = false;
    let offset = 0;
    const length = data.length;
    while (offset < length) {
      if (this.skipOctets > 0) {
        const skip = Math.min(this.skipOctets, length - offset);
        this.skipOctets -= skip;
        offset += skip;
        continue;
      }
      if (this.skippingLine) {
        const newline = data.indexOf(LF, offset);
        if (newline === -1) {
          offset = length;
          break;
        }
        this.skippingLine = false;
        offset = newline + 1;
        continue;
      }
      const first = data[offset] as number;
      if (first === LF || first === CR || first === 0) {
        offset++; // stray separators between frames
        continue;
      }
      if (first > ZERO && first <= NINE) {
        const consumed = this.octetFrame(data, offset, events);
        if (consumed === 0) break; // need more bytes
        if (consumed !== NOT_OCTET_COUNTED) {
          offset += consumed;
          continue;
        }
        // A bare line that starts with a number: newline framing below, with its size limit like any other line.
      }
      const newline = data.indexOf(LF, offset);
      if (newline === -1) {
        // One byte of slack: a message of exactly the maximum whose CRLF is cut between CR and LF is not oversized.
        if (length - offset > this.maxMessageBytes + 1) {
          events.push({
            error: `message longer than ${this.maxMessageBytes} bytes (newline framing); the rest of the line is skipped`,
            partial: data.toString('utf8', offset, offset + this.maxMessageBytes),
          });
          this.skippingLine = true;
          offset = length;
        } else this.pendingLine = true;
        break;
      }
      let end = newline;
      if (end > offset && data[end - 1] === CR) end--;
      if (end - offset > this.maxMessageBytes) {
        events.push({
          error: `message longer than ${this.maxMessageBytes} bytes (newline framing)`,
          partial: data.toString('utf8', offset, offset + this.maxMessageBytes),
        });
      } else {
        events.push({ message: data.toString('utf8', offset, end), framing: 'newline' });
      }
      offset = newline + 1;
    }
    if (offset < length) this.pending.append(data.subarray(offset));
    return events;
  }

  /** True when `chunk` cannot complete the pending frame nor make it oversized: it is only kept, not decoded. */
  private keepsWaiting(chunk: Buffer): boolean {
    const total = this.pending.length + chunk.length;
    if (this.pendingNeeds > 0) return total < this.pendingNeeds;
    // One byte of slack, as in push: a maximum-size line whose CRLF is cut between CR and LF is not oversized.
    return this.pendingLine && total <= this.maxMessageBytes + 1 && chunk.indexOf(LF) === -1;
  }

  /** Returns the bytes consumed, 0 when the frame is not complete yet, or NOT_OCTET_COUNTED. */
  private octetFrame(data: Buffer, offset: number, events: FrameEvent[]): number {
    let i = offset;
    let declared = 0;
    while (i < data.length && i - offset < MAX_LENGTH_DIGITS) {
      const code = data[i] as number;
      if (code < ZERO || code > NINE) break;
      declared = declared * 10 + (code - ZERO);
      i++;
    }
    if (i >= data.length) return 0; // the count itself is cut: at most nine bytes, decoded again with the next chunk
    // Digits not followed by a space: not octet counting after all (a bare line that starts with a number).
    if (data[i] !== SPACE) return NOT_OCTET_COUNTED;
    const start = i + 1;
    if (declared > this.maxMessageBytes) {
      // The error carries the first maxMessageBytes: wait for them, or what it keeps would depend on how the stream was cut
      // (a sender writing a byte at a time would leave it empty).
      if (data.length - start < this.maxMessageBytes) {
        this.pendingNeeds = start + this.maxMessageBytes - offset;
        return 0;
      }
      events.push({
        error: `octet-counted frame of ${declared} bytes exceeds the maximum of ${this.maxMessageBytes}`,
        partial: data.toString('utf8', start, start + this.maxMessageBytes),
      });
      const inBuffer = data.length - start;
      if (inBuffer >= declared) return start + declared - offset;
      this.skipOctets = declared - inBuffer;
      return data.length - offset;
    }
    if (data.length - start < declared) {
      this.pendingNeeds = start + declared - offset;
      return 0;
    }
    events.push({ message: data.toString('utf8', start, start + declared), framing: 'octet' });
    return start + declared - offset;
  }

  /** At connection close: a partial frame left in the buffer is reported, not dropped. */
  end(): FramingError | undefined {
    const rest = this.pending.take();
    this.pendingNeeds = 0;
    this.pendingLine = false;
    if (rest.length === 0 || this.skipOctets > 0) {
      const skipped = this.skipOctets;
      this.skipOctets = 0;
      return skipped > 0 ? { error: `connection closed ${skipped} bytes before the end of an oversized frame`, partial: '' } : undefined;
    }
    const text = rest.toString('utf8', 0, Math.min(rest.length, this.maxMessageBytes));
    if (opensOctetCount(text)) return { error: 'connection closed in the middle of an octet-counted frame', partial: text };
    // A last line without its LF is a complete message in newline framing (logger and many senders do this).
    return { error: 'connection closed before the end of the last line (no LF)', partial: text };
  }
}
