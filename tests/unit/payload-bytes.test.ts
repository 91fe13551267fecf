import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDiskSpool } from '../../ingest/buffers/disk-spool.js';
import type { BufferRecord } from '../../ingest/buffers/event-buffer.js';
import { MemoryBuffer } from '../../ingest/buffers/memory-buffer.js';
import { encodeBulkCreate } from '../../ingest/sinks/search/bulk-encoding.js';
import { deadLetterEntry } from '../../ingest/sinks/search/dead-letter.js';
import { batchBody } from '../../ingest/sinks/search/search-driver.js';
import type { ParsedEvent } from '../../parsers/parse-line.js';
import { Utf8Slab } from '../../platform/bytes/utf8-slab.js';
import { frameNewline, frameOctetCounted } from '../../syslog/framing.js';

// Sink payloads are UTF-8 bytes made once by the encoder; every later stage must hand the same bytes on.

const scratch = mkdtempSync(join(tmpdir(), 'fortiems-payload-bytes-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const HOSTILE = `quote " backslash \\ controls \u0000\u0001\u001f tab\t cr\r lf\n del\u007f nbsp\u00a0 emoji 😀 lone \ud800 end`;

function event(id: string, hostname: string, message: string): ParsedEvent {
  return {
    kind: 'event',
    producer: 'ems' as ParsedEvent['producer'],
    category: undefined,
    dataset: 'fortiems.client',
    document: {
      '@timestamp': '2026-12-04T10:00:00.000Z',
      event: { id, original: `hostname="${hostname}" msg="${message}"` },
      host: { hostname },
      message,
      data_stream: { type: 'logs', dataset: 'fortiems.client', namespace: 'default' },
    },
    problems: [],
  };
}

const EVENTS = [
  event('AAAAAAAAAAAAAAAA0', 'Zürich-PC-東京', 'plain'),
  event('AAAAAAAAAAAAAAAA1', 'host', HOSTILE),
  event('-_09azAZ_fF3kYQf6oCKhKX0b1kmEB1n2pS38zoFBzM', 'Zürich-PC-東京', `${HOSTILE} ${'x'.repeat(30_000)}`),
  // Not an id we make, but one the encoder must still escape rather than corrupt the action line.
  event('a"b\\c\u0001é', 'h', 'odd id'),
];

/** What the encoder produced before payloads became bytes: the JSON.stringify forms, concatenated. */
const expectedPair = (e: ParsedEvent) =>
  `${JSON.stringify({ create: { _index: 'logs-fortiems.client-default', _id: (e.document.event as { id: string }).id } })}\n${JSON.stringify(e.document)}\n`;

describe('sink payloads as bytes', () => {
  it('encodes a bulk pair byte for byte as JSON.stringify of the action and the document', () => {
    for (const e of EVENTS) {
      const payload = encodeBulkCreate(e);
      expect(payload.equals(Buffer.from(expectedPair(e), 'utf8'))).toBe(true);
    }
  });

  it('hands out slab views that later encodes never overwrite', () => {
    const slab = new Utf8Slab(1024);
    const texts = Array.from({ length: 500 }, (_, i) => `${i}:Zürich-東京-😀:${'y'.repeat(i % 300)}`);
    const views = texts.map((text) => slab.encode(text, '|', '\n'));
    expect(views.map((view) => view.toString('utf8'))).toEqual(texts.map((text) => `${text}|\n`));
  });

  it('reuses released slab space, and only space no one else may still hold', () => {
    const slab = new Utf8Slab(1024);
    const kept = slab.encode('kept');
    const copied = [slab.encode('one'), slab.encode('two')];
    slab.release([kept]); // not the latest allocation: left alone
    slab.release(copied);
    const next = slab.encode('NEXT');
    expect(next.byteOffset).toBe(copied[0]?.byteOffset);
    expect(kept.toString()).toBe('kept');
    const later = slab.encode('later');
    slab.release([next]); // no longer the latest: left alone
    expect([next.toString(), later.toString()]).toEqual(['NEXT', 'later']);
  });

  it('round-trips non-ASCII and hostile documents byte-exactly through the memory buffer', async () => {
    const expected = EVENTS.map((e) => Buffer.from(expectedPair(e), 'utf8'));
    const buffer = new MemoryBuffer(1 << 24);
    await buffer.write(EVENTS.map(encodeBulkCreate));
    // The buffer copied them and gave the slab space back: new encodes reuse it without touching what it holds.
    [...EVENTS].reverse().map(encodeBulkCreate);
    const records = await buffer.read(100, 1 << 24);
    expect(records.map((r) => r.bytes)).toEqual(expected.map((p) => p.length));
    expect(records.map((r) => r.payload.toString('hex'))).toEqual(expected.map((p) => p.toString('hex')));
  });

  it('round-trips them byte-exactly through the disk spool: from memory, and from disk after a reopen', async () => {
    const dir = join(scratch, 'spool');
    const options = { dir, maxBytes: 1 << 26, whenFull: 'block' as const };
    const payloads = EVENTS.map(encodeBulkCreate);
    const expected = EVENTS.map((e) => Buffer.from(expectedPair(e), 'utf8'));
    const first = await openDiskSpool(options);
    await first.write(payloads);
    // The spool copied them and gave the slab space back: new encodes reuse it without touching what it holds.
    [...EVENTS].reverse().map(encodeBulkCreate);
    const fromMemory = await first.read(100, 1 << 26);
    expect(fromMemory.map((r) => r.payload.toString('hex'))).toEqual(expected.map((p) => p.toString('hex')));
    await first.close(); // nothing acked: the next opening serves them again, from the files
    const second = await openDiskSpool(options);
    try {
      expect(second.depth()).toEqual({ events: EVENTS.length, bytes: expected.reduce((sum, p) => sum + p.length, 0) });
      const fromDisk = await second.read(100, 1 << 26);
      expect(second.stats().recordsFromDisk).toBe(EVENTS.length);
      expect(fromDisk.map((r) => r.payload.toString('hex'))).toEqual(expected.map((p) => p.toString('hex')));
      expect(fromDisk.map((r) => r.bytes)).toEqual(expected.map((p) => p.length));
      second.ack(fromDisk);
    } finally {
      await second.close();
    }
  });

  it('sends them as one bulk body whose every line parses back to the action and the document', () => {
    const records: BufferRecord[] = EVENTS.map((e, seq) => {
      const payload = encodeBulkCreate(e);
      return { seq, payload, bytes: payload.length };
    });
    const body = batchBody(records);
    expect(body.length).toBe(records.reduce((sum, r) => sum + r.bytes, 0));
    const lines = body.toString('utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(2 * EVENTS.length);
    EVENTS.forEach((e, i) => {
      expect(JSON.parse(lines[2 * i] as string)).toEqual({
        create: { _index: 'logs-fortiems.client-default', _id: (e.document.event as { id: string }).id },
      });
      expect(JSON.parse(lines[2 * i + 1] as string)).toEqual(e.document);
    });
  });

  it('keeps the original document text and id in a dead letter made from the bytes', () => {
    const e = EVENTS[1] as ParsedEvent;
    const payload = encodeBulkCreate(e);
    const entry = deadLetterEntry(
      { record: { seq: 0, payload, bytes: payload.length }, errorType: 'mapper_parsing_exception', error: 'bad', attempts: 1 },
      'fallback',
      new Date(0),
    );
    const [, document] = entry.payload.split('\n');
    const letter = JSON.parse(document as string);
    expect(letter.fortiems.dead_letter.document).toBe(JSON.stringify(e.document));
    expect(letter.fortiems.dead_letter.target_index).toBe('logs-fortiems.client-default');
    expect(letter.event).toMatchObject({ id: 'AAAAAAAAAAAAAAAA1', original: (e.document.event as { original: string }).original });
  });

  it('frames syslog payload bytes exactly as it frames their text', () => {
    for (const text of ['', 'é山', HOSTILE, 'a\nb\r\nc']) {
      const bytes = Buffer.from(text, 'utf8');
      expect(frameOctetCounted(bytes).equals(frameOctetCounted(text))).toBe(true);
      expect(frameOctetCounted(bytes).toString('utf8')).toBe(`${bytes.length} ${bytes.toString('utf8')}`);
      expect(frameNewline(bytes).equals(Buffer.from(`${text.replace(/\r/g, '\\r').replace(/\n/g, '\\n')}\n`, 'utf8'))).toBe(true);
    }
  });
});
