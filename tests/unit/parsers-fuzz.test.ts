/**
 * Property tests, one target per parser: whatever arrives, the parsers never throw, never hang, and give exactly one
 * output per input line (parseLine), one frame or framing error per frame and the same frames however the stream is cut
 * (FrameDecoder), a header whose body starts inside the line (parseSyslogHeader), back the pairs that were written
 * (parseKeyValue), back the structured data that was written (parseStructuredData), and a predicate or a syntax error, then a plain answer on any document (the forwarding filter).
 * Runs and sizes are bounded so the file stays fast; a failure prints fast-check's seed and the shrunk counterexample.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileForwardFilter } from '../../ingest/forward/filter.js';
import { compileQuery } from '../../ingest/forward/filter-query.js';
import { type Frame, FrameDecoder, type FrameEvent, isFramingError } from '../../parsers/framing.js';
import { MAX_SD_PARAMS, parseStructuredData } from '../../parsers/generic-syslog.js';
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

/** SD-NAME: printable US-ASCII except `=`, space, `]` and `"` (RFC 5424 §6.3.2). */
const sdName = fc.stringMatching(/^[!#-<>-\\^-~]{1,12}$/);

describe('parseStructuredData on written and hostile structured data', () => {
  it('gives back exactly the elements and values written, escapes and all, in an RFC 5424 line too', () => {
    const element = fc.tuple(
      sdName,
      fc.uniqueArray(fc.tuple(sdName, fc.string({ unit: 'binary', maxLength: 16 })), { maxLength: 6, selector: ([name]) => name }),
    );
    fc.assert(
      fc.property(fc.uniqueArray(element, { minLength: 1, maxLength: 5, selector: ([id]) => id }), (elements) => {
        // As a sender escapes (§6.3.3): `"`, `\` and `]` get a backslash.
        const text = elements
          .map(([id, params]) => `[${id}${params.map(([name, value]) => ` ${name}="${value.replace(/["\\\]]/g, '\\$&')}"`).join('')}]`)
          .join('');
        const result = parseStructuredData(text);
        expect(result.problems).toEqual([]);
        const expected = Object.fromEntries(elements.map(([id, params]) => [id, Object.fromEntries(params)]));
        expect(JSON.parse(JSON.stringify(result.elements))).toEqual(JSON.parse(JSON.stringify(expected)));
        const event = parseChecked(`<165>1 2026-11-25T15:59:59Z host app - - ${text} msg`);
        expect(event.dataset).toBe('fortiems.syslog');
        expect(JSON.stringify((event.document.log as { syslog: { structured_data?: unknown } }).syslog.structured_data)).toBe(
          JSON.stringify(result.elements),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('takes any string of grammar characters: never throws, never pollutes a prototype, keeps at most the cap', () => {
    const text = fc.array(fc.oneof(troubleChar, fc.constantFrom('[', ']', '="', '__proto__', 'constructor', ' a="b"')), { maxLength: 60 });
    fc.assert(
      fc.property(text, (parts) => {
        const result = parseStructuredData(parts.join(''));
        let params = 0;
        for (const element of Object.values(result.elements)) {
          expect(Object.getPrototypeOf(element)).toBe(Object.prototype);
          params += Object.values(element).flat().length;
        }
        expect(params).toBeLessThanOrEqual(MAX_SD_PARAMS);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
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

  it('gives the same frames, and framing errors with the same bytes, fed a byte at a time as in one chunk', () => {
    // Only an error's wording may differ: an oversized line is reported before its LF when the LF has not arrived yet.
    const sameWhateverTheCut = (events: FrameEvent[]) =>
      events.map((event) => (isFramingError(event) ? { partial: event.partial } : event));
    const stream = fc.oneof(
      fc.array(message, { minLength: 1, maxLength: 8 }).map((list) => Buffer.concat(list.map((m) => framed(m.text, m.framing)))),
      fc.uint8Array({ maxLength: 600 }).map((array) => Buffer.from(array)),
      fc.array(fc.constantFrom(...TROUBLE), { maxLength: 300 }).map((chars) => bytesOf(chars.join(''))),
    );
    fc.assert(
      fc.property(stream, fc.constantFrom(16, 64, 1024), (bytes, max) => {
        const byteByByte = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
        expect(sameWhateverTheCut(decode(byteByByte, max))).toEqual(sameWhateverTheCut(decode([bytes], max)));
      }),
      { numRuns: 300 },
    );
  });
});

/** Lines made of the characters the header grammar reacts to, in any order. */
const grammarLine = (alphabet: readonly string[], maxLength: number) =>
  fc.array(fc.constantFrom(...alphabet), { maxLength }).map((chars) => chars.join(''));
const HEADER_ALPHABET = ['<', '>', '1', '3', '4', ' ', '[', ']', ':', '-', 'T', 'Z', '+', 'Dec', ' 4', '13:00:00', '2026-12-04', 'h', '='];

describe('parseSyslogHeader on hostile lines', () => {
  it('never throws; the body starts inside the line and the fields it reports are read from it', () => {
    const line = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), grammarLine(HEADER_ALPHABET, 40));
    const zone = fc.constantFrom('UTC', 'Europe/Paris', 'America/St_Johns');
    fc.assert(
      fc.property(line, zone, (text, zone) => {
        const header = parseSyslogHeader(text, { receivedAt: RECEIVED_AT, zone });
        expect(['rfc5424', 'rfc3164', 'none']).toContain(header.format);
        expect(header.bodyStart).toBeGreaterThanOrEqual(0);
        expect(header.bodyStart).toBeLessThanOrEqual(text.length);
        for (const field of [header.hostname, header.appName, header.procId, header.msgId])
          if (field !== undefined) expect(text).toContain(field);
        if (header.priority !== undefined) expect(header.priority).toBeLessThanOrEqual(191);
        if (header.timestamp !== undefined) expect(Number.isFinite(header.timestamp)).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  it("reads a tag only from a token that ends with ':' (the removed [pid] regexes never matched any other)", () => {
    // The regular expressions the header once used beside endsWith(':'), kept here as the oracle on short tokens.
    const withPid = /^[^\s[]+\[[^\]]*\]:$/;
    const pidAnywhere = /\[[^\]]*\]:$/;
    fc.assert(
      fc.property(grammarLine(['[', ']', ':', 'a', '1', '\t', '\u00a0', '='], 12), (token) => {
        expect(token.endsWith(':') || withPid.test(token)).toBe(token.endsWith(':'));
        expect(token.endsWith(':') || pidAnywhere.test(token)).toBe(token.endsWith(':'));
        const header = parseSyslogHeader(`<134>Dec  4 13:00:00 ems01 ${token} k=v`, { receivedAt: RECEIVED_AT, zone: 'UTC' });
        if (!token.endsWith(':') || token.includes('=')) expect(header.appName).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps an RFC 5424 time with a zone designator as written, and puts one without in the source zone', () => {
    // The regular expression the header once used, kept here as the oracle.
    const zoneDesignator = /(?:[Zz]|[+-]\d\d:?\d\d)$/;
    const suffix = fc.oneof(
      fc.constantFrom('', 'Z', 'z', '+05:30', '-0530', '+05:3', '+5:30', '05:30', '+0530Z', '.123+01:00', '.5-02'),
      grammarLine(['+', '-', ':', '0', '5', 'Z', '.'], 7),
    );
    fc.assert(
      fc.property(suffix, (tail) => {
        const time = `2026-12-04T13:00:00${tail}`;
        const header = parseSyslogHeader(`<134>1 ${time} h app - - - body`, { receivedAt: RECEIVED_AT, zone: 'Asia/Tokyo' });
        const asWritten = Date.parse(time);
        if (Number.isNaN(asWritten)) expect(header.timestamp).toBeUndefined();
        else if (zoneDesignator.test(time)) expect(header.timestamp).toBe(asWritten);
        else {
          // Wall time in Tokyo (UTC+9, no DST), whatever the machine's zone.
          const wall = Date.parse(`${time}Z`);
          expect(header.timestamp).toBe(Number.isNaN(wall) ? asWritten : wall - 9 * 3_600_000);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseKeyValue on hostile bodies', () => {
  it('gives back exactly the pairs written, quoted with escapes or bare, in order', () => {
    const bare = fc.string({ maxLength: 10 }).filter((v) => !/[\s"\\]/.test(v) && !v.startsWith('"'));
    const pairs = fc.uniqueArray(
      fc.tuple(fc.stringMatching(/^[a-z_][a-z0-9_.-]{0,9}$/), fc.string({ unit: 'binary', maxLength: 16 }), fc.boolean()),
      { maxLength: 15, selector: ([key]) => key },
    );
    fc.assert(
      fc.property(pairs, bare, (list, plain) => {
        const body = list
          .map(([key, value, quoted]) => (quoted || plain === '' ? `${key}="${value.replace(/[\\"]/g, '\\$&')}"` : `${key}=${plain}`))
          .join(' ');
        const result = parseKeyValue(body);
        expect(result.problems).toEqual([]);
        expect(result.order).toEqual(list.map(([key]) => key));
        for (const [key, value, quoted] of list) expect(result.pairs[key]).toBe(quoted || plain === '' ? value : plain);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on any body: every key it reports is a pair, each once, and problems are text', () => {
    const body = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      grammarLine(['"', '=', ' ', '\\', '\t', 'k', 'v', '__proto__'], 60),
    );
    fc.assert(
      fc.property(body, (text) => {
        const result = parseKeyValue(text);
        expect(new Set(result.order).size).toBe(result.order.length);
        expect(Object.keys(result.pairs).sort()).toEqual([...result.order].sort());
        for (const key of result.order) expect(typeof result.pairs[key]).toBe('string');
        for (const problem of result.problems) expect(typeof problem).toBe('string');
        expect(Object.getPrototypeOf(result.pairs)).toBe(Object.prototype);
      }),
      { numRuns: 1500 },
    );
  });
});

describe('parseLine on lines of grammar characters', () => {
  it('gives exactly one well-formed event per line', () => {
    const alphabet = [...HEADER_ALPHABET, '"', '\\', 'ems-client:', 'emsserial=', 'dtime=', 'msg=', 'x'];
    fc.assert(
      fc.property(grammarLine(alphabet, 60), (line) => {
        parseChecked(line);
      }),
      { numRuns: 1500 },
    );
  });
});

describe('the forwarding filter on hostile queries and values', () => {
  const QUERY_ALPHABET = ['message', 'hostname', ':', '*', '"', '\\', '(', ')', ' ', 'AND', 'OR', 'NOT', '_exists_', 'a', '.', '-'];

  it('compiles any query to a predicate or a positioned syntax error, and the predicate answers on any document', () => {
    const documents = SEEDS.slice(0, 8)
      .map((line) => parseLine(line, { receivedAt: RECEIVED_AT }))
      .concat(parseLine('garbage', { receivedAt: RECEIVED_AT }));
    const query = fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), grammarLine(QUERY_ALPHABET, 14));
    fc.assert(
      fc.property(query, fc.anything(), (text, value) => {
        let filter: ReturnType<typeof compileForwardFilter>;
        try {
          filter = compileForwardFilter({ query: text });
        } catch (error) {
          expect((error as Error).message).toMatch(/^forward filter query: syntax error at position \d+: expected /);
          return;
        }
        for (const event of documents) expect(typeof filter(event)).toBe('boolean');
        const odd = { ...(documents[0] as ParsedEvent), document: { message: value, ems: { hostname: value }, event: value } };
        expect(typeof filter(odd)).toBe('boolean');
      }),
      { numRuns: 1500 },
    );
  });

  it('matches a bare wildcard term exactly as an anchored pattern would (`*` only at the ends)', () => {
    const word = grammarLine(['a', 'b', '*', '-', '.'], 6).filter((w) => w !== '');
    const value = grammarLine(['a', 'b', '*', '-', '.', '\n'], 10);
    const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
    fc.assert(
      fc.property(word, value, (pattern, text) => {
        const leading = pattern.startsWith('*');
        const trailing = pattern.endsWith('*') && pattern.length > 1;
        const core = pattern.slice(leading ? 1 : 0, trailing ? -1 : undefined);
        const oracle = pattern === '*' ? /^/s : new RegExp(`^${leading ? '.*' : ''}${escapeRegExp(core)}${trailing ? '.*' : ''}$`, 's');
        expect(compileQuery(`message:${pattern}`)({ message: text })).toBe(oracle.test(text));
        expect(compileQuery(`message:${pattern}`)({ message: [1, text] })).toBe(oracle.test(text) || oracle.test('1'));
      }),
      { numRuns: 1000 },
    );
  });
});
