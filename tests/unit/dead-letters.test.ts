import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BufferRecord } from '../../ingest/buffers/event-buffer.js';
import type { StoredDeadLetter } from '../../ingest/dead-letters/dead-letter-store.js';
import { checkFilter, filterQuery, parseTimeBound } from '../../ingest/dead-letters/filters.js';
import { reparseLetter } from '../../ingest/dead-letters/reparse.js';
import { replayDeadLetterFile } from '../../ingest/dead-letters/replay-dead-letter-file.js';
import { type ReplayStore, replayDeadLetters } from '../../ingest/dead-letters/replay-dead-letters.js';
import { appendDeadLetters } from '../../ingest/forward/dead-letter-file.js';
import { splitBulkPair } from '../../ingest/sinks/search/bulk-encoding.js';
import type { ItemOutcome, SinkDriver } from '../../ingest/sinks/sink-driver.js';
import { sampleEvents } from '../support/sample-events.js';

const NOW = Date.parse('2026-12-05T12:00:00Z');

describe('dead-letter filters', () => {
  it('reads ISO times, epoch ms and spans back from now', () => {
    expect(parseTimeBound('2026-12-01T08:00:00Z', NOW)).toBe(Date.parse('2026-12-01T08:00:00Z'));
    expect(parseTimeBound('2026-12-01', NOW)).toBe(Date.parse('2026-12-01'));
    expect(parseTimeBound('24h', NOW)).toBe(NOW - 86_400_000);
    expect(parseTimeBound('now-30m', NOW)).toBe(NOW - 1_800_000);
    expect(parseTimeBound('now', NOW)).toBe(NOW);
    expect(parseTimeBound('1764931200000', NOW)).toBe(1764931200000);
    for (const bad of ['yesterday', '24', '12/01/2026', '-1h', '']) expect(() => parseTimeBound(bad, NOW), bad).toThrow(/not a time/);
  });

  it('turns a filter into one query: a range on the dead-letter time, terms on reason and dataset', () => {
    expect(filterQuery({})).toEqual({ match_all: {} });
    expect(filterQuery({ from: 1, to: 2, reason: 'mapper_parsing_exception', dataset: 'fortiems.client' })).toEqual({
      bool: {
        filter: [
          { range: { '@timestamp': { format: 'epoch_millis', gte: 1, lte: 2 } } },
          { term: { 'error.type': 'mapper_parsing_exception' } },
          { term: { 'event.dataset': 'fortiems.client' } },
        ],
      },
    });
    expect(filterQuery({ to: 5 })).toEqual({ bool: { filter: [{ range: { '@timestamp': { format: 'epoch_millis', lte: 5 } } }] } });
    expect(() => checkFilter({ from: 2, to: 1 })).toThrow(/ends before it starts/);
    expect(() => checkFilter({ reason: '' })).toThrow(/empty/);
    expect(() => checkFilter({ from: 1, to: 1, reason: 'x' })).not.toThrow();
  });
});

/** A letter as the search sink writes it for one of the sample events. */
function letterFor(index: number, overrides: Partial<StoredDeadLetter> = {}): StoredDeadLetter {
  const event = sampleEvents('ns1', 1, index, NOW)[0];
  if (!event) throw new Error('no sample');
  const document = event.document as { event: { id: string; original: string } };
  return {
    id: document.event.id,
    timestamp: new Date(NOW + index).toISOString(),
    reason: 'mapper_parsing_exception',
    message: 'failed to parse field [ems.devid]',
    dataset: event.dataset,
    original: document.event.original,
    targetIndex: `logs-${event.dataset}-ns1`,
    attempts: 1,
    document: JSON.stringify(event.document),
    replays: 0,
    ...overrides,
  };
}

describe('a letter parsed again', () => {
  it('is the same event: its id, its line, its first reception time, the namespace of its dead-letter index', () => {
    const letter = letterFor(0);
    const reparsed = reparseLetter(letter, { namespace: 'ns1', zone: 'UTC' });
    if ('failure' in reparsed) throw new Error(reparsed.failure);
    const sent = JSON.parse(letter.document as string) as Record<string, unknown>;
    expect(reparsed.event.document).toEqual(sent);
  });

  it('refuses a letter without its line, and one that now parses into a pipeline_error', () => {
    expect(reparseLetter(letterFor(0, { original: undefined }), { namespace: 'ns1', zone: 'UTC' })).toEqual({
      failure: 'no event.original: nothing to parse again',
    });
    const garbage = reparseLetter(letterFor(0, { original: '\u0000not a log line' }), { namespace: 'ns1', zone: 'UTC' });
    expect('failure' in garbage && garbage.failure).toMatch(/pipeline_error/);
    // A letter that was a pipeline_error document is stored as one again.
    const unparsed = reparseLetter(letterFor(0, { original: 'garbage', dataset: 'fortiems.unparsed', document: '{}' }), {
      namespace: 'ns1',
      zone: 'UTC',
    });
    expect('event' in unparsed && unparsed.event.kind).toBe('pipeline_error');
  });
});

class FakeStore implements ReplayStore {
  readonly deleted: string[] = [];
  readonly refused: { id: string; reason: string }[] = [];
  constructor(public letters: StoredDeadLetter[]) {}

  async page(_filter: unknown, size: number, after?: unknown[]) {
    // search_after: by sort value (the time), so a cursor whose letter was deleted still marks the place.
    const letters = this.letters.filter((letter) => !after || letter.timestamp > (after[0] as string)).slice(0, size);
    return { letters, next: letters.length > 0 ? [letters.at(-1)?.timestamp] : undefined };
  }

  async delete(ids: readonly string[]) {
    this.deleted.push(...ids);
    this.letters = this.letters.filter((letter) => !ids.includes(letter.id));
    return ids.length;
  }

  async refusedAgain(letters: readonly { letter: StoredDeadLetter; reason: string }[]) {
    for (const { letter, reason } of letters) {
      this.refused.push({ id: letter.id, reason });
      letter.reason = reason;
      letter.replays++;
    }
  }
}

describe('replayDeadLetters', () => {
  it('deletes a letter only once its event is stored (2xx or 409), keeps the refused with their new reason and the unparsable as they are', async () => {
    const letters = [0, 1, 2, 3, 4].map((i) => letterFor(i));
    const noLine = letterFor(5, { original: undefined });
    const store = new FakeStore([...letters, noLine]);
    const sentIds: string[] = [];
    let calls = 0;
    const verdict = (id: string): ItemOutcome => {
      if (id === letters[1]?.id) return { status: 'exists' };
      if (id === letters[2]?.id) return { status: 'reject', errorType: 'mapper_parsing_exception', error: 'still wrong' };
      // Down on the first attempt, stored on the second.
      if (id === letters[3]?.id && calls === 1) return { status: 'retry', errorClass: 'throttled', error: '429' };
      if (id === letters[4]?.id) return { status: 'retry', errorClass: 'server_error', error: '503' };
      return { status: 'ok' };
    };
    const summary = await replayDeadLetters({
      store,
      namespace: 'ns1',
      zone: 'UTC',
      batchSize: 4,
      attempts: 3,
      backoffMs: 1,
      send: async (payloads) => {
        calls++;
        return payloads.map((payload) => {
          const pair = splitBulkPair(payload);
          expect(pair.index).toMatch(/-ns1$/);
          sentIds.push(pair.id as string);
          return verdict(pair.id as string);
        });
      },
    });
    expect(summary).toMatchObject({ matched: 6, replayed: 5, stored: 3, stillFailing: 2, unparsable: 1, deleted: 3 });
    expect(store.deleted.sort()).toEqual([letters[0]?.id, letters[1]?.id, letters[3]?.id].sort());
    expect(store.refused).toEqual([{ id: letters[2]?.id, reason: 'mapper_parsing_exception' }]);
    expect(summary.failures.map((failure) => failure.reason).sort()).toEqual([
      'mapper_parsing_exception',
      'reparse_failed',
      'server_error',
    ]);
    // Every letter's own id went out: a second store is a 409, never a second document.
    expect(new Set(sentIds)).toEqual(new Set(letters.map((letter) => letter.id)));
  });

  it('leaves every letter when the target is down, and a second replay of an emptied store does nothing', async () => {
    const store = new FakeStore([letterFor(0), letterFor(1)]);
    const down = await replayDeadLetters({
      store,
      namespace: 'ns1',
      zone: 'UTC',
      attempts: 2,
      backoffMs: 1,
      send: async () => {
        throw new Error('connect ECONNREFUSED');
      },
    });
    expect(down).toMatchObject({ matched: 2, stored: 0, stillFailing: 2, deleted: 0 });
    expect(store.letters).toHaveLength(2);
    expect(store.refused).toEqual([]);

    const ok = async (payloads: readonly Buffer[]) => payloads.map((): ItemOutcome => ({ status: 'ok' }));
    expect(await replayDeadLetters({ store, namespace: 'ns1', zone: 'UTC', send: ok })).toMatchObject({ stored: 2, deleted: 2 });
    expect(await replayDeadLetters({ store, namespace: 'ns1', zone: 'UTC', send: ok })).toMatchObject({
      matched: 0,
      replayed: 0,
      deleted: 0,
    });
  });
});

describe('replayDeadLetterFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fortiems-dlf-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const line = (payload: string, type = 'message_too_large') =>
    JSON.stringify({ '@timestamp': '2026-12-05T00:00:00.000Z', error: { type, message: 'too large' }, attempts: 1, payload });

  function driver(verdict: (payload: string) => ItemOutcome | 'throw'): SinkDriver & { sent: string[] } {
    const sent: string[] = [];
    return {
      type: 'fake',
      sent,
      async send(batch: readonly BufferRecord[]) {
        const outcomes = batch.map((record) => verdict(record.payload.toString('utf8')));
        if (outcomes.includes('throw')) throw new Error('down');
        for (const record of batch) sent.push(record.payload.toString('utf8'));
        return { outcomes: outcomes as ItemOutcome[], bytes: 0 };
      },
      async deadLetter() {},
    };
  }

  it('re-sends each payload as it was, removes the delivered lines, keeps the refused with the new reason and unreadable lines as they are', async () => {
    const file = join(dir, 'siem.ndjson');
    writeFileSync(file, `${[line('<13>one'), line('<13>big'), 'not json', line('<13>three ünï')].join('\n')}\n`);
    const fake = driver((payload) =>
      payload === '<13>big' ? { status: 'reject', errorType: 'message_too_large', error: 'still' } : { status: 'ok' },
    );
    const summary = await replayDeadLetterFile(file, fake, { backoffMs: 1 });
    expect(summary).toMatchObject({ matched: 4, replayed: 3, delivered: 2, stillFailing: 1, unreadable: 1, deleted: 2 });
    expect(fake.sent).toEqual(['<13>one', '<13>big', '<13>three ünï']);
    const left = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(left).toHaveLength(2);
    expect(JSON.parse(left[0] as string)).toMatchObject({ payload: '<13>big', replays: 1, error: { message: 'still' } });
    expect(left[1]).toBe('not json');

    // Idempotent: the delivered are gone, a second replay sends only what still fails.
    const again = driver(() => ({ status: 'ok' }));
    expect(await replayDeadLetterFile(file, again, { backoffMs: 1 })).toMatchObject({ matched: 2, replayed: 1, delivered: 1 });
    expect(again.sent).toEqual(['<13>big']);
    expect(readFileSync(file, 'utf8')).toBe('not json\n');
  });

  it('carries any payload bytes through the file: UTF-8 as text alone, other bytes also as base64, which the replay sends', async () => {
    const file = join(dir, 'bytes.ndjson');
    const text = Buffer.from('host-ünï\n{"v":1,"line":"✓ \\ud800"}', 'utf8');
    const binary = Buffer.from([0x6b, 0x0a, 0xff, 0xfe, 0x00, 0xc3, 0x28, 0xed, 0xa0, 0x80]);
    const record = (payload: Buffer, seq: number) => ({
      record: { seq, payload, bytes: payload.length },
      errorType: 'message_too_large',
      error: 'x',
      attempts: 1,
    });
    await appendDeadLetters(file, [record(text, 0), record(binary, 1)], { sink: 'collector', format: 'fortiems-kafka-1' });
    const [first, second] = readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((each) => JSON.parse(each));
    expect(first).toEqual(expect.objectContaining({ payload: text.toString('utf8'), sink: 'collector', format: 'fortiems-kafka-1' }));
    expect(first.payload_base64).toBeUndefined();
    expect(Buffer.from(second.payload_base64, 'base64').equals(binary)).toBe(true);
    // A line written before payload_base64 (text only) is read as before.
    appendFileSync(file, `${line('<13>old')}\n`);

    const sent: Buffer[] = [];
    const summary = await replayDeadLetterFile(
      file,
      {
        type: 'fake',
        async send(batch: readonly BufferRecord[]) {
          for (const each of batch) sent.push(Buffer.from(each.payload));
          return { outcomes: batch.map(() => ({ status: 'ok' }) as const), bytes: 0 };
        },
        async deadLetter() {},
      },
      { format: 'fortiems-kafka-1' },
    );
    expect(summary).toMatchObject({ matched: 3, replayed: 3, delivered: 3, unreadable: 0 });
    expect(sent.map((each) => each.toString('hex'))).toEqual([text, binary, Buffer.from('<13>old')].map((each) => each.toString('hex')));
    expect(existsSync(file)).toBe(false);
  });

  it('keeps each send within the byte bound (a larger message alone), so a file of large letters is not one huge request', async () => {
    const file = join(dir, 'sizes.ndjson');
    const payloads = ['a'.repeat(400), 'b'.repeat(400), 'c'.repeat(1500), 'd'.repeat(100), 'e'.repeat(100)];
    writeFileSync(file, `${payloads.map((payload) => line(payload)).join('\n')}\n`);
    const sends: number[][] = [];
    const summary = await replayDeadLetterFile(
      file,
      {
        type: 'fake',
        async send(batch: readonly BufferRecord[]) {
          sends.push(batch.map((record) => record.payload.length));
          return { outcomes: batch.map(() => ({ status: 'ok' }) as const), bytes: 0 };
        },
        async deadLetter() {},
      },
      { batchBytes: 1000, batchSize: 500 },
    );
    expect(summary).toMatchObject({ matched: 5, delivered: 5 });
    expect(sends).toEqual([[400, 400], [1500], [100, 100]]);
  });

  it('sends nothing formatted otherwise than the sink formats now: the line stays, said why', async () => {
    const file = join(dir, 'format.ndjson');
    const cef = JSON.stringify({ error: { type: 'message_too_large' }, sink: 'siem', format: 'cef', payload: 'CEF:0|…' });
    const json = JSON.stringify({ error: { type: 'message_too_large' }, sink: 'siem', format: 'json', payload: '{"a":1}' });
    writeFileSync(file, `${cef}\n${json}\n`);
    const fake = driver(() => ({ status: 'ok' }));
    const summary = await replayDeadLetterFile(file, fake, { format: 'json' });
    expect(summary).toMatchObject({ matched: 2, replayed: 1, delivered: 1, unreadable: 1 });
    expect(summary.failures).toEqual([{ line: 1, reason: 'format_changed', message: 'formatted as cef, the sink now sends json' }]);
    expect(fake.sent).toEqual(['{"a":1}']);
    expect(readFileSync(file, 'utf8')).toBe(`${cef}\n`);
  });

  it('leaves the file as it is when the destination is down, and a missing file is nothing to do', async () => {
    const file = join(dir, 'down.ndjson');
    const text = `${line('<13>a')}\n`;
    writeFileSync(file, text);
    const summary = await replayDeadLetterFile(
      file,
      driver(() => 'throw'),
      { attempts: 2, backoffMs: 1 },
    );
    expect(summary).toMatchObject({ replayed: 1, delivered: 0, stillFailing: 1 });
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(
      await replayDeadLetterFile(
        join(dir, 'none.ndjson'),
        driver(() => ({ status: 'ok' })),
      ),
    ).toMatchObject({ matched: 0 });
  });

  it('keeps what a running sink writes during the replay: new letters, and an append that opened the file before the claim', async () => {
    const file = join(dir, 'live.ndjson');
    writeFileSync(file, `${line('<13>old')}\n`);
    let early: FileHandle | undefined;
    const fake = driver((payload) => {
      if (payload === '<13>old') {
        // The sink, meanwhile: one append through a handle it opened before the claim, one after (a new file).
        if (early) writeSync(early.fd, `${line('<13>in-flight')}\n`);
        appendFileSync(file, `${line('<13>new')}\n`);
      }
      return { status: 'ok' };
    });
    // Opened before the replay renames the file, written after: as an appender caught mid-write.
    early = await open(file, 'a');
    const summary = await replayDeadLetterFile(file, fake, { backoffMs: 1 });
    await early.close();
    expect(summary).toMatchObject({ matched: 1, delivered: 1, deleted: 1 });
    const left = readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((text) => JSON.parse(text).payload);
    expect(left.sort()).toEqual(['<13>in-flight', '<13>new']);
    expect(existsSync(`${file}.replaying`)).toBe(false);
    expect(existsSync(`${file}.replay-lock`)).toBe(false);
  });

  it('finishes a replay that stopped half-way (a claimed file left) before the live file, and refuses a second replay at once', async () => {
    const file = join(dir, 'crashed.ndjson');
    writeFileSync(`${file}.replaying`, `${line('<13>claimed')}\n`);
    writeFileSync(file, `${line('<13>live')}\n`);
    const fake = driver(() => ({ status: 'ok' }));
    expect(await replayDeadLetterFile(file, fake, { backoffMs: 1 })).toMatchObject({ matched: 2, delivered: 2 });
    expect(fake.sent).toEqual(['<13>claimed', '<13>live']);
    expect(existsSync(file)).toBe(false);

    // A replay running elsewhere (its lock holds a live pid: this test's parent process): refused, nothing sent.
    writeFileSync(file, `${line('<13>x')}\n`);
    writeFileSync(`${file}.replay-lock`, `${process.ppid}\n`);
    await expect(replayDeadLetterFile(file, fake)).rejects.toThrow(/another replay \(pid \d+\) of .* is running/);
    expect(readFileSync(file, 'utf8')).toBe(`${line('<13>x')}\n`);
    // A lock left by a process that is gone is taken over.
    writeFileSync(`${file}.replay-lock`, '2147483646\n');
    expect(await replayDeadLetterFile(file, fake, { backoffMs: 1 })).toMatchObject({ delivered: 1 });
  });
});
