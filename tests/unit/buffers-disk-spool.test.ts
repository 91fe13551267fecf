import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { crc32 } from 'node:zlib';
import ts from 'typescript';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBuffer } from '../../ingest/buffers/create-buffer.js';
import { DiskSpool, type DiskSpoolOptions, openDiskSpool } from '../../ingest/buffers/disk-spool.js';
import { type BufferRecord, BufferWriteError } from '../../ingest/buffers/event-buffer.js';
import { MemoryBuffer } from '../../ingest/buffers/memory-buffer.js';

const scratch = mkdtempSync(join(tmpdir(), 'fortiems-spool-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let dirCount = 0;
const open: DiskSpool[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((spool) => spool.close()));
});

function freshDir(): string {
  return join(scratch, `spool-${++dirCount}`);
}

interface Opened {
  spool: DiskSpool;
  warnings: string[];
}

async function openSpool(dir: string, options: Partial<DiskSpoolOptions> = {}): Promise<Opened> {
  const warnings: string[] = [];
  const spool = await openDiskSpool({
    dir,
    maxBytes: 64 * 1024 * 1024,
    whenFull: 'block',
    checkpointMs: 5,
    onWarning: (message) => warnings.push(message),
    ...options,
  });
  open.push(spool);
  return { spool, warnings };
}

async function closeSpool(spool: DiskSpool): Promise<void> {
  await spool.close();
  open.splice(open.indexOf(spool), 1);
}

/** Reads until `count` records came out (each read bounded by a short timeout, so a missing record fails fast). */
async function readAll(spool: DiskSpool, count: number, maxEvents = 1000): Promise<BufferRecord[]> {
  const out: BufferRecord[] = [];
  while (out.length < count) {
    const batch = await spool.read(maxEvents, 1 << 30, AbortSignal.timeout(2000));
    if (batch.length === 0) throw new Error(`only ${out.length} of ${count} records came out`);
    out.push(...batch);
  }
  return out;
}

/** Reads what is there now: resolves [] once nothing more comes within a short while. */
async function readRest(spool: DiskSpool): Promise<BufferRecord[]> {
  const out: BufferRecord[] = [];
  for (;;) {
    const batch = await spool.read(1000, 1 << 30, AbortSignal.timeout(100));
    if (batch.length === 0) return out;
    out.push(...batch);
  }
}

const u32 = (value: number) => {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(value);
  return buffer;
};
const segmentFiles = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.seg'));
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const payloadsOf = (records: readonly BufferRecord[]) => records.map((record) => record.payload.toString('utf8'));
const utf8 = (texts: readonly string[]) => texts.map((text) => Buffer.from(text, 'utf8'));
const numbered = (prefix: string, count: number, pad = 0) => Array.from({ length: count }, (_, i) => `${prefix}${i}${'.'.repeat(pad)}`);

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await pause(5);
  }
}

describe('the disk spool', () => {
  it('round-trips payloads with their seq and UTF-8 size, and counts them in depth until acked', async () => {
    const { spool } = await openSpool(freshDir());
    const payloads = ['{"a":1}', '', 'é€😀 unicode', 'x'.repeat(70_000)];
    expect(await spool.write(utf8(payloads))).toMatchObject({ written: 4, dropped: 0 });
    expect(spool.depth()).toEqual({ events: 4, bytes: payloads.reduce((sum, p) => sum + Buffer.byteLength(p), 0) });
    const records = await readAll(spool, 4);
    expect(payloadsOf(records)).toEqual(payloads);
    expect(records.map((r) => r.bytes)).toEqual(payloads.map((p) => Buffer.byteLength(p)));
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    // Handed out once: nothing more to read, although nothing is acked yet.
    expect(await spool.read(10, 1 << 20, AbortSignal.timeout(50))).toEqual([]);
    expect(spool.depth().events).toBe(4);
    spool.ack(records);
    spool.ack(records); // a repeated ack counts once
    expect(spool.depth()).toEqual({ events: 0, bytes: 0 });
    expect(spool.stats().diskBytes).toBe(0);
    // A writer's own records come from memory, not from disk.
    expect(spool.stats()).toMatchObject({ recordsFromMemory: 4, recordsFromDisk: 0 });
  });

  it('keeps its folder 0700 and its segments, ack and lock files 0600, whatever the umask', async () => {
    const previous = process.umask(0o000);
    try {
      const root = freshDir();
      const dir = join(root, 'spool', 'sink');
      const { spool } = await openSpool(dir);
      await spool.write(utf8(numbered('private-', 3)));
      spool.ack(await readAll(spool, 3));
      await until(() => readdirSync(dir).includes('ack'), 'the ack file');
      const mode = (path: string) => statSync(path).mode & 0o777;
      // The folders it made on the way are its own too; a folder that was already there (the scratch) is left alone.
      for (const folder of [root, join(root, 'spool'), dir]) expect(mode(folder), folder).toBe(0o700);
      const files = readdirSync(dir);
      expect(files.filter((name) => name.endsWith('.seg')).length).toBeGreaterThan(0);
      expect(files).toEqual(expect.arrayContaining(['ack', 'lock']));
      for (const name of files) expect(mode(join(dir, name)), name).toBe(0o600);
      await closeSpool(spool);

      // A spool folder made by an older version (or by hand) with a wide mode is narrowed at open.
      const wide = freshDir();
      mkdirSync(wide, { mode: 0o755 });
      const reopened = await openSpool(wide);
      expect(mode(wide)).toBe(0o700);
      expect(mode(join(wide, 'lock'))).toBe(0o600);
      await closeSpool(reopened.spool);
    } finally {
      process.umask(previous);
    }
  });

  it('keeps write order across concurrent writers and commits them together (group commit)', async () => {
    const { spool } = await openSpool(freshDir());
    const writes = Array.from({ length: 200 }, (_, w) => spool.write(utf8(numbered(`w${w}-`, 10))));
    await Promise.all(writes);
    const records = await readAll(spool, 2000);
    expect(payloadsOf(records)).toEqual(Array.from({ length: 200 }, (_, w) => numbered(`w${w}-`, 10)).flat());
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 2000 }, (_, i) => i + 1));
    const { commits, fsyncs } = spool.stats();
    expect(commits).toBeLessThan(20);
    expect(fsyncs).toBeLessThan(40);
  });

  it('resolves a write only once its records are on disk', async () => {
    const dir = freshDir();
    const { spool } = await openSpool(dir);
    await spool.write(utf8(['durable-1', 'durable-2']));
    const bytes = segmentFiles(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
    expect(bytes).toBe(2 * (8 + 'durable-1'.length));
  });

  it('writes the documented frame: u32 LE length, u32 LE crc32 of the length bytes and the payload, the payload', async () => {
    const dir = freshDir();
    const { spool } = await openSpool(dir);
    await spool.write(utf8(['héllo', '']));
    expect(segmentFiles(dir)).toEqual(['00000000000000000001.seg']);
    const bytes = readFileSync(join(dir, '00000000000000000001.seg'));
    const payload = Buffer.from('héllo');
    const length = Buffer.from([payload.length, 0, 0, 0]);
    const empty = Buffer.alloc(4);
    expect(bytes).toEqual(Buffer.concat([length, u32(crc32(Buffer.concat([length, payload]))), payload, empty, u32(crc32(empty))]));
  });

  it('respects maxEvents and maxBytes, and always hands out at least one record', async () => {
    const { spool } = await openSpool(freshDir());
    await spool.write(utf8(numbered('', 10, 98).map((p) => p.slice(0, 100))));
    expect((await spool.read(3, 1 << 20)).length).toBe(3);
    expect((await spool.read(100, 250)).length).toBe(2);
    expect((await spool.read(100, 10)).length).toBe(1);
    expect((await spool.read(0, 1 << 20)).length).toBe(1);
    expect((await spool.read(100, 1 << 20)).length).toBe(3);
  });

  it('respects maxEvents and maxBytes for records read back from disk', async () => {
    const dir = freshDir();
    const first = await openSpool(dir);
    await first.spool.write(utf8(numbered('', 10, 98).map((p) => p.slice(0, 100))));
    await closeSpool(first.spool);
    const { spool } = await openSpool(dir);
    expect((await spool.read(3, 1 << 20)).map((r) => r.seq)).toEqual([1, 2, 3]);
    expect((await spool.read(100, 250)).map((r) => r.seq)).toEqual([4, 5]);
    expect((await spool.read(100, 10)).map((r) => r.seq)).toEqual([6]);
    expect((await spool.read(100, 1 << 20)).map((r) => r.seq)).toEqual([7, 8, 9, 10]);
    expect(spool.stats()).toMatchObject({ recordsFromMemory: 0, recordsFromDisk: 10 });
  });

  it('takes acks in any order, frees space at the watermark and deletes the segments wholly below it', async () => {
    const dir = freshDir();
    const { spool } = await openSpool(dir, { segmentBytes: 300 });
    await spool.write(utf8(numbered('record-', 60, 40)));
    const records = await readAll(spool, 60);
    expect(segmentFiles(dir).length).toBeGreaterThan(5);
    const before = segmentFiles(dir).length;
    const diskBytes = spool.stats().diskBytes;

    // Everything but the oldest record, newest first: nothing can be reclaimed yet.
    spool.ack([...records.slice(1)].reverse());
    expect(spool.depth().events).toBe(1);
    await pause(50);
    expect(spool.stats().diskBytes).toBe(diskBytes);
    expect(segmentFiles(dir).length).toBe(before);

    spool.ack([records[0] as BufferRecord, records[5] as BufferRecord]);
    expect(spool.depth()).toEqual({ events: 0, bytes: 0 });
    expect(spool.stats().diskBytes).toBe(0);
    await until(() => segmentFiles(dir).length === 1, 'acked segments to be deleted');
    // The segment still being written to stays.
    expect(spool.stats().segments).toBe(1);
    expect(readFileSync(join(dir, 'ack'), 'utf8').trim()).toBe('61');
  });

  it('after a restart serves exactly the records from the watermark on, and numbering continues', async () => {
    const dir = freshDir();
    const first = await openSpool(dir, { segmentBytes: 500 });
    await first.spool.write(utf8(numbered('r', 100)));
    const records = await readAll(first.spool, 100);
    first.spool.ack(records.slice(0, 40));
    // Acked above the watermark (41 is not): these may be served again, which at-least-once allows.
    first.spool.ack(records.slice(60, 70));
    await closeSpool(first.spool);

    const second = await openSpool(dir, { segmentBytes: 500 });
    expect(second.spool.depth()).toEqual({ events: 60, bytes: payloadsOf(records.slice(40)).join('').length });
    const again = await readAll(second.spool, 60);
    expect(again.map((r) => r.seq)).toEqual(records.slice(40).map((r) => r.seq));
    expect(payloadsOf(again)).toEqual(payloadsOf(records.slice(40)));
    await second.spool.write(utf8(['after-restart']));
    const [next] = await readAll(second.spool, 1);
    expect(next).toMatchObject({ seq: 101, payload: Buffer.from('after-restart') });
    expect(await readRest(second.spool)).toEqual([]);

    second.spool.ack([...again, next as BufferRecord]);
    await closeSpool(second.spool);
    const third = await openSpool(dir);
    expect(third.spool.depth()).toEqual({ events: 0, bytes: 0 });
    expect(await readRest(third.spool)).toEqual([]);
    expect(segmentFiles(dir)).toEqual([]);
    await third.spool.write(utf8(['later']));
    expect((await readAll(third.spool, 1))[0]?.seq).toBe(102);
  });

  it('serves a mix of recovered and new records in order', async () => {
    const dir = freshDir();
    const first = await openSpool(dir);
    await first.spool.write(utf8(numbered('old-', 5)));
    await closeSpool(first.spool);
    const { spool } = await openSpool(dir);
    await spool.write(utf8(numbered('new-', 5)));
    const records = await readAll(spool, 10, 4);
    expect(payloadsOf(records)).toEqual([...numbered('old-', 5), ...numbered('new-', 5)]);
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
  });

  it('stays exact when the reader falls behind the memory cache and across many segments', async () => {
    const dir = freshDir();
    const { spool } = await openSpool(dir, { segmentBytes: 2000, cacheBytes: 1500, maxBytes: 20_000 });
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const total = 3000;
    const expected = Array.from({ length: total }, (_, i) => `${i}:${'x'.repeat(random(90))}`);
    const writer = (async () => {
      for (let i = 0; i < total; ) {
        const n = 1 + random(40);
        const batch = expected.slice(i, i + n);
        await spool.write(utf8(batch));
        i += batch.length;
      }
    })();
    const seen: BufferRecord[] = [];
    const unacked: BufferRecord[] = [];
    while (seen.length < total) {
      const batch = await spool.read(1 + random(50), 200 + random(2000), AbortSignal.timeout(5000));
      if (batch.length === 0) throw new Error(`stalled after ${seen.length} records`);
      seen.push(...batch);
      unacked.push(...batch);
      // Ack a random selection, in random order, holding some records back for a while.
      while (unacked.length > 30) spool.ack(unacked.splice(random(unacked.length), 1));
      if (random(5) === 0) await pause(random(3));
    }
    spool.ack(unacked);
    await writer;
    expect(payloadsOf(seen)).toEqual(expected);
    expect(seen.map((r) => r.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(spool.depth()).toEqual({ events: 0, bytes: 0 });
    const stats = spool.stats();
    expect(stats.diskBytes).toBe(0);
    expect(stats.recordsFromDisk).toBeGreaterThan(0);
    expect(stats.recordsFromMemory).toBeGreaterThan(0);
    await until(() => segmentFiles(dir).length <= 1, 'acked segments to be deleted');
  });

  it('blocks a writer while full until acks free space', async () => {
    const { spool } = await openSpool(freshDir(), { maxBytes: 1000 });
    const record = 'x'.repeat(92); // 100 bytes on disk
    await spool.write(utf8(Array.from({ length: 10 }, () => record)));
    let done = false;
    const blocked = spool.write(utf8([record, record])).then((result) => {
      done = true;
      return result;
    });
    await pause(50);
    expect(done).toBe(false);
    const records = await readAll(spool, 10);
    spool.ack(records.slice(2, 3)); // out of order: the oldest still holds the space
    await pause(30);
    expect(done).toBe(false);
    expect(spool.depth().events).toBe(9);
    spool.ack(records.slice(0, 1)); // one slot free: the first record of the two goes in, the write waits on
    await until(() => spool.depth().events === 9, 'the first blocked record to be admitted');
    await pause(30);
    expect(done).toBe(false);
    spool.ack(records.slice(1, 2)); // frees seq 2 and the already acked seq 3
    expect(await blocked).toMatchObject({ written: 2, dropped: 0 });
    expect(spool.depth().events).toBe(9);
    expect(payloadsOf(await readAll(spool, 2))).toEqual([record, record]);
  });

  it('drops the newest records when full with drop_newest and reports them', async () => {
    const { spool } = await openSpool(freshDir(), { maxBytes: 1000, whenFull: 'drop_newest' });
    const record = 'y'.repeat(92);
    expect(await spool.write(utf8(Array.from({ length: 7 }, () => record)))).toMatchObject({ written: 7, dropped: 0 });
    expect(await spool.write(utf8(Array.from({ length: 5 }, (_, i) => `${i}${record.slice(1)}`)))).toMatchObject({
      written: 3,
      dropped: 2,
    });
    expect(await spool.write(utf8([record]))).toMatchObject({ written: 0, dropped: 1 });
    const records = await readAll(spool, 10);
    expect(records.at(-1)?.payload.toString().startsWith('2')).toBe(true);
    spool.ack(records);
    expect(await spool.write(utf8([record]))).toMatchObject({ written: 1, dropped: 0 });
  });

  it('accepts a record larger than the whole spool when it is empty (never wedges)', async () => {
    const { spool } = await openSpool(freshDir(), { maxBytes: 100, whenFull: 'drop_newest' });
    const big = 'z'.repeat(5000);
    expect(await spool.write(utf8([big]))).toMatchObject({ written: 1, dropped: 0 });
    expect(await spool.write(utf8(['small']))).toMatchObject({ written: 0, dropped: 1 });
    spool.ack(await readAll(spool, 1));
    expect(await spool.write(utf8([big, big]))).toMatchObject({ written: 1, dropped: 1 });
  });

  it('resolves pending reads with [] on close and on abort; later writes are refused', async () => {
    const { spool } = await openSpool(freshDir());
    const controller = new AbortController();
    const aborted = spool.read(10, 1000, controller.signal);
    controller.abort();
    expect(await aborted).toEqual([]);
    const pending = spool.read(10, 1000);
    await pause(10);
    await closeSpool(spool);
    expect(await pending).toEqual([]);
    expect(await spool.read(10, 1000)).toEqual([]);
    await expect(spool.write(utf8(['late']))).rejects.toThrow(/is closed/);
  });

  it('refuses a blocked write on close but keeps what it had admitted', async () => {
    const dir = freshDir();
    const { spool } = await openSpool(dir, { maxBytes: 300 });
    const record = 'b'.repeat(92);
    const write = spool.write(utf8([record, record, record, record, record]));
    const refused = expect(write).rejects.toThrow(/is closed/);
    const failed = write.catch((error: unknown) => error);
    await until(() => spool.depth().events === 3, 'the first three records to be admitted');
    await closeSpool(spool);
    await refused;
    // The error says how many it kept, so the sink counts only the other two as discarded.
    expect(await failed).toBeInstanceOf(BufferWriteError);
    expect(((await failed) as BufferWriteError).written).toBe(3);
    const reopened = await openSpool(dir, { maxBytes: 300 });
    expect(reopened.spool.depth().events).toBe(3);
  });

  it('after a failed commit reports what the write kept, and holds no record it will never serve', async () => {
    const { spool } = await openSpool(freshDir(), { maxBytes: 300 });
    const record = 'c'.repeat(92); // 100 bytes on disk: three fit
    await spool.write(utf8([record]));
    // The commit of the part admitted after the spool fills fails (a disk error), the first part is durable.
    const writer = (spool as unknown as { writer: { append: (chunks: unknown) => Promise<void> } }).writer;
    const append = writer.append.bind(writer);
    let appends = 0;
    writer.append = (chunks) => (++appends === 1 ? append(chunks) : Promise.reject(new Error('EIO')));
    const write = spool.write(utf8([record, record, record, record]));
    const failed = write.catch((error: unknown) => error);
    await until(() => spool.depth().events === 3, 'the first two records to be admitted');
    spool.ack(await readAll(spool, 3));
    const error = await failed;
    expect(error).toBeInstanceOf(BufferWriteError);
    expect((error as BufferWriteError).written).toBe(2);
    expect((error as Error).message).toMatch(/EIO/);
    expect(spool.depth().events).toBe(0);
    await expect(spool.write(utf8([record]))).rejects.toMatchObject({ written: 0 });
  });

  describe('recovery', () => {
    async function spoolWithRecords(count: number): Promise<{ dir: string; last: string }> {
      const dir = freshDir();
      const { spool } = await openSpool(dir);
      await spool.write(utf8(numbered('kept-', count)));
      await closeSpool(spool);
      const last = segmentFiles(dir).sort().at(-1) as string;
      return { dir, last: join(dir, last) };
    }

    it.each([
      ['a partial frame header', Buffer.from([5, 0, 0])],
      ['a partial frame', Buffer.concat([Buffer.from([200, 0, 0, 0, 1, 2, 3, 4]), Buffer.from('only part of it')])],
      ['a frame with a bad checksum', Buffer.concat([Buffer.from([4, 0, 0, 0, 9, 9, 9, 9]), Buffer.from('junk')])],
      ['a zero-filled tail', Buffer.alloc(64)],
    ])('truncates %s at the end of the last segment with a warning and keeps what came before', async (_, tail) => {
      const { dir, last } = await spoolWithRecords(20);
      const size = statSync(last).size;
      appendFileSync(last, tail);
      const { spool, warnings } = await openSpool(dir);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(basename(last));
      expect(warnings[0]).toMatch(/truncated/);
      expect(statSync(last).size).toBe(size);
      expect(payloadsOf(await readAll(spool, 20))).toEqual(numbered('kept-', 20));
      expect(await readRest(spool)).toEqual([]);
      await spool.write(utf8(['next']));
      expect((await readAll(spool, 1))[0]).toMatchObject({ seq: 21, payload: Buffer.from('next') });
    });

    it('keeps the records before a corrupted frame in the middle of a segment', async () => {
      const { dir, last } = await spoolWithRecords(10);
      const bytes = readFileSync(last);
      const frame = 8 + 'kept-0'.length;
      bytes[4 * frame + 10] = 0x21; // inside the payload of the fifth record
      writeFileSync(last, bytes);
      const { spool, warnings } = await openSpool(dir);
      expect(warnings.join('\n')).toMatch(/bad checksum at byte 56/);
      expect(payloadsOf(await readAll(spool, 4))).toEqual(numbered('kept-', 4));
      expect(await readRest(spool)).toEqual([]);
      expect(spool.depth().events).toBe(4);
    });

    it('skips the rest of a corrupted segment that is not the last, serves the following segments, and moves past the gap', async () => {
      const dir = freshDir();
      const first = await openSpool(dir, { segmentBytes: 100 });
      await first.spool.write(utf8(numbered('rec-', 30))); // 13- and 14-byte frames: 8 records per segment
      await closeSpool(first.spool);
      const files = segmentFiles(dir).sort();
      expect(files.length).toBe(4);
      const second = join(dir, files[1] as string);
      const bytes = readFileSync(second);
      const at = 2 * 13 + 9; // in the third record of the second segment (seq 11), after two 13-byte frames
      bytes[at] = (bytes[at] as number) ^ 0xff;
      writeFileSync(second, bytes);

      const { spool, warnings } = await openSpool(dir, { segmentBytes: 100 });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/bad checksum at byte 26; truncated 84 bytes, kept 2 records/);
      const kept = [...numbered('rec-', 30).slice(0, 10), ...numbered('rec-', 30).slice(16)];
      expect(spool.depth().events).toBe(kept.length);
      const records = await readAll(spool, kept.length, 5);
      expect(payloadsOf(records)).toEqual(kept);
      expect(records.map((r) => r.seq)).toEqual([
        ...Array.from({ length: 10 }, (_, i) => i + 1),
        ...Array.from({ length: 14 }, (_, i) => i + 17),
      ]);
      spool.ack(records);
      expect(spool.stats().diskBytes).toBe(0);
      await until(() => segmentFiles(dir).length === 0, 'the acked segments to be deleted');
      await spool.write(utf8(['next']));
      expect((await readAll(spool, 1))[0]?.seq).toBe(31);
    });

    it('deletes a segment left empty by a crash right after it was created', async () => {
      const { dir } = await spoolWithRecords(3);
      writeFileSync(join(dir, '00000000000000000004.seg'), '');
      const { spool, warnings } = await openSpool(dir);
      expect(warnings).toEqual([]);
      expect(segmentFiles(dir)).toHaveLength(1);
      expect(payloadsOf(await readAll(spool, 3))).toEqual(numbered('kept-', 3));
      await spool.write(utf8(['four']));
      expect((await readAll(spool, 1))[0]?.seq).toBe(4);
    });

    it('serves every kept record when the ack file is unreadable', async () => {
      const { dir } = await spoolWithRecords(3);
      writeFileSync(join(dir, 'ack'), 'garbage');
      const { spool, warnings } = await openSpool(dir);
      expect(warnings.join('\n')).toMatch(/ack file/);
      expect(payloadsOf(await readAll(spool, 3))).toEqual(numbered('kept-', 3));
    });
  });

  describe('the lock', () => {
    it('refuses a second opening of a directory in use, naming the directory', async () => {
      const dir = freshDir();
      await openSpool(dir);
      await expect(openSpool(dir)).rejects.toThrow(new RegExp(`disk spool ${dir} is in use by this process \\(${process.pid}\\)`));
    });

    it('is released on close', async () => {
      const dir = freshDir();
      const { spool } = await openSpool(dir);
      await closeSpool(spool);
      expect(readdirSync(dir)).not.toContain('lock');
      await openSpool(dir);
    });

    it('takes over a lock left by a dead process', async () => {
      const dir = freshDir();
      mkdirSync(dir, { recursive: true });
      const child = spawn(process.execPath, ['-e', '']);
      await new Promise((resolve) => child.once('exit', resolve));
      writeFileSync(join(dir, 'lock'), `${child.pid}\n`);
      const { spool } = await openSpool(dir);
      expect(readFileSync(join(dir, 'lock'), 'utf8').trim()).toBe(String(process.pid));
      await spool.write(utf8(['ok']));
    });

    it('refuses a lock held by another live process', async () => {
      const dir = freshDir();
      mkdirSync(dir, { recursive: true });
      const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
      try {
        writeFileSync(join(dir, 'lock'), `${child.pid}\n`);
        await expect(openSpool(dir)).rejects.toThrow(new RegExp(`disk spool ${dir} is in use by process ${child.pid}`));
      } finally {
        child.kill('SIGKILL');
      }
    });
  });
});

describe('a crash (SIGKILL) while writing', () => {
  const compiled = join(scratch, 'compiled');
  const childScript = join(compiled, 'crash-writer.mjs');

  // The child runs the spool as plain JavaScript, transpiled here, so the test needs no build step and no TS loader.
  beforeAll(() => {
    mkdirSync(compiled, { recursive: true });
    writeFileSync(join(compiled, 'package.json'), '{"type":"module"}\n');
    // The spool and the one module outside its folder it imports (private file modes).
    for (const folder of ['ingest/buffers', 'platform/fs', 'platform/bytes']) {
      const source = new URL(`../../${folder}/`, import.meta.url).pathname;
      mkdirSync(join(compiled, folder), { recursive: true });
      for (const name of readdirSync(source).filter((file) => file.endsWith('.ts'))) {
        const { outputText } = ts.transpileModule(readFileSync(join(source, name), 'utf8'), {
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
        });
        writeFileSync(join(compiled, folder, name.replace(/\.ts$/, '.js')), outputText);
      }
    }
    writeFileSync(childScript, CRASH_WRITER);
  });

  /** Runs the writer child until it reported `atLeast` durable writes, kills it, and returns what it reported durable. */
  async function writeAndKill(dir: string, round: number, atLeast: number): Promise<Map<string, number>> {
    const child: ChildProcess = spawn(process.execPath, [childScript, dir, String(round)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const durable = new Map<string, number>();
    let reports = 0;
    let stderr = '';
    let rest = '';
    child.stderr?.on('data', (data: Buffer) => {
      stderr += data.toString();
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    child.stdout?.on('data', (data: Buffer) => {
      const lines = (rest + data.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        const match = /^durable (\S+) (\d+)$/.exec(line);
        if (!match) continue;
        durable.set(match[1] as string, Math.max(durable.get(match[1] as string) ?? 0, Number(match[2])));
        if (++reports === atLeast) child.kill('SIGKILL');
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const signal = await exited;
    clearTimeout(timer);
    // Let the pipe drain: every line the child printed before it died counts.
    await new Promise((resolve) => (child.stdout?.readableEnded ? resolve(undefined) : child.stdout?.once('close', resolve)));
    expect(stderr).toBe('');
    expect(signal).toBe('SIGKILL');
    expect(reports).toBeGreaterThanOrEqual(atLeast);
    return durable;
  }

  it('loses no record reported durable, twice in a row', { timeout: 120_000 }, async () => {
    const dir = freshDir();
    const reported = new Map<string, number>();
    for (const round of [1, 2]) {
      for (const [writer, count] of await writeAndKill(dir, round, 300)) reported.set(writer, count);
      const { spool } = await openSpool(dir, { segmentBytes: 256 * 1024 });
      const ids = new Set(payloadsOf(await readRest(spool)).map((payload) => payload.split(' ')[0]));
      for (const [writer, count] of reported) {
        for (let i = 0; i < count; i++)
          if (!ids.has(`${writer}:${i}`)) throw new Error(`round ${round}: ${writer}:${i} was reported durable and is gone`);
      }
      await closeSpool(spool);
    }
    expect(reported.size).toBe(8);
  });
});

/** The child: 4 concurrent writers, each printing "durable <writer> <n>" once its records 0..n-1 are durable. */
const CRASH_WRITER = `
import { openDiskSpool } from './ingest/buffers/disk-spool.js';
const [dir, round] = process.argv.slice(2);
const spool = await openDiskSpool({ dir, maxBytes: 1 << 30, whenFull: 'block', segmentBytes: 256 * 1024 });
const pad = 'p'.repeat(300);
async function writer(name) {
  for (let n = 0; ; ) {
    const count = 1 + (n % 37);
    const batch = Array.from({ length: count }, (_, i) => name + ':' + (n + i) + ' ' + pad);
    await spool.write(batch.map((text) => Buffer.from(text)));
    n += count;
    process.stdout.write('durable ' + name + ' ' + n + '\\n');
  }
}
await Promise.all([0, 1, 2, 3].map((w) => writer('r' + round + 'w' + w)));
`;

describe('createBuffer', () => {
  it('makes a disk spool by default, in the default directory', async () => {
    const dir = freshDir();
    const buffer = await createBuffer({}, dir);
    try {
      expect(buffer).toBeInstanceOf(DiskSpool);
      expect((buffer as DiskSpool).dir).toBe(dir);
      await buffer.write(utf8(['x']));
      expect(segmentFiles(dir)).toHaveLength(1);
    } finally {
      await buffer.close();
    }
  });

  it('honours path, max_bytes and when_full', async () => {
    const dir = freshDir();
    const buffer = await createBuffer({ type: 'disk', path: dir, max_bytes: 100, when_full: 'drop_newest' }, join(scratch, 'unused'));
    try {
      expect(await buffer.write(utf8(['a'.repeat(80), 'b'.repeat(80)]))).toMatchObject({ written: 1, dropped: 1 });
      expect(segmentFiles(dir)).toHaveLength(1);
    } finally {
      await buffer.close();
    }
  });

  it('makes a memory buffer when asked', async () => {
    const buffer = await createBuffer({ type: 'memory', max_bytes: 10, when_full: 'drop_newest' }, join(scratch, 'unused'));
    expect(buffer).toBeInstanceOf(MemoryBuffer);
    expect(await buffer.write(utf8(['12345678', '12345678']))).toMatchObject({ written: 1, dropped: 1 });
    await buffer.close();
  });
});
