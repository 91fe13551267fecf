/**
 * npm run bench:spool — the disk spool on the hot path: durable writes (group-committed fdatasync) from concurrent
 * writers, recovery of a full spool, read + ack from disk, and the steady state where a reader keeps up (served from
 * memory). ~1M records of ~600 bytes by default (BENCH_RECORDS, BENCH_WRITERS, BENCH_BATCH, BENCH_DIR to change).
 * Prints records/s, MB/s and fsyncs/s; asserts nothing. Reading back right after writing mostly hits the page cache.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DiskSpool, openDiskSpool } from '../../ingest/buffers/disk-spool.js';

const COUNT = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const WRITERS = Number(process.env.BENCH_WRITERS ?? 8);
const BATCH = Number(process.env.BENCH_BATCH ?? 500);
const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'fortiems-spool-bench-'));

// A pool of distinct ~600-byte JSON-ish payloads, reused: the figures are the spool's, not the generator's.
const pool = Array.from({ length: 4096 }, (_, i) => {
  const head = `{"@timestamp":"2026-11-30T08:${String(i % 60).padStart(2, '0')}:00Z","event":{"id":"${i.toString(36).padStart(12, '0')}"},"message":"`;
  return Buffer.from(`${head}${'m'.repeat(608 - head.length - (i % 21))}"}`, 'utf8');
});
const poolBytes = pool.reduce((sum, payload) => sum + payload.length, 0) / pool.length;

function report(label: string, records: number, seconds: number, extra = ''): void {
  const mb = (records * poolBytes) / 1e6;
  console.log(
    `${label.padEnd(44)} ${Math.round(records / seconds)
      .toLocaleString('en')
      .padStart(10)} records/s  ${(mb / seconds).toFixed(1).padStart(7)} MB/s  ${extra}`,
  );
}

const open = () => openDiskSpool({ dir, maxBytes: 2 * 1024 ** 3, whenFull: 'block' });
const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;

/** WRITERS concurrent loops of BATCH-record writes, each awaiting durability before the next: a pipeline's sink accepts. */
async function writeAll(spool: DiskSpool, count: number): Promise<number[]> {
  let next = 0;
  const latencies: number[] = [];
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < count) {
        const n = Math.min(BATCH, count - next);
        const batch = new Array<Buffer>(n);
        for (let i = 0; i < n; i++) batch[i] = pool[(next + i) % pool.length] as Buffer;
        next += n;
        const started = performance.now();
        await spool.write(batch);
        latencies.push(performance.now() - started);
      }
    }),
  );
  return latencies.sort((a, b) => a - b);
}

async function readAndAckAll(spool: DiskSpool, count: number): Promise<void> {
  for (let seen = 0; seen < count; ) {
    const batch = await spool.read(2000, 5 * 1024 * 1024);
    seen += batch.length;
    spool.ack(batch);
  }
}

const percentile = (sorted: number[], p: number) => (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0).toFixed(1);

console.log(
  `disk spool: ${COUNT.toLocaleString('en')} records of ~${Math.round(poolBytes)} bytes, ${WRITERS} writers × ${BATCH}-record writes; ${dir}; Node ${process.version}`,
);
try {
  let spool = await open();
  let started = process.hrtime.bigint();
  const latencies = await writeAll(spool, COUNT);
  let elapsed = seconds(started);
  let { fsyncs, commits } = spool.stats();
  report(
    'write, durable (no reader)',
    COUNT,
    elapsed,
    `${Math.round(fsyncs / elapsed)} fsyncs/s (${commits} commits), write latency p50 ${percentile(latencies, 0.5)} ms p99 ${percentile(latencies, 0.99)} ms`,
  );
  await spool.close();

  started = process.hrtime.bigint();
  spool = await open();
  report('open: recovery scan of the full spool', spool.depth().events, seconds(started));

  started = process.hrtime.bigint();
  await readAndAckAll(spool, COUNT);
  elapsed = seconds(started);
  report('read + ack, from disk', COUNT, elapsed, `(${spool.stats().recordsFromDisk.toLocaleString('en')} records read from the files)`);
  await spool.close();

  spool = await open();
  started = process.hrtime.bigint();
  await Promise.all([writeAll(spool, COUNT), readAndAckAll(spool, COUNT)]);
  elapsed = seconds(started);
  ({ fsyncs, commits } = spool.stats());
  const { recordsFromMemory } = spool.stats();
  report(
    'write + read + ack at once (steady state)',
    COUNT,
    elapsed,
    `${Math.round(fsyncs / elapsed)} fsyncs/s, ${((100 * recordsFromMemory) / COUNT).toFixed(0)}% served from memory`,
  );
  await spool.close();
  const memory = process.memoryUsage();
  console.log(`rss ${(memory.rss / 1048576).toFixed(0)} MiB, heap used ${(memory.heapUsed / 1048576).toFixed(0)} MiB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
