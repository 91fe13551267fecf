/**
 * No input can stall the pipeline: every parser on the hot path takes time linear in its input. A regular expression
 * in the syslog header parser once took 4.6 s on one 64 KiB line of '[' (an unauthenticated UDP datagram is enough).
 *
 * Timing on a shared, noisy machine must not flake, so each check compares a 64 KiB input with a 1 KiB input of the same
 * shape, both timed as the fastest of several runs (other processes only ever add time). Linear code gives a ratio near
 * 64 and quadratic code near 4096: the bound, 400, leaves room for noise on either side. The ratio is not trusted below
 * RATIO_NOISE_FLOOR_MS, where fixed costs and caches dominate; a quadratic 64 KiB scan is two billion steps, far above
 * it. An absolute bound (100 ms for a 64 KiB line, when the bug took seconds) backs the ratio up.
 */
import { describe, expect, it } from 'vitest';
import { compileForwardFilter } from '../../ingest/forward/filter.js';
import { FrameDecoder } from '../../parsers/framing.js';
import { parseStructuredData } from '../../parsers/generic-syslog.js';
import { parseKeyValue } from '../../parsers/key-value.js';
import { type ParsedEvent, parseLine } from '../../parsers/parse-line.js';
import { parseSyslogHeader } from '../../parsers/syslog-header.js';

const SMALL = 1024;
const LARGE = 64 * 1024;
const MAX_RATIO = 400;
const MAX_LARGE_MS = 100;
const RATIO_NOISE_FLOOR_MS = 5;
const RECEIVED_AT = Date.parse('2026-12-04T13:00:05Z');
/** Enough time for the slowest case on quadratic code to report its figures instead of timing out. */
const TIMEOUT_MS = 120_000;

/** `prefix`, then `unit` repeated, then `suffix`: exactly `size` characters. */
function shaped(prefix: string, unit: string, suffix = ''): (size: number) => string {
  return (size) => {
    const fill = size - prefix.length - suffix.length;
    return prefix + unit.repeat(Math.ceil(fill / unit.length)).slice(0, fill) + suffix;
  };
}

/** The fastest of `runs` timings (ms) of `work`; gives up after two runs slower than `giveUpMs` (it has failed). */
function fastest(runs: number, work: () => void, giveUpMs = 2000): number {
  let best = Number.POSITIVE_INFINITY;
  let slow = 0;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    work();
    const elapsed = performance.now() - started;
    best = Math.min(best, elapsed);
    if (elapsed > giveUpMs && ++slow >= 2) break;
  }
  return best;
}

/** Times `run` on the 1 KiB and the 64 KiB input of a shape and asserts the growth is linear. */
function expectLinear<T>(make: (size: number) => T, run: (input: T) => void): void {
  const small = make(SMALL);
  const large = make(LARGE);
  const repeats = LARGE / SMALL;
  // Warm-up: the JIT compiles on small inputs, so the large run is not timed through the interpreter.
  for (let i = 0; i < 3 * repeats; i++) run(small);
  // The small input runs as many times as it takes to cover the same bytes: a timing far above the clock's resolution.
  const smallMs =
    fastest(7, () => {
      for (let i = 0; i < repeats; i++) run(small);
    }) / repeats;
  const largeMs = fastest(5, () => run(large));
  const figures = `64 KiB: ${largeMs.toFixed(3)} ms, 1 KiB: ${smallMs.toFixed(4)} ms, ratio ${(largeMs / smallMs).toFixed(0)}`;
  expect(largeMs, figures).toBeLessThan(MAX_LARGE_MS);
  if (largeMs >= RATIO_NOISE_FLOOR_MS) expect(largeMs / smallMs, figures).toBeLessThan(MAX_RATIO);
}

const EMS_HEAD = '<134>Dec  4 13:00:00 ems01 ems-client: dtime="2026-12-04 13:00:00" type=event subtype=endpoint level=warning';
const EMS_TAIL = ' emsserial=FCTEMS8883780002 msg="Endpoint offline" emshostname="ems01" vd="default"';

/** Whole lines: every header form, and bodies that push each part of the body grammar to its worst. */
const LINES: Record<string, (size: number) => string> = {
  "BSD header, a tag of '['": shaped('<134>Dec  4 13:00:00 h ', '['),
  "BSD header, a host of '['": shaped('<134>Dec  4 13:00:00 ', '['),
  "BSD header, '[' then ']' without ':'": shaped('<134>Dec  4 13:00:00 h [', '[', ']'),
  "BSD header, '[]' pairs": shaped('<134>Dec  4 13:00:00 h ', '[]'),
  "BSD header, a tag of ':'": shaped('<134>Dec  4 13:00:00 h ', ':'),
  "only '['": shaped('', '['),
  "only '<'": shaped('', '<'),
  "'<134>' repeated": shaped('', '<134>'),
  'only digits': shaped('', '1'),
  'only spaces': shaped('', ' '),
  "'1 ' repeated": shaped('', '1 '),
  'an RFC 3339 relay time of digits': shaped('2026-12-04T', '1'),
  'an RFC 3339 relay time, a long offset': shaped('2026-12-04T13:00:00', '+00:00'),
  "RFC 5424, structured data of '['": shaped('<134>1 2026-12-04T13:00:00Z h app - - ', '['),
  'RFC 5424, escaped quotes in structured data': shaped('<134>1 2026-12-04T13:00:00Z h app - - [x a="', '\\"'),
  "RFC 5424, a timestamp of '-'": shaped('<134>1 ', '-'),
  'RFC 5424, thousands of parameters': shaped('<134>1 2026-12-04T13:00:00Z h app - - [x', ' a="b"', ']'),
  'RFC 5424, thousands of elements': shaped('<134>1 2026-12-04T13:00:00Z h app - - ', '[x a="b"]'),
  'RFC 5424, escaped brackets in a value': shaped('<134>1 2026-12-04T13:00:00Z h app - - [x a="', '\\]', '"] m'),
  'RFC 3164, a tag[pid] of digits': shaped('<134>Dec  4 13:00:00 h app[', '1', ']: free text'),
  "only '\"'": shaped('', '"'),
  "only '='": shaped('', '='),
  "only '\\'": shaped('', '\\'),
  'escaped quotes in a value': shaped('a="', '\\"'),
  'k=k=k=…': shaped('', 'k='),
  'unclosed quotes: a=" a=" …': shaped('', 'a=" '),
  'tokens without =': shaped('', 'a '),
  'duplicate keys': shaped('', 'a=1 '),
  'empty keys': shaped('', '= '),
  'tabs and quotes': shaped('a=\t"', '\t"'),
  'backslash before every quote': shaped('a="', '\\\\"'),
  'an EMS line with a 64 KiB message': shaped(`${EMS_HEAD} msg="`, 'x', `"${EMS_TAIL}`),
  'an EMS line with a deviceip of hex and colons': shaped(`${EMS_HEAD} deviceip=`, '1:', EMS_TAIL),
  'an EMS line with a devicemac of separators': shaped(`${EMS_HEAD} devicemac=`, ':-.', EMS_TAIL),
  'an EMS line with a level of spaces': shaped(`${EMS_HEAD.replace(' level=warning', '')} level="`, ' ', `"${EMS_TAIL}`),
  'an EMS line with an os of OS words': shaped(`${EMS_HEAD} os="`, 'win chrome mac i', `"${EMS_TAIL}`),
  'an EMS line with a dtime of digits': shaped('<134>Dec  4 13:00:00 ems01 ems-client: dtime="', '1', `"${EMS_TAIL}`),
  'an EMS line with escapes in every value': shaped(`${EMS_HEAD} msg="`, '\\"\\\\', `"${EMS_TAIL}`),
  'a FortiClient line with a srcip of colons': shaped('date=2026-12-04 time=13:00:00 logver=1 fctver=7.2 srcip=', ':'),
  'a FortiGate line with an eventtime of digits': shaped('logid="0107045057" type="event" subtype="endpoint" eventtime=', '9'),
};

describe('every parser takes time linear in its input (64 KiB against 1 KiB of the same shape)', { timeout: TIMEOUT_MS }, () => {
  describe('syslog header', () => {
    for (const [name, make] of Object.entries(LINES))
      it(name, () => expectLinear(make, (line) => parseSyslogHeader(line, { receivedAt: RECEIVED_AT, zone: 'UTC' })));
    it('in a zone, with a zone-less RFC 3339 time of digits', () =>
      expectLinear(shaped('<134>2026-12-04T13:00:00.', '1'), (line) =>
        parseSyslogHeader(line, { receivedAt: RECEIVED_AT, zone: 'Europe/Paris' }),
      ));
  });

  describe('key=value tokenizer', () => {
    for (const [name, make] of Object.entries(LINES)) it(name, () => expectLinear(make, (body) => parseKeyValue(body)));
  });

  describe('parseLine (header, body, typed decode, ECS)', () => {
    for (const [name, make] of Object.entries(LINES))
      it(name, () => {
        expect(parseLine(make(LARGE), { receivedAt: RECEIVED_AT }).document.event).toMatchObject({ original: make(LARGE) });
        expectLinear(make, (line) => parseLine(line, { receivedAt: RECEIVED_AT }));
      });
  });

  describe('structured data', () => {
    const SD: Record<string, (size: number) => string> = {
      'one parameter after another': shaped('[x', ' a="b"', ']'),
      'one element after another': shaped('', '[x a="b"]'),
      'a repeated parameter': shaped('[x', ' ip="1"', ']'),
      'repeated SD-IDs': shaped('', '[x]'),
      'escapes in a value': shaped('[x a="', '\\"\\\\\\]', '"]'),
      'backslashes without a closing quote': shaped('[x a="', '\\'),
      "only '['": shaped('', '['),
      'a long SD-ID': shaped('[', 'x', ']'),
    };
    for (const [name, make] of Object.entries(SD)) it(name, () => expectLinear(make, (text) => parseStructuredData(text)));
  });

  describe('framing decoder', () => {
    const decodeWhole = (stream: Buffer) => {
      const decoder = new FrameDecoder(LARGE);
      decoder.push(stream);
      decoder.end();
    };
    /** As a sender that writes a byte at a time delivers it: each chunk must not cost the whole buffered frame. */
    const decodeByteByByte = (stream: Buffer) => {
      const decoder = new FrameDecoder(LARGE);
      for (let i = 0; i < stream.length; i++) decoder.push(stream.subarray(i, i + 1));
      decoder.end();
    };
    const newline = (make: (size: number) => string) => (size: number) => Buffer.from(`${make(size - 1)}\n`);
    const octet = (size: number) => {
      const count = `${size - 1 - String(size).length} `;
      return Buffer.from(count + '['.repeat(size - count.length));
    };
    const frames: Record<string, (size: number) => Buffer> = {
      "a line of '['": newline(shaped('', '[')),
      'a line of digits (an octet count that is not one)': newline(shaped('', '1')),
      "a line of '\\r'": newline(shaped('x', '\r')),
      'an octet-counted frame': octet,
      'a line without its LF': (size) => Buffer.from('<'.repeat(size)),
      'LF after LF': (size) => Buffer.from('\n'.repeat(size)),
    };
    for (const [name, make] of Object.entries(frames)) {
      it(`${name}, in one chunk`, () => expectLinear(make, decodeWhole));
      it(`${name}, a byte at a time`, () => expectLinear(make, decodeByteByByte));
    }
  });

  describe('forwarding filter on attacker-controlled field values', () => {
    const QUERIES = [
      'message:*[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]*',
      'message:*aaaaaaaaaaaaaaaaaaaaaaaaaaaaaab',
      'message:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab*',
      'event.original:*a*a*a*a*a*a*a*a*a*a*b*',
      'NOT event.original:"[[[[" AND _exists_:message OR hostname:*-*',
    ];
    const filters = QUERIES.map((query) => compileForwardFilter({ query }));
    const message = (unit: string) => (size: number) => {
      const event: ParsedEvent = parseLine('not a log line', { receivedAt: RECEIVED_AT });
      const text = shaped('', unit)(size);
      return { ...event, document: { ...event.document, message: text, event: { original: text }, ems: { hostname: text } } };
    };
    for (const unit of ['[', 'a', 'a*', '-', 'ab'])
      it(`${QUERIES.length} queries against values of ${JSON.stringify(unit)}`, () =>
        expectLinear(message(unit), (event) => {
          for (const filter of filters) filter(event);
        }));
  });
});
