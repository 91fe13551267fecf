/**
 * The `kafka` source's commits on a real broker, with a scripted pipeline: an offset is committed only once the chunk
 * holding it is durable, so what a member read but could not make durable is read again by the next owner of its
 * partitions — after a crash (the member leaves without committing) and after a rebalance (a second member joins).
 */
import { randomUUID } from 'node:crypto';
import { Admin, Producer } from '@platformatic/kafka';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeRecordValue } from '../../ingest/kafka/kafka-record.js';
import { KafkaSource } from '../../ingest/kafka/kafka-source.js';
import type { PipelineIntake, RawLine } from '../../ingest/pipeline/raw-line.js';
import { ComponentTelemetry } from '../../platform/telemetry/component-telemetry.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import { sharedKafka } from '../support/kafka.js';
import { until } from '../support/sample-events.js';

const brokers = await sharedKafka();
const RECORDS = 3000;

/** An intake that makes chunks durable while `open()` says so, and holds the others forever (a stuck sink). */
function scriptedIntake(open: (chunk: number) => boolean) {
  const durable: string[] = [];
  const held: string[] = [];
  const waiting: (() => void)[] = [];
  let chunks = 0;
  let read = 0;
  let released = false;
  const intake: PipelineIntake = {
    deliver: () => undefined,
    isFull: () => false,
    submit(lines: RawLine[]) {
      const ids = lines.map((line) => line.id as string);
      read += ids.length;
      if (open(chunks++) || released) {
        durable.push(...ids);
        return Promise.resolve();
      }
      held.push(...ids);
      return new Promise<void>((resolve) =>
        waiting.push(() => {
          durable.push(...ids);
          resolve();
        }),
      );
    },
  };
  /** The held chunks made durable (a slow sink catching up), and every chunk from now on at once. */
  const release = () => {
    released = true;
    for (const next of waiting.splice(0)) next();
  };
  return { intake, durable, held, chunks: () => chunks, read: () => read, release };
}

function source(id: string, topic: string, group: string, intake: PipelineIntake, maxInFlightEvents?: number): KafkaSource {
  const registry = new MetricsRegistry();
  return new KafkaSource({
    id,
    brokers,
    topics: [topic],
    group,
    start: 'earliest',
    clientId: id,
    zone: 'UTC',
    maxBatchEvents: 100,
    lagIntervalMs: 1000,
    sessionTimeoutMs: 6000,
    intake,
    telemetry: new ComponentTelemetry(registry, { id, kind: 'source', type: 'kafka' }),
    registry,
    stopGraceMs: 1000,
    ...(maxInFlightEvents === undefined ? {} : { maxInFlightEvents }),
  });
}

async function untilAsync(condition: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('kafka source commits', () => {
  const topics: string[] = [];
  const running: KafkaSource[] = [];

  afterAll(async () => {
    for (const each of running) await each.abandon().catch(() => undefined);
    const admin = new Admin({ clientId: 'fortiems-test', bootstrapBrokers: brokers });
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.close();
  });

  async function topicWithRecords(spread = false): Promise<{ topic: string; ids: string[] }> {
    const topic = `fortiems-it-src-${randomUUID().slice(0, 8)}`;
    topics.push(topic);
    const admin = new Admin({ clientId: 'fortiems-test', bootstrapBrokers: brokers });
    await admin.createTopics({ topics: [topic], partitions: 2, replicas: 1 });
    await admin.close();
    const producer = new Producer({ clientId: 'fortiems-test', bootstrapBrokers: brokers, idempotent: true });
    const ids = Array.from({ length: RECORDS }, (_, i) => `record-${i}`);
    await producer.send({
      messages: ids.map((id, i) => ({
        topic,
        key: Buffer.from(`ems0${i % 4}`),
        value: Buffer.from(encodeRecordValue({ id, line: `line ${i}`, receivedAt: 1_795_000_000_000 + i, sourceId: 'tcp', zone: 'UTC' })),
        // Spread: half the records in each partition, whatever their keys hash to.
        ...(spread ? { partition: i % 2 } : {}),
      })),
    });
    await producer.close();
    return { topic, ids };
  }

  it('after a crash, the next member reads exactly what was not durable: nothing lost, nothing committed twice', async () => {
    const { topic, ids } = await topicWithRecords();
    const group = `fortiems-it-${randomUUID().slice(0, 8)}`;
    // The first 8 chunks become durable; the rest are held, as by a sink that cannot write.
    const first = scriptedIntake((chunk) => chunk < 8);
    const crashed = source('first', topic, group, first.intake);
    running.push(crashed);
    await crashed.start();
    await until(() => first.chunks() >= 10, 'the first member to read past its durable chunks');
    // Its commits of the durable chunks reach the broker; the held ones are never committed.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await crashed.abandon();
    expect(first.durable).toHaveLength(800);
    expect(first.held.length).toBeGreaterThan(0);

    const second = scriptedIntake(() => true);
    const next = source('second', topic, group, second.intake);
    running.push(next);
    await next.start();
    await until(() => first.durable.length + second.durable.length >= RECORDS, 'the second member to read the rest', 90_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // Nothing lost: every record durable once; everything held by the first member was read again.
    expect(new Set([...first.durable, ...second.durable])).toEqual(new Set(ids));
    expect(second.durable).toEqual(expect.arrayContaining(first.held));
    // Nothing committed past a durable chunk, nothing durable read again.
    expect(second.durable.filter((id) => first.durable.includes(id))).toEqual([]);
    expect(second.durable).toHaveLength(RECORDS - 800);
    // At rest the lag of both partitions is 0.
    const lag = await next.measureLag();
    expect([...(lag.get(topic) ?? [])]).toEqual([0n, 0n]);
    await next.stop();
  }, 180_000);

  it('when a second member joins, what the first read and could not make durable is read again by whoever owns it', async () => {
    const { topic, ids } = await topicWithRecords();
    const group = `fortiems-it-${randomUUID().slice(0, 8)}`;
    // The first member makes 5 chunks durable and then holds everything (stuck), so its partitions stay uncommitted.
    const first = scriptedIntake((chunk) => chunk < 5);
    const stuck = source('first', topic, group, first.intake);
    running.push(stuck);
    await stuck.start();
    await until(() => first.chunks() >= 6, 'the first member to read');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const second = scriptedIntake(() => true);
    const joined = source('second', topic, group, second.intake);
    running.push(joined);
    await joined.start();
    // The stuck member leaves (a stop whose grace period runs out commits nothing more): all partitions move.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await stuck.stop();
    await until(() => new Set([...first.durable, ...second.durable]).size >= RECORDS, 'every record durable somewhere', 90_000);
    expect(new Set([...first.durable, ...second.durable])).toEqual(new Set(ids));
    expect(second.durable).toEqual(expect.arrayContaining(first.held));
    await joined.stop();
  }, 180_000);

  it('a member that keeps a partition through a rebalance hands none of its records over twice', async () => {
    const topic = `fortiems-it-src-${randomUUID().slice(0, 8)}`;
    topics.push(topic);
    const admin = new Admin({ clientId: 'fortiems-test', bootstrapBrokers: brokers });
    await admin.createTopics({ topics: [topic], partitions: 2, replicas: 1 });
    await admin.close();
    // Produced in waves while the members read, so each fetch brings a few records and the client's re-read of a kept
    // partition after the rebalance fetches records this member already handed over.
    const ids = Array.from({ length: RECORDS }, (_, i) => `record-${i}`);
    const producer = new Producer({ clientId: 'fortiems-test', bootstrapBrokers: brokers, idempotent: true });
    const producing = (async () => {
      for (let wave = 0; wave < RECORDS / 100; wave++) {
        await producer.send({
          messages: ids.slice(wave * 100, wave * 100 + 100).map((id, i) => ({
            topic,
            key: Buffer.from(`ems0${i % 4}`),
            value: Buffer.from(
              encodeRecordValue({ id, line: `line ${i}`, receivedAt: 1_795_000_000_000 + i, sourceId: 'tcp', zone: 'UTC' }),
            ),
          })),
        });
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
      await producer.close();
    })();
    const group = `fortiems-it-${randomUUID().slice(0, 8)}`;
    // A slow pipeline: every chunk durable after a while, so chunks are in flight (read, not yet committed) when the
    // second member joins and the client re-reads the partitions the first keeps from their last commit.
    function slowIntake(delayMs: number) {
      const durable: string[] = [];
      const intake: PipelineIntake = {
        deliver: () => undefined,
        isFull: () => false,
        submit: (lines: RawLine[]) =>
          new Promise<void>((resolve) =>
            setTimeout(() => {
              durable.push(...lines.map((line) => line.id as string));
              resolve();
            }, delayMs),
          ),
      };
      return { intake, durable };
    }
    const first = slowIntake(1000);
    const kept = source('first', topic, group, first.intake);
    running.push(kept);
    await kept.start();
    await until(() => first.durable.length >= 300, 'the first member to read');
    const second = slowIntake(1000);
    const joined = source('second', topic, group, second.intake);
    running.push(joined);
    await joined.start();
    await until(() => new Set([...first.durable, ...second.durable]).size >= RECORDS, 'every record durable somewhere', 120_000);
    // Each member handed each record over once; across members, the moved partition's uncommitted records may repeat.
    expect(first.durable.length).toBe(new Set(first.durable).size);
    expect(second.durable.length).toBe(new Set(second.durable).size);
    expect(new Set([...first.durable, ...second.durable])).toEqual(new Set(ids));
    await producing;
    await joined.stop();
    await kept.stop();
  }, 180_000);

  it('a partition given back after another member held it without committing is read again from its start', async () => {
    const { topic, ids } = await topicWithRecords(true);
    const group = `fortiems-it-${randomUUID().slice(0, 8)}`;
    // The first member reads both partitions to their end and holds every chunk (a slow sink): nothing is committed.
    const slow = scriptedIntake(() => false);
    const survivor = source('survivor', topic, group, slow.intake, 10 * RECORDS);
    running.push(survivor);
    await survivor.start();
    await until(() => slow.read() >= RECORDS, 'the first member to read everything');
    // A second member takes one partition, reads it, commits nothing and crashes: the partition comes back uncommitted.
    const held = scriptedIntake(() => false);
    const victim = source('victim', topic, group, held.intake);
    running.push(victim);
    await victim.start();
    await until(() => held.chunks() > 0, 'the second member to read its partition');
    expect((await survivor.measureLag()).get(topic)).toContain(-1n);
    await victim.abandon();
    await untilAsync(async () => !(await survivor.measureLag()).get(topic)?.includes(-1n), 'the first member to own both partitions again');
    // The slow sink catches up: what was read in the first stretch of the partition taken away commits nothing
    // (another member owned it meanwhile), so the partition must be read again from its start and committed.
    slow.release();
    await untilAsync(
      async () => (await survivor.measureLag()).get(topic)?.every((lag) => lag === 0n) ?? false,
      'both partitions committed to their end',
      30_000,
    );
    expect(new Set(slow.durable)).toEqual(new Set(ids));
    await survivor.stop();
  }, 180_000);

  it('after a refused chunk, leaves the group, rejoins and reads on from the last commit', async () => {
    const { topic, ids } = await topicWithRecords();
    const group = `fortiems-it-${randomUUID().slice(0, 8)}`;
    // The third chunk is refused (a sink buffer that cannot write); the pipeline takes everything after it.
    const durable: string[] = [];
    const refused: string[] = [];
    let chunks = 0;
    const intake: PipelineIntake = {
      deliver: () => undefined,
      isFull: () => false,
      submit(lines: RawLine[]) {
        const chunkIds = lines.map((line) => line.id as string);
        if (chunks++ === 2) {
          refused.push(...chunkIds);
          return Promise.reject(new Error('buffer cannot write'));
        }
        durable.push(...chunkIds);
        return Promise.resolve();
      },
    };
    const member = source('member', topic, group, intake);
    running.push(member);
    await member.start();
    await until(() => new Set(durable).size >= RECORDS, 'the member to rejoin and read the rest', 90_000);
    expect(new Set(durable)).toEqual(new Set(ids));
    expect(durable).toEqual(expect.arrayContaining(refused));
    // Committed to the end once the rest is durable.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const lag = await member.measureLag();
    expect([...(lag.get(topic) ?? [])]).toEqual([0n, 0n]);
    await member.stop();
  }, 180_000);

  it('reopens a stream the client ended (fetches failing past its retries) and reads on from the last commit', async () => {
    const { topic, ids } = await topicWithRecords();
    const group = `fortiems-it-${randomUUID().slice(0, 8)}`;
    // Five chunks durable at once; the next ones wait until after the stream is lost (their commits then fail).
    const held = scriptedIntake((chunk) => chunk < 5);
    const { intake, durable } = held;
    const member = source('member', topic, group, intake);
    running.push(member);
    await member.start();
    await until(() => held.chunks() >= 6, 'the member to read past its durable chunks');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // What the client does when a broker stays away: it destroys the stream with the fetch's error.
    (member as unknown as { stream: { destroy(error: Error): void } }).stream.destroy(new Error('fetch failed: broker gone'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    held.release();
    await until(() => new Set(durable).size >= RECORDS, 'the reopened stream to read the rest', 90_000);
    expect(new Set(durable)).toEqual(new Set(ids));
    // The new consumer started from the last commit, before the chunks the lost one could not commit: read twice.
    expect(durable.length).toBeGreaterThan(RECORDS);
    await member.stop();
  }, 180_000);
});
