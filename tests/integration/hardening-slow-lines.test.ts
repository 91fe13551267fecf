import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import { waitForCount } from '../support/ingest-harness.js';
import { type IngestProcess, startIngestProcess, writeIngestConfig } from '../support/ingest-process.js';

const HEALTH_BOUND_MS = 100;
const POLL_EVERY_MS = 20;
/** Below the 65,507-byte UDP payload limit; the TCP lines are the full 64 KiB the default max_message_bytes allows. */
const UDP_LINE_BYTES = 60_000;
const TCP_LINE_BYTES = 64 * 1024;
const UDP_LINES = 3;
const TCP_LINES = 10;

/** GET /health one request at a time, POLL_EVERY_MS apart, timing each one, until stopped. */
function pollHealth(httpUrl: string) {
  const latencies: number[] = [];
  const failures: string[] = [];
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      const started = performance.now();
      try {
        const response = await fetch(`${httpUrl}/health`, { signal: AbortSignal.timeout(60_000) });
        await response.text();
        if (response.status !== 200) failures.push(`status ${response.status}`);
      } catch (error) {
        failures.push((error as Error).message);
      }
      latencies.push(performance.now() - started);
      await sleep(POLL_EVERY_MS);
    }
  })();
  return {
    latencies,
    failures,
    async stop() {
      stopped = true;
      await done;
    },
  };
}

/** The attack line: a BSD header, then '[' up to `bytes` (the tag token the quadratic regular expression scanned). */
function bracketLine(host: string, bytes: number): string {
  const head = `<134>Dec  4 13:00:00 ${host} `;
  return head + '['.repeat(bytes - head.length);
}

async function sendUdp(port: number, lines: readonly string[]): Promise<void> {
  const socket = createSocket('udp4');
  try {
    for (const line of lines) {
      await new Promise<void>((resolve, reject) =>
        socket.send(Buffer.from(line), port, '127.0.0.1', (error) => (error ? reject(error) : resolve())),
      );
      await sleep(50);
    }
  } finally {
    socket.close();
  }
}

async function sendTcp(port: number, lines: readonly string[]): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('close', () => resolve());
    socket.end(Buffer.from(lines.map((line) => `${line}\n`).join('')));
  });
}

describe('lines built to stall a parser do not stall the pipeline', () => {
  const url = inject('opensearchUrl');
  const client = createOpenSearchClient({ url });
  const namespace = `slow${randomUUID().slice(0, 8)}`;
  const dir = mkdtempSync(join(tmpdir(), 'fortiems-it-slow-lines-'));
  const configFile = writeIngestConfig(dir, { syslog: ['udp', 'tcp'], opensearchUrl: url, namespace, geoip: false });
  let ingest: IngestProcess | undefined;

  afterAll(async () => {
    if (ingest && ingest.child.exitCode === null) {
      ingest.child.kill('SIGTERM');
      const exited = await Promise.race([ingest.exited.then(() => true), sleep(20_000).then(() => false)]);
      if (!exited) ingest.child.kill('SIGKILL');
    }
    await client.indices.deleteDataStream({ name: `logs-fortiems.*-${namespace}` }, { ignore: [404] });
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers /health in under 100 ms throughout 64 KiB lines of "[" over UDP and TCP, and indexes every line', async () => {
    ingest = await startIngestProcess(configFile, { listens: ['udp', 'tcp'] });
    const udpLines = Array.from({ length: UDP_LINES }, (_, i) => bracketLine(`udp${i}`, UDP_LINE_BYTES));
    const tcpLines = Array.from({ length: TCP_LINES }, (_, i) => bracketLine(`tcp${i}`, TCP_LINE_BYTES));
    // A few answers first warm the connection and both sides' code: the attack is timed from a steady state.
    for (let i = 0; i < 25; i++) expect((await fetch(`${ingest.httpUrl}/health`)).status).toBe(200);

    const health = pollHealth(ingest.httpUrl);
    let indexed: number;
    try {
      await sleep(100);
      await sendUdp(ingest.ports.udp as number, udpLines);
      await sendTcp(ingest.ports.tcp as number, tcpLines);
      // Polling goes on until every line is indexed: the parsing, the spool and the bulk requests all happen meanwhile.
      indexed = await waitForCount(client, `logs-fortiems.*-${namespace}`, UDP_LINES + TCP_LINES, 90_000);
    } finally {
      await health.stop();
    }

    const slowest = Math.max(...health.latencies);
    console.log(
      `/health during the attack: ${health.latencies.length} answers, slowest ${slowest.toFixed(1)} ms, median ${[...health.latencies]
        .sort((a, b) => a - b)
        [Math.floor(health.latencies.length / 2)]?.toFixed(1)} ms`,
    );
    expect(slowest, `slowest /health answer of ${health.latencies.length}`).toBeLessThan(HEALTH_BOUND_MS);
    expect(health.failures).toEqual([]);
    expect(health.latencies.length).toBeGreaterThan(10);

    // Nothing lost: each line is one generic syslog event (a BSD header, a body that is nobody's log) carrying the line.
    expect(indexed).toBe(UDP_LINES + TCP_LINES);
    const response = await client.search({
      index: `logs-fortiems.*-${namespace}`,
      body: { size: 100, _source: ['event.kind', 'event.original', 'data_stream.dataset'], query: { match_all: {} } },
    });
    const hits = response.body.hits.hits as { _source: { event: { kind: string; original: string }; data_stream: { dataset: string } } }[];
    expect(hits.map((hit) => hit._source.event.kind)).toEqual(Array(UDP_LINES + TCP_LINES).fill('event'));
    expect(hits.map((hit) => hit._source.data_stream.dataset)).toEqual(Array(UDP_LINES + TCP_LINES).fill('fortiems.syslog'));
    expect(hits.map((hit) => hit._source.event.original).sort()).toEqual([...udpLines, ...tcpLines].sort());
  });
});
