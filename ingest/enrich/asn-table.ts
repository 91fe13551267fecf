import { readFileSync } from 'node:fs';

/**
 * IP → autonomous system, from the inclusive ranges of the `@ip-location-db/asn` numeric CSV files
 * (`start,end,asn,organization`, bounds as decimal integers), held in typed arrays and searched by bisection.
 * A lookup allocates nothing. The files (~0.4 M IPv4 and ~0.1 M IPv6 rows, 32 MB) are parsed as bytes:
 * decoding them as text and splitting lines took over a second, byte parsing takes a fraction of that,
 * and only the ~90 k distinct organization names ever become strings.
 */

export interface AutonomousSystem {
  readonly number: number;
  readonly organization: string;
}

const COMMA = 0x2c;
const NEWLINE = 0x0a;
const QUOTE = 0x22;

/** One row's fields as byte offsets into the file. */
interface Row {
  start: number;
  startEnd: number;
  end: number;
  endEnd: number;
  asn: number;
  organization: number;
  organizationEnd: number;
}

/** Where `byte` next occurs in `bytes[from..to)`, or `to`. A JS loop: a native `indexOf` per field costs more than it scans. */
function find(bytes: Buffer, byte: number, from: number, to: number): number {
  let i = from;
  while (i < to && bytes[i] !== byte) i++;
  return i;
}

/** Reads the row at `position` into `row` (`row.asn` is -1 when it is malformed); returns where the next row starts. */
function readRow(bytes: Buffer, position: number, row: Row): number {
  const length = bytes.length;
  const firstComma = find(bytes, COMMA, position, length);
  const secondComma = find(bytes, COMMA, firstComma + 1, length);
  const thirdComma = find(bytes, COMMA, secondComma + 1, length);
  // The organization may hold commas (quoted) but never a newline.
  const lineEnd = find(bytes, NEWLINE, position, length);
  row.asn = -1;
  if (thirdComma < lineEnd) {
    row.start = position;
    row.startEnd = firstComma;
    row.end = firstComma + 1;
    row.endEnd = secondComma;
    row.asn = decimal(bytes, secondComma + 1, thirdComma);
    let from = thirdComma + 1;
    let to = lineEnd;
    while (to > from && (bytes[to - 1] === 0x0d || bytes[to - 1] === 0x20)) to--;
    if (to - from >= 2 && bytes[from] === QUOTE && bytes[to - 1] === QUOTE) {
      from++;
      to--;
    }
    row.organization = from;
    row.organizationEnd = to;
  }
  return lineEnd + 1;
}

/** A non-negative decimal up to 2^53 from bytes; -1 when a byte is not a digit. */
function decimal(bytes: Buffer, from: number, to: number): number {
  if (from >= to) return -1;
  let value = 0;
  for (let i = from; i < to; i++) {
    const digit = (bytes[i] as number) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * A decimal up to 2^128 - 1 into four 32-bit words (most significant first); false when malformed or too large.
 * Digits are taken four at a time (word * 10^4 + chunk stays below 2^53), a quarter of the multiplications.
 */
function decimal128(bytes: Buffer, from: number, to: number, out: Uint32Array, offset: number): boolean {
  if (from >= to) return false;
  out.fill(0, offset, offset + 4);
  for (let i = from; i < to; ) {
    let chunk = 0;
    let scale = 1;
    for (const chunkEnd = Math.min(i + 4, to); i < chunkEnd; i++) {
      const digit = (bytes[i] as number) - 48;
      if (digit < 0 || digit > 9) return false;
      chunk = chunk * 10 + digit;
      scale *= 10;
    }
    // out = out * scale + chunk, word by word from the least significant, carrying upwards.
    let carry = chunk;
    for (let word = offset + 3; word >= offset; word--) {
      const product = (out[word] as number) * scale + carry;
      out[word] = product >>> 0;
      carry = Math.floor(product / 4294967296);
    }
    if (carry !== 0) return false;
  }
  return true;
}

function sameBytes(a: Buffer, aFrom: number, aTo: number, b: Buffer, bFrom: number, bTo: number): boolean {
  if (aTo - aFrom !== bTo - bFrom) return false;
  for (let i = 0; i < aTo - aFrom; i++) if (a[aFrom + i] !== b[bFrom + i]) return false;
  return true;
}

/**
 * The (number, organization) pairs, each stored once; ranges point at them by index. An AS number nearly always
 * has one name, so the registry keeps the first system per number and chains the rare others; names are
 * compared as bytes and decoded once.
 */
class SystemRegistry {
  readonly systems: AutonomousSystem[] = [];
  private readonly firstByNumber = new Map<number, number>();
  private readonly nextWithSameNumber: number[] = [];
  private readonly nameFrom: number[] = [];
  private readonly nameTo: number[] = [];
  private readonly nameBytes: Buffer[] = [];

  indexOf(number: number, bytes: Buffer, from: number, to: number): number {
    const first = this.firstByNumber.get(number);
    let last = -1;
    for (let index = first ?? -1; index !== -1; index = this.nextWithSameNumber[index] as number) {
      if (sameBytes(this.nameBytes[index] as Buffer, this.nameFrom[index] as number, this.nameTo[index] as number, bytes, from, to)) {
        return index;
      }
      last = index;
    }
    const index = this.systems.length;
    this.systems.push(Object.freeze({ number, organization: bytes.toString('utf8', from, to).replaceAll('""', '"') }));
    this.nextWithSameNumber.push(-1);
    this.nameFrom.push(from);
    this.nameTo.push(to);
    this.nameBytes.push(bytes);
    if (last === -1) this.firstByNumber.set(number, index);
    else this.nextWithSameNumber[last] = index;
    return index;
  }

  /** Lets go of the file buffers the name comparisons refer to. */
  release(): void {
    this.firstByNumber.clear();
    this.nameBytes.length = 0;
  }
}

/**
 * Ranges with `width` 32-bit words per bound (1 for IPv4, 4 for IPv6), sorted by start. Overlaps in the source
 * (an IPv4 range nested in the one before it is seen in the data) are clipped to what lies beyond the previous
 * range, so bisection stays exact.
 */
class RangeTable {
  private count = 0;
  private starts: Uint32Array;
  private ends: Uint32Array;
  private systems: Uint32Array;

  constructor(
    private readonly width: 1 | 4,
    capacity: number,
  ) {
    this.starts = new Uint32Array(capacity * width);
    this.ends = new Uint32Array(capacity * width);
    this.systems = new Uint32Array(capacity);
  }

  /** The scratch slots the next range's bounds are parsed into. */
  get nextOffset(): number {
    if (this.count === this.systems.length) this.grow();
    return this.count * this.width;
  }

  get startWords(): Uint32Array {
    return this.starts;
  }

  get endWords(): Uint32Array {
    return this.ends;
  }

  /** Keeps the range whose bounds were parsed at `nextOffset`, clipped against the previous one; false when nothing is left of it. */
  commit(system: number): boolean {
    const offset = this.count * this.width;
    if (compare(this.ends, offset, this.starts, offset, this.width) < 0) return false;
    if (this.count > 0) {
      const previous = offset - this.width;
      if (compare(this.starts, offset, this.ends, previous, this.width) <= 0) {
        if (!increment(this.ends, previous, this.starts, offset, this.width)) return false;
        if (compare(this.ends, offset, this.starts, offset, this.width) < 0) return false;
      }
    }
    this.systems[this.count++] = system;
    return true;
  }

  private grow(): void {
    const resize = (array: Uint32Array, size: number) => {
      const bigger = new Uint32Array(size);
      bigger.set(array);
      return bigger;
    };
    const capacity = Math.max(1024, this.systems.length * 2);
    this.starts = resize(this.starts, capacity * this.width);
    this.ends = resize(this.ends, capacity * this.width);
    this.systems = resize(this.systems, capacity);
  }

  compact(): void {
    this.starts = this.starts.slice(0, this.count * this.width);
    this.ends = this.ends.slice(0, this.count * this.width);
    this.systems = this.systems.slice(0, this.count);
  }

  /** The index of the system whose range holds `value` (`width` words at `offset`), or -1. */
  find(value: Uint32Array, offset: number): number {
    let low = 0;
    let high = this.count - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      if (compare(this.starts, middle * this.width, value, offset, this.width) <= 0) low = middle + 1;
      else high = middle - 1;
    }
    return high >= 0 && compare(this.ends, high * this.width, value, offset, this.width) >= 0 ? (this.systems[high] as number) : -1;
  }

  get size(): number {
    return this.count;
  }

  get bytes(): number {
    return this.starts.byteLength + this.ends.byteLength + this.systems.byteLength;
  }
}

/** Compares `width` words of `a` at `aOffset` with those of `b` at `bOffset`: negative, zero or positive. */
function compare(a: Uint32Array, aOffset: number, b: Uint32Array, bOffset: number, width: number): number {
  for (let i = 0; i < width; i++) {
    const difference = (a[aOffset + i] as number) - (b[bOffset + i] as number);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** target = source + 1; false on overflow past the top of the address space. */
function increment(source: Uint32Array, sourceOffset: number, target: Uint32Array, targetOffset: number, width: number): boolean {
  let carry = 1;
  for (let i = width - 1; i >= 0; i--) {
    const sum = (source[sourceOffset + i] as number) + carry;
    target[targetOffset + i] = sum >>> 0;
    carry = sum > 0xffffffff ? 1 : 0;
  }
  return carry === 0;
}

function loadRanges(file: string, width: 1 | 4, registry: SystemRegistry): RangeTable {
  const bytes = readFileSync(file);
  const table = new RangeTable(width, width === 1 ? 1 << 19 : 1 << 17);
  const row: Row = { start: 0, startEnd: 0, end: 0, endEnd: 0, asn: -1, organization: 0, organizationEnd: 0 };
  for (let position = 0; position < bytes.length; ) {
    position = readRow(bytes, position, row);
    if (row.asn <= 0) continue;
    const offset = table.nextOffset;
    if (width === 1) {
      const start = decimal(bytes, row.start, row.startEnd);
      const end = decimal(bytes, row.end, row.endEnd);
      if (start < 0 || end < 0 || end > 0xffffffff) continue;
      table.startWords[offset] = start;
      table.endWords[offset] = end;
    } else if (
      !decimal128(bytes, row.start, row.startEnd, table.startWords, offset) ||
      !decimal128(bytes, row.end, row.endEnd, table.endWords, offset)
    ) {
      continue;
    }
    table.commit(registry.indexOf(row.asn, bytes, row.organization, row.organizationEnd));
  }
  table.compact();
  return table;
}

export interface AsnTableFiles {
  /** `asn-ipv4-num.csv`. */
  ipv4: string;
  /** `asn-ipv6-num.csv`. */
  ipv6: string;
}

export class AsnTable {
  private readonly ipv4Value = new Uint32Array(1);

  private constructor(
    private readonly ipv4: RangeTable,
    private readonly ipv6: RangeTable,
    private readonly systems: readonly AutonomousSystem[],
  ) {}

  /** Reads and indexes both files (synchronously: it runs once). */
  static load(files: AsnTableFiles): AsnTable {
    const registry = new SystemRegistry();
    const ipv4 = loadRanges(files.ipv4, 1, registry);
    const ipv6 = loadRanges(files.ipv6, 4, registry);
    registry.release();
    return new AsnTable(ipv4, ipv6, registry.systems);
  }

  /** The system announcing an IPv4 address given as its unsigned 32-bit value. */
  lookupIpv4(value: number): AutonomousSystem | undefined {
    this.ipv4Value[0] = value;
    const index = this.ipv4.find(this.ipv4Value, 0);
    return index === -1 ? undefined : this.systems[index];
  }

  /** The system announcing an IPv6 address given as four 32-bit words. */
  lookupIpv6(words: Uint32Array): AutonomousSystem | undefined {
    const index = this.ipv6.find(words, 0);
    return index === -1 ? undefined : this.systems[index];
  }

  /** Range and system counts and the bytes the typed arrays hold (the organization strings come on top). */
  stats(): { ipv4Ranges: number; ipv6Ranges: number; systems: number; rangeBytes: number } {
    return {
      ipv4Ranges: this.ipv4.size,
      ipv6Ranges: this.ipv6.size,
      systems: this.systems.length,
      rangeBytes: this.ipv4.bytes + this.ipv6.bytes,
    };
  }
}
