/**
 * Property tests: whatever arrives, the parsers never throw, never hang, and give exactly one output per input line
 * (parseLine) and one frame or framing error per frame (FrameDecoder). Runs and sizes are bounded so the file stays
 * fast; a failure prints fast-check's seed and the shrunk counterexample.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Frame, FrameDecoder, type FrameEvent, isFramingError } from '../../parsers/framing.js';
import { parseKeyValue } from '../../parsers/key-value.js';
import { type ParsedEvent, parseLine } from '../../parsers/parse-line.js';
import { parseSyslogHeader } from '../../parsers/syslog-header.js';
import { VARIANT_LINES } from '../support/parser-corpus.js';

const RECEIVED_AT = Date.parse('2026-11-25T16:00:00Z');
const GOLDEN = join(import.meta.dirname, '../fixtures/parsers/golden');
/** Real-looking lines of every producer and header shape: the golden inputs. */
const SEEDS = [
  ...readdirSync(GOLDEN)
    .filter((file) => file.endsWith('.log'))
    .map((file) => readFileSync(join(GOLDEN, file), 'utf8').replace(/\n$/, '')),
  ...Object.values(VARIANT_LINES),
];
const EMS_BODY = (VARIANT_LINES.observedEms.split(' ems-client: ')[1] as string).trim();

/**
 * The contract of parseLine, checked on every output: one well-formed event that keeps the raw line, and no internal
 * failure. Plain checks, one expect at the end: tens of thousands of lines go through here.
 */
function contractBreach(line: string, event: ParsedEvent): string | undefined {
  if (Array.isArray(event) || (event.kind !== 'event' && event.kind !== 'pipeline_error')) return 'not one event';
  const ecsEvent = event.document.event as { original?: unknown; kind?: unknown } | undefined;
  // A parser exception caught by parseLine's safety net is a bug, even though nothing was lost.
  if (event.kind === 'pipeline_error' && (event.document.error as { type?: unknown }).type !== 'parse_error')
    return `internal failure: ${event.problems[0]}`;
  if (ecsEvent?.original !== line) return 'event.original is not the line';
  if (ecsEvent.kind !== event.kind) return 'event.kind differs from kind';
  const timestamp = event.document['@timestamp'];
  if (typeof timestamp !== 'string' || Number.isNaN(Date.parse(timestamp))) return `invalid @timestamp ${String(timestamp)}`;
  if (event.dataset !== (event.document.data_stream as { dataset?: unknown }).dataset) return 'dataset differs from data_stream';
  try {
    JSON.stringify(event.document); // it goes to OpenSearch as JSON
  } catch (error) {
    return `not serialisable: ${(error as Error).message}`;
  }
  return undefined;
}

function parseChecked(line: string, zone?: string): ParsedEvent {
  const event = parseLine(line, zone === undefined ? { receivedAt: RECEIVED_AT } : { receivedAt: RECEIVED_AT, zone });
  const breach = contractBreach(line, event);
  if (breach !== undefined) expect.fail(`${breach} for ${JSON.stringify(line.slice(0, 300))} (zone ${zone})`);
  return event;
}

/** Characters that matter to the header and body grammars, plus a few that matter to nobody. */
const TROUBLE = ['"', '=', ' ', '\\', '<', '>', ':', '[', ']', '-', '\t', '\r', '\n', '\0', '\ufeff', '1', 'é', '👩‍💻', '\ud800'];
const troubleChar = fc.oneof(fc.constantFrom(...TROUBLE), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));

describe('parseLine on hostile lines', () => {
  it('takes any string: one well-formed event, never an internal failure', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (line) => {
        parseChecked(line);
      }),
      { numRuns: 400 },
    );
  });

  it('takes every prefix of every seed line (a line truncated at any position)', () => {
    let parsed = 0;
    for (const seed of SEEDS) {
      for (let length = 0; length <= seed.length; length++) {
        parseChecked(seed.slice(0, length));
        parsed++;
      }
    }
    expect(parsed).toBeGreaterThan(10_000);
  });

  it('takes seed lines with random insertions, deletions and replacements of grammar characters', () => {
    const mutation = fc.record({
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      op: fc.constantFrom('insert', 'delete', 'replace'),
      char: troubleChar,
    });
    fc.assert(
      fc.property(fc.constantFrom(...SEEDS), fc.array(mutation, { minLength: 1, maxLength: 8 }), (seed, mutations) => {
        let line = seed;
        for (const { at, op, char } of mutations) {
          const i = Math.floor(at * line.length);
          line = line.slice(0, i) + (op === 'delete' ? '' : char) + line.slice(op === 'insert' ? i : i + 1);
        }
        parseChecked(line);
      }),
      { numRuns: 600 },
    );
  });

  it('takes random PRI, timestamps, hosts and tags in front of a real body, and reads a valid PRI exactly', () => {
    const pri = fc.oneof(
      fc.integer({ min: 0, max: 191 }).map((n) => ({ text: `<${n}>`, valid: n as number | undefined })),
      fc
        .oneof(fc.integer({ min: -9, max: 99999 }).map(String), fc.string({ maxLength: 4 }))
        .map((n) => ({ text: `<${n}>`, valid: undefined })),
      fc.constant({ text: '', valid: undefined }),
    );
    const month = fc.constantFrom('Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec', 'Foo', 'nov');
    const bsd = fc
      .tuple(
        month,
        fc.integer({ min: 0, max: 40 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 0, max: 99 }),
      )
      .map(
        ([m, d, pad, h, mi, s]) =>
          `${m} ${pad ? String(d).padStart(2, ' ') : d} ${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}:${String(s).padStart(2, '0')}`,
      );
    const rfc3339 = fc
      .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
      .chain((date) =>
        fc.constantFrom(
          date.toISOString(),
          date.toISOString().replace('Z', '+05:30'),
          date.toISOString().replace('T', ' '),
          date.toISOString().slice(0, 19),
        ),
      );
    const timestamp = fc.oneof(bsd, rfc3339, fc.constant('-'), fc.constant(''), fc.string({ maxLength: 20 }));
    const token = fc.oneof(
      fc.constantFrom('ems01', 'ems-client', 'ems-client:', 'fcems[12]:', '-', '', 'a=b'),
      fc.string({ maxLength: 12 }),
    );
    const header = fc.tuple(fc.option(rfc3339, { nil: undefined }), pri, fc.boolean(), timestamp, fc.array(token, { maxLength: 5 }));
    const zone = fc.constantFrom(undefined, 'UTC', 'Europe/Paris', 'America/St_Johns', 'Pacific/Kiritimati', 'Australia/Lord_Howe');
    fc.assert(
      fc.property(
        header,
        zone,
        fc.constantFrom(EMS_BODY, '', 'x', 'a="unterminated'),
        ([relay, priority, version, time, tokens], zone, body) => {
          const line = `${relay ? `${relay} ` : ''}${priority.text}${version ? '1 ' : ''}${time} ${tokens.join(' ')} ${body}`;
          const event = parseChecked(line, zone);
          const header = parseSyslogHeader(line, { receivedAt: RECEIVED_AT, zone: zone ?? 'UTC' });
          expect(header.bodyStart).toBeGreaterThanOrEqual(0);
          expect(header.bodyStart).toBeLessThanOrEqual(line.length);
          if (relay === undefined && priority.valid !== undefined) {
            expect(header.priority).toBe(priority.valid);
            expect(header.facility).toBe(priority.valid >> 3);
            expect(header.severity).toBe(priority.valid & 7);
            const syslog = (event.document.log as { syslog?: { priority?: number } } | undefined)?.syslog;
            if (event.kind === 'event') expect(syslog?.priority).toBe(priority.valid);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('takes unbalanced quotes anywhere: every pair before the broken one is read exactly, a last one is reported', () => {
    const pairs = fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-z_]{1,8}$/), fc.string({ unit: 'binary', maxLength: 12 })), {
      minLength: 1,
      maxLength: 12,
      selector: ([key]) => key,
    });
    fc.assert(
      fc.property(pairs, fc.nat(), (list, which) => {
        const broken = which % list.length;
        // Every value quoted, its quotes and backslashes escaped as EMS writes them; then one loses its closing quote.
        const body = list.map(([key, value], i) => `${key}="${value.replace(/[\\"]/g, '\\$&')}${i === broken ? '' : '"'}`).join(' ');
        const result = parseKeyValue(body);
        for (const [key, value] of list.slice(0, broken)) expect(result.pairs[key]).toBe(value);
        if (broken === list.length - 1) {
          const [key, value] = list[broken] as [string, string];
          expect(result.pairs[key]).toBe(value);
          expect(result.problems).toContain(`unbalanced quote in the value of '${key}'`);
        }
        parseChecked(`<134>Nov 22 10:00:01 ems01 ems-client: ${body}`);
      }),
      { numRuns: 300 },
    );
  });

  it('turns a line parsed with an unknown zone (a configuration error) into one pipeline_error, never a throw', () => {
    const event = parseLine(VARIANT_LINES.observedEms, { receivedAt: RECEIVED_AT, zone: 'Not/A_Zone' });
    expect(event.kind).toBe('pipeline_error');
    expect((event.document.event as { original: string }).original).toBe(VARIANT_LINES.observedEms);
  });

  it('takes a 1 MB line quickly, in one piece', () => {
    const huge = `${VARIANT_LINES.observedEms} note="${'x'.repeat(1024 * 1024)}"`;
    const garbage = 'q'.repeat(1024 * 1024);
    const started = performance.now();
    const event = parseChecked(huge);
    parseChecked(garbage);
    parseChecked(`${VARIANT_LINES.observedEms} ${'z '.repeat(512 * 1024)}`);
    expect(event.kind).toBe('event');
    expect((event.document.fortiems as { extra: { note: string } }).extra.note).toHaveLength(1024 * 1024);
    // A hang guard, not a speed test: a quadratic scan of a megabyte takes minutes.
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('takes 10,000 keys: every unknown key kept in the flat field, the problems capped in the document', () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => `k${i}="v ${i}"`).join(' ');
    const junk = Array.from({ length: 10_000 }, (_, i) => `junk${i}`).join(' ');
    const started = performance.now();
    const event = parseChecked(`${VARIANT_LINES.observedEms} ${keys} ${junk}`);
    expect(event.kind).toBe('event');
    expect(Object.keys((event.document.fortiems as { extra: object }).extra)).toHaveLength(10_000);
    expect(event.problems).toHaveLength(10_000);
    expect((event.document.fortiems as { problems: string[] }).problems).toHaveLength(21);
    expect(performance.now() - started).toBeLessThan(3000);
  });
});

const bytesOf = (text: string) => Buffer.from(text, 'utf8');

type Framing = 'octet' | 'newline' | 'crlf';

function framed(message: string, framing: Framing): Buffer {
  if (framing === 'octet') return Buffer.concat([bytesOf(`${Buffer.byteLength(message)} `), bytesOf(message)]);
  return bytesOf(`${message}${framing === 'crlf' ? '\r\n' : '\n'}`);
}

/** Feeds the chunks; end() included. */
function decode(chunks: readonly Buffer[], maxMessageBytes?: number): FrameEvent[] {
  const decoder = new FrameDecoder(maxMessageBytes);
  const events = chunks.flatMap((chunk) => decoder.push(chunk));
  const last = decoder.end();
  if (last) events.push(last);
  return events;
}

/** Random cut points of a buffer (sorted, deduplicated), as a socket may deliver it. */
function cutAt(buffer: Buffer, fractions: readonly number[]): Buffer[] {
  const cuts = [...new Set(fractions.map((f) => Math.floor(f * buffer.length)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, buffer.length]) {
    if (cut > from) pieces.push(buffer.subarray(from, cut));
    from = Math.max(from, cut);
  }
  return pieces;
}

/**
 * A message newline framing can carry unchanged: no LF inside, no CR at its end, and it must not open like a frame
 * delimiter or an octet count (a bare line `12 x` IS read as octet counting: RFC 6587 cannot tell them apart).
 */
const newlineSafe = fc
  .string({ unit: 'binary', minLength: 1, maxLength: 120 })
  .filter((m) => !m.includes('\n') && !m.endsWith('\r') && !/^[\r\0]/.test(m) && !/^[1-9]\d{0,8} /.test(m));
const octetSafe = fc.string({ unit: 'binary', minLength: 1, maxLength: 120 });
const message = fc.oneof(
  octetSafe.map((text) => ({ text, framing: 'octet' as Framing })),
  fc.tuple(newlineSafe, fc.constantFrom<Framing>('newline', 'crlf')).map(([text, framing]) => ({ text, framing })),
);
const fractions = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 30 });

describe('FrameDecoder on random streams', () => {
  it('gives back exactly the messages, in order, for octet counting, newline, CRLF and a mix, however the stream is cut', () => {
    for (const only of ['octet', 'newline', undefined] as const) {
      const messages =
        only === undefined ? message : message.filter((m) => (only === 'octet' ? m.framing === 'octet' : m.framing !== 'octet'));
      fc.assert(
        fc.property(fc.array(messages, { minLength: 1, maxLength: 20 }), fractions, (list, cuts) => {
          const stream = Buffer.concat(list.map((m) => framed(m.text, m.framing)));
          const events = decode(cutAt(stream, cuts));
          expect(events).toEqual(list.map((m): Frame => ({ message: m.text, framing: m.framing === 'octet' ? 'octet' : 'newline' })));
        }),
        { numRuns: 150 },
      );
    }
  });

  it('gives one frame or one framing error per frame when some exceed the maximum size, and recovers after each', () => {
    const max = 48;
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 15 }), fractions, (list, cuts) => {
        const stream = Buffer.concat(list.map((m) => framed(m.text, m.framing)));
        const events = decode(cutAt(stream, cuts), max);
        expect(events).toHaveLength(list.length);
        list.forEach((m, i) => {
          const event = events[i] as FrameEvent;
          if (Buffer.byteLength(m.text) > max) {
            expect(isFramingError(event), `message ${i} of ${Buffer.byteLength(m.text)} bytes`).toBe(true);
            if (isFramingError(event)) expect(Buffer.byteLength(event.partial)).toBeLessThanOrEqual(max * 3);
          } else expect(event, `message ${i}`).toEqual({ message: m.text, framing: m.framing === 'octet' ? 'octet' : 'newline' });
        });
      }),
      { numRuns: 300 },
    );
  });

  it('takes random bytes (invalid UTF-8 included) in random chunks: the same events whatever the chunking, each one parsed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fractions, (array, cuts) => {
        const stream = Buffer.from(array);
        const whole = decode([stream]);
        expect(decode(cutAt(stream, cuts))).toEqual(whole);
        for (const event of whole) {
          expect(typeof (isFramingError(event) ? event.partial : event.message)).toBe('string');
          if (!isFramingError(event)) parseChecked(event.message);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('takes random bytes with a small maximum size without throwing, every event a frame or an error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fractions, (array, cuts) => {
        for (const event of decode(cutAt(Buffer.from(array), cuts), 16)) {
          if (isFramingError(event)) expect(event.error).toMatch(/maximum|longer than|connection closed/);
          else expect(Buffer.byteLength(event.message)).toBeLessThanOrEqual(16 * 3);
        }
      }),
      { numRuns: 300 },
    );
  });
});
