/**
 * npm run bench:parse — framing + syslog header + key=value + typed decode + ECS normalization, on one core,
 * over a corpus of EMS core lines (RFC 3164, octet-counted, as a TCP stream delivers them in 64 KiB chunks).
 * Prints lines/s and MB/s per stage combination; asserts nothing.
 */

import { runSimulation } from '../../ems-core/simulation/runner.js';
import { Simulation } from '../../ems-core/simulation/simulation.js';
import type { CategoryName } from '../../mappings/index.js';
import { decodeCanonicalEmsBody } from '../../parsers/ems-decode.js';
import { FrameDecoder, isFramingError } from '../../parsers/framing.js';
import { parseKeyValue } from '../../parsers/key-value.js';
import { parseLine } from '../../parsers/parse-line.js';
import { parseSyslogHeader } from '../../parsers/syslog-header.js';
import { formatLine } from '../../syslog/index.js';

const COUNT = Number(process.env.BENCH_LINES ?? 1_000_000);
const MONDAY = Date.parse('2026-11-23T00:00:00Z');

/** The corpus as one framed byte stream (off the JS heap, as a socket would hand it over), built in slices. */
async function corpus(): Promise<{ count: number; stream: Buffer }> {
  const slices: Buffer[] = [];
  let pending: string[] = [];
  let count = 0;
  const sim = new Simulation({ seed: 1, start: MONDAY, endpoints: 2000 });
  await runSimulation(
    sim,
    (line) => {
      const text = formatLine(line, { format: 'rfc3164', hostname: 'ems01.corp.example.com' });
      pending.push(`${Buffer.byteLength(text)} ${text}`);
      count++;
      if (pending.length === 10_000) {
        slices.push(Buffer.from(pending.join('')));
        pending = [];
      }
    },
    { count: COUNT },
  );
  slices.push(Buffer.from(pending.join('')));
  return { count, stream: Buffer.concat(slices) };
}

function chunks(buffer: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buffer.length; i += size) out.push(buffer.subarray(i, i + size));
  return out;
}

function report(label: string, lines: number, bytes: number, seconds: number): void {
  console.log(
    `${label.padEnd(46)} ${Math.round(lines / seconds)
      .toLocaleString('en')
      .padStart(10)} lines/s  ${(bytes / 1e6 / seconds).toFixed(1).padStart(7)} MB/s`,
  );
}

function time(run: () => void): number {
  const started = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const generated = Date.now();
const { count, stream } = await corpus();
const pieces = chunks(stream, 64 * 1024);
console.log(
  `corpus: ${count.toLocaleString('en')} EMS lines, ${(stream.length / 1e6).toFixed(1)} MB framed (generated in ${((Date.now() - generated) / 1000).toFixed(1)} s); Node ${process.version}, one core`,
);
const receivedAt = Date.parse('2026-11-30T00:00:00Z');
let sink = 0;

// The whole path first, while the JS heap holds no corpus (the stream is off-heap): what a receiver would see.
const full = time(() => {
  const decoder = new FrameDecoder();
  for (const piece of pieces) {
    for (const frame of decoder.push(piece)) {
      if (isFramingError(frame)) continue;
      sink += parseLine(frame.message, { receivedAt }).problems.length;
    }
  }
});
const serialized = time(() => {
  const decoder = new FrameDecoder();
  for (const piece of pieces) {
    for (const frame of decoder.push(piece)) {
      if (isFramingError(frame)) continue;
      sink += JSON.stringify(parseLine(frame.message, { receivedAt }).document).length;
    }
  }
});

const lines: string[] = [];
report(
  'framing (octet counting, 64 KiB chunks)',
  count,
  stream.length,
  time(() => {
    const decoder = new FrameDecoder();
    for (const piece of pieces) for (const frame of decoder.push(piece)) if (!isFramingError(frame)) lines.push(frame.message);
  }),
);
report(
  'syslog header',
  count,
  stream.length,
  time(() => {
    for (const line of lines) sink += parseSyslogHeader(line, { receivedAt, zone: 'UTC' }).bodyStart;
  }),
);
report(
  'header + key=value (general path)',
  count,
  stream.length,
  time(() => {
    for (const line of lines)
      sink += parseKeyValue(line.slice(parseSyslogHeader(line, { receivedAt, zone: 'UTC' }).bodyStart)).order.length;
  }),
);
report(
  'header + typed decode (fast path)',
  count,
  stream.length,
  time(() => {
    for (const line of lines) {
      const header = parseSyslogHeader(line, { receivedAt, zone: 'UTC' });
      sink += decodeCanonicalEmsBody(header.appName as CategoryName, line.slice(header.bodyStart), 'UTC')?.problems.length ?? 1;
    }
  }),
);
report('framing + header + kv + typed decode + ECS', count, stream.length, full);
report('… + JSON serialization (what a sink sends)', count, stream.length, serialized);
const heap = process.memoryUsage();
console.log(
  `rss ${(heap.rss / 1048576).toFixed(0)} MiB, heap used ${(heap.heapUsed / 1048576).toFixed(0)} MiB (corpus included); checksum ${sink}`,
);
