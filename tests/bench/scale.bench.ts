/**
 * npm run bench:scale — the Kafka tier's indexing side alone: one indexer, then two in one consumer group, reading the
 * same filled topic into OpenSearch, interleaved (1/2, 2/1, … for BENCH_ROUNDS rounds, default 2). Prints each run's
 * events/s, CPU seconds per million events, each indexer's peak RSS and the total consumer lag every second (a line of
 * five samples every 5 s), then the median and min–max of each figure. Asserts nothing; not part of `npm test`.
 *
 * Each run is a fresh topic of 6 partitions, a fresh consumer group and a fresh namespace: `fortiems ingest` processes
 * with the `kafka` source (start: earliest) and the `opensearch` sink start on the empty topic; once every member owns
 * partitions, a collector (`fortiems ingest`: syslog TCP → `kafka` sink) fills it with BENCH_EVENTS EMS lines (default
 * 200,000) from BENCH_SENDERS EMS servers (default 48, so the sender key spreads them over the partitions) while the
 * indexers drain it; the collector's rate into Kafka is printed too. A run's rate is the
 * events over the time from the first record consumed (the source's received events, summed over the indexers' /metrics)
 * to the last acknowledged by OpenSearch (the sink's sent events), both polled every 250 ms. The lag series is, per
 * partition, the smallest value any member reports, summed; at rest each run also prints the count indexed, the
 * broker's committed offsets and `fortiems_unaccounted_events`.
 *
 * BENCH_MODES=delivered-memory,buffered-disk,… compares how an indexer commits instead (one indexer per run, the modes
 * interleaved and rotated each round): `<commit_after>-<buffer type>`; it prints each mode's events/s and its ratio to
 * the first mode's run of the same round.
 *
 * KAFKA_BROKERS selects a cluster; otherwise a broker is started in a temporary folder (port 0) and stopped at the end.
 * OPENSEARCH_URL selects OpenSearch (default http://127.0.0.1:9200); BENCH_CLUSTER=1 starts a 3-node cluster in a
 * temporary folder instead and spreads the sinks over its nodes (`urls`).
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Admin } from '@platformatic/kafka';
import { startManagedBroker, stopManagedBroker } from '../../app/kafka/managed-broker.js';
import { kafkaBrokersFromEnv } from '../../app/kafka/target.js';
import { startManagedCluster, stopManagedCluster } from '../../app/opensearch/managed-cluster.js';
import { runSimulation } from '../../ems-core/simulation/runner.js';
import { Simulation } from '../../ems-core/simulation/simulation.js';
import { installMappings } from '../../ingest/sinks/search/install-mappings.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import { nodeUrls, targetFromEnv } from '../../platform/opensearch/target.js';
import { formatLine } from '../../syslog/index.js';
import { startIngestProcess } from '../support/ingest-process.js';
import { type MetricSample, scrapeMetrics, sumMetric } from './bench-support.js';
import { CLI, cpuSeconds, deleteNamespace, peakRssMiB, sendLines } from './end-to-end.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SENDERS = Number(process.env.BENCH_SENDERS ?? 48);
const PARTITIONS = 6;
/** `<commit_after>-<buffer type>` variants to compare (BENCH_MODES), or none: the 1-vs-2-indexer comparison. */
const MODES = (process.env.BENCH_MODES ?? '').split(',').filter((mode) => /^(delivered|buffered)-(memory|disk)$/.test(mode));
const RUN_TIMEOUT_MS = 30 * 60_000;
const POLL_MS = 250;

interface Indexer {
  child: ChildProcess;
  exited: Promise<number | null>;
  httpUrl: string;
  cpuAtStart: number;
  rssMiB: number;
}

interface RunResult {
  indexers: number;
  rate: number;
  cpuPerMillion: number;
  rssMiB: number[];
  lag: number[];
  indexed: number;
  unaccounted: number;
  mode?: string;
}

const cleanups: (() => Promise<void>)[] = [];
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    for (const child of children) child.kill('SIGKILL');
    void Promise.race([undoAll(), sleep(60_000)]).finally(() => process.exit(130));
  });

async function undoAll(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((error: unknown) => console.error(`cleanup: ${error}`));
}

/**
 * EMS core lines of the last day from `senders` EMS servers: each its own serial (the partition key: `sender` takes the
 * EMS serial first) and its own syslog HOSTNAME. The simulator is one EMS, so each sender's serial is written in: with
 * the simulator's one serial every line went to one partition, and the runs before this measured one partition read by
 * one member whatever the number of indexers.
 */
async function linesFromSenders(count: number, senders: number): Promise<string[]> {
  const lines: string[] = [];
  const sim = new Simulation({ seed: 17, start: Date.now() - 86_400_000, endpoints: 2000 });
  let n = 0;
  await runSimulation(
    sim,
    (line) => {
      const sender = String((n++ % senders) + 1).padStart(2, '0');
      const hostname = `ems${sender}.corp.example.com`;
      lines.push(
        formatLine(line, { format: 'rfc3164', hostname })
          .replace(/ emsserial=FCTEMS\d+/, ` emsserial=FCTEMS88000000${sender}`)
          .replace(/ emshostname="[^"]*"/, ` emshostname="${hostname}"`),
      );
    },
    { count },
  );
  return lines;
}

async function stop(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  if (!(await Promise.race([exited.then(() => true), sleep(30_000).then(() => false)]))) {
    child.kill('SIGKILL');
    await exited;
  }
  children.delete(child);
}

async function scrapeAll(urls: readonly string[]): Promise<MetricSample[][]> {
  return Promise.all(urls.map((url) => scrapeMetrics(url).catch(() => [] as MetricSample[])));
}

/**
 * The group's lag: per partition, the smallest value any member reports, summed. Around a rebalance a member that lost a
 * partition can still report its last (larger) value next to the new owner's, and a plain sum would count it twice;
 * such a sample is marked with a negative sign (printed with `*`). NaN (printed `-`): no member reports a partition yet
 * (the client knows a partition's lag from the member's first commit in it).
 */
function totalLag(all: readonly MetricSample[][]): number {
  const byPartition = new Map<string, number>();
  let overlap = false;
  for (const samples of all)
    for (const sample of samples) {
      if (sample.name !== 'fortiems_kafka_consumer_lag') continue;
      const key = `${sample.labels.topic}:${sample.labels.partition}`;
      const seen = byPartition.get(key);
      if (seen !== undefined) overlap = true;
      byPartition.set(key, Math.min(seen ?? Number.POSITIVE_INFINITY, sample.value));
    }
  if (byPartition.size === 0) return Number.NaN;
  const total = [...byPartition.values()].reduce((sum, value) => sum + value, 0);
  return overlap ? -total : total;
}

const k = (signed: number) => {
  if (Number.isNaN(signed)) return '-';
  const value = Math.abs(signed);
  const text = value >= 1000 ? `${(value / 1000).toFixed(1)}k` : String(value);
  return Object.is(signed, -0) || signed < 0 ? `${text}*` : text;
};

/** The group's committed offsets summed over the topic's partitions, as the broker holds them (the topic has only this run's records). */
async function committedOffsets(brokers: string[], group: string): Promise<number> {
  const admin = new Admin({ clientId: 'fortiems-bench', bootstrapBrokers: brokers });
  try {
    const groups = await admin.listConsumerGroupOffsets({ groups: [group] });
    let sum = 0;
    for (const entry of groups)
      for (const topic of entry.topics) for (const partition of topic.partitions) sum += Math.max(0, Number(partition.committedOffset));
    return sum;
  } finally {
    await admin.close();
  }
}

/** The collector: syslog TCP → the `kafka` sink; returns its rate into Kafka (first line sent → last acknowledged). */
async function fillTopic(dir: string, brokers: string[], topic: string, lines: readonly string[]): Promise<number> {
  const dataDir = join(dir, `collector-${topic}`);
  const config = join(dir, `collector-${topic}.yaml`);
  writeFileSync(
    config,
    `data_dir: ${JSON.stringify(dataDir)}
sources:
  syslog_tcp: { type: syslog, mode: tcp, address: "127.0.0.1:0" }
pipeline:
  timezone: UTC
sinks:
  kafka: { type: kafka, brokers: ${JSON.stringify(brokers)}, topic: ${topic}, compression: lz4, batch: { max_events: 2000, timeout_ms: 200 } }
http:
  address: "127.0.0.1:0"
`,
  );
  const collector = await startIngestProcess(config, { cli: CLI, listens: ['tcp'] });
  children.add(collector.child);
  try {
    const pid = collector.child.pid as number;
    const cpuAtStart = cpuSeconds(pid);
    const started = performance.now();
    await sendLines(`tcp://127.0.0.1:${collector.ports.tcp}?framing=octet`, lines);
    let sent = 0;
    while (sent < lines.length) {
      if (performance.now() - started > RUN_TIMEOUT_MS) throw new Error(`the collector wrote ${sent} of ${lines.length} lines to Kafka`);
      await sleep(POLL_MS);
      sent = sumMetric(await scrapeMetrics(collector.httpUrl), 'fortiems_component_sent_events_total', { component_id: 'kafka' });
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuSeconds(pid) - cpuAtStart;
    const unaccounted = sumMetric(await scrapeMetrics(collector.httpUrl), 'fortiems_unaccounted_events');
    console.log(
      `collector → Kafka: ${lines.length} lines in ${seconds.toFixed(1)} s = ${Math.round(lines.length / seconds)} lines/s, ` +
        `${((cpu / lines.length) * 1e6).toFixed(1)} CPU-s per M lines, peak RSS ${peakRssMiB(pid).toFixed(0)} MiB, unaccounted ${unaccounted}`,
    );
    return lines.length / seconds;
  } finally {
    await stop(collector.child, collector.exited);
  }
}

/** A fresh topic of PARTITIONS partitions, deleted at the end. */
async function freshTopic(brokers: string[]): Promise<string> {
  const topic = `bench-scale-${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const admin = new Admin({ clientId: 'fortiems-bench', bootstrapBrokers: brokers });
  try {
    await admin.createTopics({ topics: [topic], partitions: PARTITIONS, replicas: 1 });
  } finally {
    await admin.close();
  }
  cleanups.push(async () => {
    const cleaner = new Admin({ clientId: 'fortiems-bench', bootstrapBrokers: brokers });
    await cleaner.deleteTopics({ topics: [topic] }).finally(() => cleaner.close());
  });
  return topic;
}

/** The partitions each member reports a lag for (the ones it owns). */
function ownedPartitions(all: readonly MetricSample[][]): string[][] {
  return all.map((samples) =>
    samples.filter((sample) => sample.name === 'fortiems_kafka_consumer_lag').map((sample) => sample.labels.partition as string),
  );
}

/**
 * One run: a fresh topic and group; the indexers start on the empty topic and the run waits until every member owns
 * partitions (so the group has settled: a member that joins late finds the backlog already read ahead by the first,
 * and a 2-indexer run measured one indexer); then the collector fills the topic while the indexers drain it.
 */
async function indexingRun(
  dir: string,
  brokers: string[],
  lines: readonly string[],
  openSearchUrls: string[],
  count: number,
  round: number,
  mode?: string,
): Promise<RunResult> {
  const topic = await freshTopic(brokers);
  const [commitAfter, bufferType] = (mode ?? '').split('-');
  const commit = commitAfter ? `, commit_after: ${commitAfter}` : '';
  const buffer = bufferType ? `, buffer: { type: ${bufferType} }` : '';
  const tag = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const group = `bench-scale-${tag}`;
  const namespace = `bscale_${tag}`;
  const client = createOpenSearchClient({ url: openSearchUrls[0] as string });
  cleanups.push(() => deleteNamespace(client, namespace));
  // The sink installs the templates before its first delivery: done now, so it is not timed.
  await installMappings(client, { namespace });
  const target = openSearchUrls.length > 1 ? `urls: ${JSON.stringify(openSearchUrls)}` : `url: ${JSON.stringify(openSearchUrls[0])}`;
  const indexers: Indexer[] = [];
  const starting: Promise<void>[] = [];
  try {
    // All started at once and watched from the first spawn: the first member up may consume before the others join.
    for (let i = 0; i < count; i++) {
      const dataDir = join(dir, `indexer-${tag}-${i}`);
      const config = join(dir, `indexer-${tag}-${i}.yaml`);
      writeFileSync(
        config,
        `data_dir: ${JSON.stringify(dataDir)}
sources:
  kafka: { type: kafka, brokers: ${JSON.stringify(brokers)}, topics: [${topic}], group: ${group}, start: earliest, session_timeout_ms: 6000, lag_interval_ms: 1000${commit} }
pipeline:
  timezone: UTC
  enrich: { geoip: true }
sinks:
  opensearch: { type: opensearch, ${target}, namespace: ${namespace}${buffer} }
http:
  address: "127.0.0.1:0"
`,
      );
      starting.push(
        startIngestProcess(config, { cli: CLI }).then((started) => {
          children.add(started.child);
          indexers.push({ ...started, cpuAtStart: cpuSeconds(started.child.pid as number), rssMiB: 0 });
        }),
      );
    }
    console.log(
      `round ${round}, ${count} indexer${count > 1 ? 's' : ''}${mode ? ` ${mode}` : ''} (group ${group}, namespace ${namespace}):`,
    );
    await Promise.all(starting);
    const settling = performance.now();
    for (;;) {
      if (performance.now() - settling > 120_000) throw new Error('the consumer group did not settle in 120 s');
      const owned = ownedPartitions(await scrapeAll(indexers.map((indexer) => indexer.httpUrl)));
      if (owned.every((partitions) => partitions.length > 0) && new Set(owned.flat()).size === PARTITIONS) break;
      await sleep(POLL_MS);
    }
    let fillError: unknown;
    const filled = fillTopic(dir, brokers, topic, lines).catch((error: unknown) => {
      fillError = error;
    });
    const begun = performance.now();
    let first: number | undefined;
    let consumed: number | undefined;
    let sent = 0;
    const lag: number[] = [];
    let nextLagAt = begun;
    while (sent < EVENTS) {
      if (performance.now() - begun > RUN_TIMEOUT_MS) throw new Error(`the indexers delivered ${sent} of ${EVENTS} events`);
      if (fillError) throw fillError;
      await sleep(POLL_MS);
      const all = await scrapeAll(indexers.map((indexer) => indexer.httpUrl));
      const now = performance.now();
      const received = all.reduce(
        (sum, samples) => sum + sumMetric(samples, 'fortiems_component_received_events_total', { component_id: 'kafka' }),
        0,
      );
      if (first === undefined && received > 0) first = now;
      if (consumed === undefined && received >= EVENTS) consumed = now;
      sent = all.reduce((sum, samples) => sum + sumMetric(samples, 'fortiems_component_sent_events_total', { component_kind: 'sink' }), 0);
      for (const indexer of indexers) indexer.rssMiB = Math.max(indexer.rssMiB, peakRssMiB(indexer.child.pid as number));
      if (first !== undefined && now >= nextLagAt) {
        nextLagAt = Math.max(nextLagAt + 1000, now);
        lag.push(totalLag(all));
        if (lag.length % 5 === 0)
          console.log(`  lag t=${String(lag.length - 5).padStart(3)}..${lag.length - 1} s: ${lag.slice(-5).map(k).join(' ')}`);
      }
    }
    await filled;
    const urls = indexers.map((indexer) => indexer.httpUrl);
    const done = performance.now();
    const cpu = indexers.reduce((sum, indexer) => sum + cpuSeconds(indexer.child.pid as number) - indexer.cpuAtStart, 0);
    if (lag.length % 5 !== 0)
      console.log(
        `  lag t=${lag.length - (lag.length % 5)}..${lag.length - 1} s: ${lag
          .slice(-(lag.length % 5))
          .map(k)
          .join(' ')}`,
      );
    // At rest: the last commits land after the sink's acknowledgement; then every account is closed.
    await sleep(3000);
    const atRest = await scrapeAll(urls);
    const unaccounted = atRest.reduce((sum, samples) => sum + sumMetric(samples, 'fortiems_unaccounted_events'), 0);
    const readBy = atRest.map((samples) => sumMetric(samples, 'fortiems_component_received_events_total', { component_id: 'kafka' }));
    const ownedBy = ownedPartitions(atRest).map((partitions) => partitions.length);
    const lagAtRest = atRest.reduce((sum, samples) => sum + sumMetric(samples, 'fortiems_kafka_consumer_lag'), 0);
    const committed = await committedOffsets(brokers, group);
    await client.indices.refresh({ index: `logs-fortiems.*-${namespace}` } as never).catch(() => undefined);
    const counted = await client.count({ index: `logs-fortiems.*-${namespace}` } as never);
    const indexed = Number((counted.body as { count: number }).count);
    const seconds = ((done - (first ?? begun)) as number) / 1000;
    const result: RunResult = {
      indexers: count,
      rate: EVENTS / seconds,
      cpuPerMillion: (cpu / EVENTS) * 1e6,
      rssMiB: indexers.map((indexer) => indexer.rssMiB),
      lag,
      indexed,
      unaccounted,
      ...(mode ? { mode } : {}),
    };
    console.log(
      `  ${EVENTS} events in ${seconds.toFixed(1)} s (${(((first ?? begun) - begun) / 1000).toFixed(1)} s from spawn to the first record) = ` +
        `${Math.round(result.rate)} events/s (all read into the sink's spool after ${(((consumed ?? done) - (first ?? begun)) / 1000).toFixed(1)} s); ${result.cpuPerMillion.toFixed(1)} CPU-s per M events (all indexers); ` +
        `peak RSS ${result.rssMiB.map((mib) => `${mib.toFixed(0)}`).join(' + ')} MiB; indexed ${indexed}; ` +
        `lag at rest: /metrics ${lagAtRest}, broker ${EVENTS - committed} (committed ${committed}); unaccounted ${unaccounted}; ` +
        `read per indexer ${readBy.join(' + ')} (partitions owned ${ownedBy.join(' + ')})`,
    );
    return result;
  } finally {
    await Promise.allSettled(starting);
    await Promise.all(indexers.map((indexer) => stop(indexer.child, indexer.exited)));
    await client.close();
  }
}

function summary(values: number[], digits = 0): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median =
    sorted.length % 2 === 1
      ? (sorted[(sorted.length - 1) / 2] as number)
      : ((sorted[sorted.length / 2 - 1] as number) + (sorted[sorted.length / 2] as number)) / 2;
  return `median ${median.toFixed(digits)} (min ${(sorted[0] as number).toFixed(digits)}, max ${(sorted.at(-1) as number).toFixed(digits)})`;
}

async function main(): Promise<void> {
  console.log(
    `bench:scale — ${EVENTS} events from ${SENDERS} EMS senders, ${PARTITIONS} partitions, ${ROUNDS} rounds; ` +
      `${availableParallelism()} cores (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ` +
      `load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}; Node ${process.version}`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'fortiems-bench-scale-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));

  let brokers = kafkaBrokersFromEnv();
  if (brokers) console.log(`Kafka: KAFKA_BROKERS ${brokers.join(',')}`);
  else {
    // Its own temporary folder: the broker runs as an unprivileged user, who cannot enter `dir` (mode 0700).
    const instanceDir = mkdtempSync(join(tmpdir(), 'fortiems-bench-kafka-'));
    cleanups.push(async () => rmSync(instanceDir, { recursive: true, force: true }));
    const { state } = await startManagedBroker({ instanceDir, port: 0, log: (line) => console.log(line) });
    cleanups.push(async () => void (await stopManagedBroker(instanceDir)));
    brokers = [state.bootstrap];
    console.log(`Kafka: a managed broker ${state.version} at ${state.bootstrap}`);
  }

  let openSearchUrls = nodeUrls(targetFromEnv() ?? { url: 'http://127.0.0.1:9200' });
  if (process.env.BENCH_CLUSTER === '1') {
    const instanceDir = mkdtempSync(join(tmpdir(), 'fortiems-bench-opensearch-'));
    cleanups.push(async () => rmSync(instanceDir, { recursive: true, force: true }));
    const { state } = await startManagedCluster({ nodes: 3, instanceDir, port: 0, heap: '512m', log: (line) => console.log(line) });
    cleanups.push(async () => void (await stopManagedCluster(instanceDir)));
    openSearchUrls = state.urls;
    console.log(`OpenSearch: a managed 3-node cluster ${state.version} at ${state.urls.join(', ')}`);
  } else console.log(`OpenSearch: ${openSearchUrls.join(', ')}`);

  const lines = await linesFromSenders(EVENTS, SENDERS);

  if (MODES.length > 0) {
    const byRound: Map<string, RunResult>[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const runs = new Map<string, RunResult>();
      // Rotated each round, so no mode always runs first (or last) on a machine whose load drifts.
      const order = MODES.map((_, i) => MODES[(i + round - 1) % MODES.length] as string);
      for (const mode of order) runs.set(mode, await indexingRun(dir, brokers, lines, openSearchUrls, 1, round, mode));
      byRound.push(runs);
    }
    console.log(`\nsummary over ${ROUNDS} rounds (${EVENTS} events each run, one indexer):`);
    const base = MODES[0] as string;
    for (const mode of MODES) {
      const runs = byRound.map((runs) => runs.get(mode) as RunResult);
      const ratios = byRound.map((runs) => (runs.get(mode) as RunResult).rate / (runs.get(base) as RunResult).rate);
      console.log(
        `  ${mode.padEnd(16)} events/s ${summary(runs.map((r) => r.rate))}; CPU-s per M events ${summary(
          runs.map((r) => r.cpuPerMillion),
          1,
        )}; peak RSS ${summary(runs.flatMap((r) => r.rssMiB))} MiB; / ${base} per round: ${ratios.map((r) => r.toFixed(2)).join(', ')}`,
      );
    }
    return;
  }
  const results: RunResult[] = [];
  for (let round = 1; round <= ROUNDS; round++)
    for (const count of round % 2 === 1 ? [1, 2] : [2, 1])
      results.push(await indexingRun(dir, brokers, lines, openSearchUrls, count, round));

  console.log(`\nsummary over ${ROUNDS} rounds (${EVENTS} events each run):`);
  for (const count of [1, 2]) {
    const runs = results.filter((result) => result.indexers === count);
    console.log(
      `  ${count} indexer${count > 1 ? 's' : ' '}: events/s ${summary(runs.map((r) => r.rate))}; CPU-s per M events ` +
        `${summary(
          runs.map((r) => r.cpuPerMillion),
          1,
        )}; peak RSS per indexer ${summary(runs.flatMap((r) => r.rssMiB))} MiB`,
    );
  }
  const ratios = [];
  for (let round = 0; round < ROUNDS; round++) {
    const one = results.find((r, i) => r.indexers === 1 && Math.floor(i / 2) === round);
    const two = results.find((r, i) => r.indexers === 2 && Math.floor(i / 2) === round);
    if (one && two) ratios.push(two.rate / one.rate);
  }
  console.log(`  2 indexers / 1 indexer, per round: ${ratios.map((r) => r.toFixed(2)).join(', ')} (${summary(ratios, 2)})`);
}

try {
  await main();
} finally {
  await undoAll();
}
