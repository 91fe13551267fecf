/**
 * The `kafka` source's bookkeeping against a scripted consumer (what `@platformatic/kafka` does, without a broker):
 * after a rebalance the client reads the partitions a member kept again from their last commit, a rebalance can run
 * between two commits, the pipeline can refuse a chunk, and a stop can come while a reconnect joins or a consumer left
 * behind is still closing. Each case checks at-least-once: nothing skipped that was not handed over, no commit back.
 */
import { EventEmitter } from 'node:events';
import type { Consumer, Message } from '@platformatic/kafka';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeRecordValue } from '../../ingest/kafka/kafka-record.js';
import { KafkaSource } from '../../ingest/kafka/kafka-source.js';
import type { PipelineIntake, RawLine } from '../../ingest/pipeline/raw-line.js';
import type { ComponentTelemetry } from '../../platform/telemetry/component-telemetry.js';

const TOPIC = 'fortiems-raw';
const tick = () => new Promise((resolve) => setImmediate(resolve));

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

function gate(): { promise: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

class FakeStream extends EventEmitter {
  paused = false;
  closed = false;
  private queued: Message[] = [];
  constructor(private readonly consumer: FakeConsumer) {
    super();
  }
  pause(): this {
    this.paused = true;
    return this;
  }
  resume(): this {
    this.paused = false;
    for (const message of this.queued.splice(0)) this.push(message);
    return this;
  }
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }
  /** What one fetch pushes: the records of a partition from `from` to `to` (included), stamped with `generation`. */
  fetch(partition: number, from: number, to: number, generation = this.consumer.generationId): void {
    for (let offset = from; offset <= to; offset++) {
      const message = {
        topic: TOPIC,
        partition,
        offset: BigInt(offset),
        key: Buffer.from('ems'),
        value: Buffer.from(
          encodeRecordValue({ id: `${partition}:${offset}`, line: `line ${offset}`, receivedAt: 1, sourceId: 'tcp', zone: 'UTC' }),
        ),
        headers: new Map(),
        timestamp: 0n,
        metadata: { consumer: { generationId: generation, memberId: this.consumer.memberId, groupId: 'g', coordinatorId: 1 } },
        commit: () => this.consumer.commit(partition, BigInt(offset) + 1n),
      } as unknown as Message;
      this.push(message);
    }
  }
  private push(message: Message): void {
    if (this.paused) this.queued.push(message);
    else this.emit('data', message);
  }
}

class FakeConsumer extends EventEmitter {
  generationId = 1;
  memberId = 'member-1';
  assignments: { topic: string; partitions: number[] }[] | null;
  stream: FakeStream | undefined;
  closed = false;
  readonly commits: { partition: number; offset: bigint; generation: number }[] = [];
  /** Runs before each commit answers (a rebalance in between, a refusal). */
  beforeCommit: (partition: number, offset: bigint) => Promise<void> | void = () => undefined;
  /** Holds `consume` (a join in progress) or `close` (a leave in progress). */
  joining: Promise<void> = Promise.resolve();
  leaving: Promise<void> = Promise.resolve();

  constructor(partitions: number[]) {
    super();
    this.assignments = [{ topic: TOPIC, partitions }];
  }
  async consume(): Promise<FakeStream> {
    await this.joining;
    this.stream = new FakeStream(this);
    return this.stream;
  }
  async commit(partition: number, offset: bigint): Promise<void> {
    await this.beforeCommit(partition, offset);
    this.commits.push({ partition, offset, generation: this.generationId });
  }
  /** A rebalance: the next generation, with these partitions. */
  rebalance(partitions: number[], member = this.memberId): void {
    this.generationId++;
    this.memberId = member;
    this.assignments = [{ topic: TOPIC, partitions }];
    this.emit('consumer:group:join', { generationId: this.generationId, assignments: this.assignments });
  }
  close(_force: boolean, callback: () => void): void {
    void this.leaving.then(() => {
      this.closed = true;
      this.assignments = null;
      void this.stream?.close();
      callback();
    });
  }
  startLagMonitoring(): void {}
  stopLagMonitoring(): void {}
}

/** An intake whose chunks wait until the test settles them, in order. */
function heldIntake() {
  const chunks: { ids: string[]; settle: (ok: boolean) => void }[] = [];
  const intake: PipelineIntake = {
    deliver: () => undefined,
    isFull: () => false,
    submit(lines: RawLine[]) {
      return new Promise<void>((resolve, reject) => {
        chunks.push({ ids: lines.map((line) => line.id as string), settle: (ok) => (ok ? resolve() : reject(new Error('refused'))) });
      });
    },
  };
  return { intake, chunks, ids: () => chunks.flatMap((chunk) => chunk.ids) };
}

function telemetry() {
  const errors: string[] = [];
  const counts = { received: 0 };
  const stub = {
    error: (stage: string, type: string) => errors.push(`${stage}:${type}`),
    received: (events: number) => {
      counts.received += events;
    },
  };
  return { errors, counts, telemetry: stub as unknown as ComponentTelemetry };
}

const sources: KafkaSource[] = [];
afterEach(async () => {
  for (const source of sources.splice(0)) await source.abandon();
});

function makeSource(
  intake: PipelineIntake,
  consumers: FakeConsumer[],
  next: () => FakeConsumer,
  extra: { reconnectBackoffMs?: number } = {},
) {
  const { errors, counts, telemetry: stub } = telemetry();
  const source = new KafkaSource({
    id: 'kafka',
    brokers: ['127.0.0.1:1'],
    topics: [TOPIC],
    group: 'g',
    start: 'earliest',
    clientId: 'test',
    zone: 'UTC',
    maxBatchEvents: 5,
    lagIntervalMs: 1000,
    sessionTimeoutMs: 6000,
    intake,
    telemetry: stub,
    stopGraceMs: 200,
    reconnectBackoffMs: extra.reconnectBackoffMs ?? 5,
    createConsumer: () => {
      const consumer = next();
      consumers.push(consumer);
      return consumer as unknown as Consumer;
    },
  });
  sources.push(source);
  return { source, errors, counts };
}

/** The stream a rebalance replaced `stream` with (the old one closed): it reads from the last commit. */
async function reopened(consumer: FakeConsumer, stream: FakeStream): Promise<FakeStream> {
  await until(() => consumer.stream !== stream && stream.closed, 'a new stream');
  return consumer.stream as FakeStream;
}

/** A started member over a held intake, its consumers given `partitions`; the first consumer and its stream. */
async function startedMember(partitions: number[] = [0]) {
  const held = heldIntake();
  const consumers: FakeConsumer[] = [];
  const made = makeSource(held.intake, consumers, () => new FakeConsumer(partitions));
  await made.source.start();
  const consumer = consumers[0] as FakeConsumer;
  return { ...made, held, consumers, consumer, stream: consumer.stream as FakeStream };
}

describe('kafka source across rebalances', () => {
  it('hands a kept partition’s re-read records over once, and its commits never go back', async () => {
    const { held, consumer, stream } = await startedMember();
    stream.fetch(0, 0, 9);
    // A member joins; this one keeps partition 0 and reads it again from its last commit (none yet), through a new stream.
    consumer.rebalance([0]);
    (await reopened(consumer, stream)).fetch(0, 0, 14);
    await until(() => held.chunks.length === 3, 'three chunks');
    expect(held.ids()).toEqual(Array.from({ length: 15 }, (_, i) => `0:${i}`));
    for (const chunk of held.chunks) chunk.settle(true);
    await until(() => consumer.commits.length === 3, 'three commits');
    expect(consumer.commits.map((commit) => commit.offset)).toEqual([5n, 10n, 15n]);
  });

  it('when a stretch re-reads records below what it first handed over, hands those over again and never commits back', async () => {
    const { source, held, consumer, stream } = await startedMember();
    // The first fetch of this stretch starts at 5 (say, the commit); a rebalance makes the client restart lower.
    stream.fetch(0, 5, 9);
    consumer.rebalance([0]);
    (await reopened(consumer, stream)).fetch(0, 3, 9);
    await until(() => held.chunks.length === 2, 'two chunks');
    // 3 and 4 were never handed over here: at-least-once hands them over; 5..9 were, and are not again.
    expect(held.ids()).toEqual(['0:5', '0:6', '0:7', '0:8', '0:9', '0:3', '0:4']);
    for (const chunk of held.chunks) chunk.settle(true);
    await until(() => consumer.commits.length >= 1, 'a commit');
    await source.stop();
    expect(consumer.commits.map((commit) => commit.offset)).toEqual([10n]);
  });

  it('forgets a partition taken away: given back, what a new stream reads from the last commit is handed over again', async () => {
    const { source, held, consumer, stream } = await startedMember();
    stream.fetch(0, 0, 4);
    await until(() => held.chunks.length === 1, 'a chunk');
    consumer.rebalance([]);
    consumer.rebalance([0]);
    // Given back, it is read through a new stream, from the last commit: the old one's position for a partition without
    // a commit is what it had read to, and would skip what the first stretch handed over and never committed.
    const next = await reopened(consumer, stream);
    // Still in the old stream's read-ahead from the first stretch: not handed over.
    stream.fetch(0, 5, 7, 1);
    next.fetch(0, 0, 4);
    await until(() => held.chunks.length === 2, 'the re-read chunk');
    expect(held.chunks.map((chunk) => chunk.ids)).toEqual([
      ['0:0', '0:1', '0:2', '0:3', '0:4'],
      ['0:0', '0:1', '0:2', '0:3', '0:4'],
    ]);
    for (const chunk of held.chunks) chunk.settle(true);
    await until(() => consumer.commits.length >= 1, 'a commit');
    await source.stop();
    // The first stretch's chunk commits nothing: that stretch ended (another member may have committed since).
    expect(consumer.commits.map((commit) => commit.offset)).toEqual([5n]);
  });

  it('re-reads the assignments before each commit: a partition taken between two commits is not committed', async () => {
    const { source, held, consumer, stream } = await startedMember([0, 1]);
    stream.fetch(0, 0, 2);
    stream.fetch(1, 0, 1);
    await until(() => held.chunks.length === 1, 'a chunk');
    // While partition 0's commit is in flight, a rebalance gives partition 1 to another member.
    consumer.beforeCommit = (partition) => {
      if (partition === 0) consumer.rebalance([0]);
    };
    held.chunks[0]?.settle(true);
    await until(() => consumer.commits.length >= 1, 'a commit');
    await source.stop();
    expect(consumer.commits.map(({ partition, offset }) => [partition, offset])).toEqual([[0, 3n]]);
  });

  it('counts a commit the group refuses (a new generation) and commits the next chunk', async () => {
    const held = heldIntake();
    const consumers: FakeConsumer[] = [];
    const { source, errors } = makeSource(held.intake, consumers, () => new FakeConsumer([0]));
    await source.start();
    const consumer = consumers[0] as FakeConsumer;
    let refusals = 0;
    consumer.beforeCommit = () => {
      if (refusals++ === 0) throw new Error('ILLEGAL_GENERATION');
    };
    (consumer.stream as FakeStream).fetch(0, 0, 9);
    await until(() => held.chunks.length === 2, 'two chunks');
    for (const chunk of held.chunks) chunk.settle(true);
    await until(() => consumer.commits.length >= 1, 'a commit');
    expect(errors).toEqual(['commit:kafka']);
    expect(consumer.commits.map((commit) => commit.offset)).toEqual([10n]);
  });
});

describe('kafka source reopening its stream after a rebalance', () => {
  it('opens the new stream paused while the pipeline is full, and reopens again after a rebalance during the reopen', async () => {
    const { held, consumer, stream } = await startedMember();
    // Four chunks in flight: the most the source reads ahead (4 × max_batch_events): reading pauses.
    stream.fetch(0, 0, 19);
    await until(() => held.chunks.length === 4, 'four chunks');
    expect(stream.paused).toBe(true);
    const join = gate();
    consumer.joining = join.promise;
    const made: FakeStream[] = [];
    const consume = consumer.consume.bind(consumer);
    consumer.consume = async () => {
      const next = await consume();
      made.push(next);
      return next;
    };
    consumer.rebalance([0]);
    // Another rebalance while the new stream is being made: that one may already be behind it.
    consumer.rebalance([0]);
    join.open();
    await until(() => made.length === 2 && made[0]?.closed === true, 'two new streams, the first closed');
    const last = made[1] as FakeStream;
    expect(stream.closed).toBe(true);
    expect(last.paused).toBe(true);
    for (const chunk of held.chunks) chunk.settle(true);
    await until(() => !last.paused, 'reading again');
    expect(last.closed).toBe(false);
  });
});

describe('kafka source accounting', () => {
  it('counts records as received when the pipeline takes them, not when they are durable; nothing when it is stopping', async () => {
    const held = heldIntake();
    const consumers: FakeConsumer[] = [];
    let stopping = false;
    const intake: PipelineIntake = {
      ...held.intake,
      submit(lines) {
        if (stopping) throw new Error('the pipeline is stopping');
        return held.intake.submit(lines);
      },
    };
    const { source, counts } = makeSource(intake, consumers, () => new FakeConsumer([0]));
    await source.start();
    const stream = (consumers[0] as FakeConsumer).stream as FakeStream;
    stream.fetch(0, 0, 9);
    await until(() => held.chunks.length === 2, 'two chunks');
    // In the pipeline, whose own counters include them already: counting only at durability let the accounting dip below 0.
    expect(counts.received).toBe(10);
    stopping = true;
    stream.fetch(0, 10, 14);
    for (const chunk of held.chunks) chunk.settle(true);
    await until(() => (consumers[0] as FakeConsumer).closed || consumers.length > 1, 'the member leaves');
    expect(counts.received).toBe(10);
  });
});

describe('kafka source when the pipeline refuses a chunk', () => {
  it('leaves the group (its partitions go to the others), rejoins after a backoff and reads from the last commit', async () => {
    const held = heldIntake();
    const consumers: FakeConsumer[] = [];
    const { source, errors } = makeSource(held.intake, consumers, () => new FakeConsumer([0]));
    await source.start();
    const first = consumers[0] as FakeConsumer;
    (first.stream as FakeStream).fetch(0, 0, 9);
    await until(() => held.chunks.length === 2, 'two chunks');
    held.chunks[0]?.settle(false);
    // Durable, but after the refused one: not committed (the new consumer reads both chunks again).
    held.chunks[1]?.settle(true);
    await until(() => consumers.length === 2 && consumers[1]?.stream !== undefined, 'a new consumer');
    expect(first.closed).toBe(true);
    expect(first.commits).toEqual([]);
    expect(errors).toContain('submit:pipeline_refused');
    const second = consumers[1] as FakeConsumer;
    (second.stream as FakeStream).fetch(0, 0, 4);
    await until(() => held.chunks.length === 3, 'the re-read chunk');
    expect(held.chunks[2]?.ids).toEqual(['0:0', '0:1', '0:2', '0:3', '0:4']);
    held.chunks[2]?.settle(true);
    await until(() => second.commits.length === 1, 'a commit');
    expect(second.commits[0]?.offset).toBe(5n);
  });

  it('does not rejoin when the refusal comes while stopping', async () => {
    const held = heldIntake();
    const consumers: FakeConsumer[] = [];
    const { source } = makeSource(held.intake, consumers, () => new FakeConsumer([0]));
    await source.start();
    ((consumers[0] as FakeConsumer).stream as FakeStream).fetch(0, 0, 4);
    await until(() => held.chunks.length === 1, 'a chunk');
    const stopping = source.stop();
    held.chunks[0]?.settle(false);
    await stopping;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(consumers).toHaveLength(1);
    expect(consumers[0]?.closed).toBe(true);
    expect(consumers[0]?.commits).toEqual([]);
  });
});

describe('kafka source when its group membership fails', () => {
  it('rejoins with a new consumer when the client reports a failed rejoin, instead of ending the process', async () => {
    const held = heldIntake();
    const consumers: FakeConsumer[] = [];
    const { source, errors } = makeSource(held.intake, consumers, () => new FakeConsumer([0]));
    await source.start();
    const first = consumers[0] as FakeConsumer;
    first.emit('error', new Error('rejoin failed'));
    await until(() => consumers.length === 2 && consumers[1]?.stream !== undefined, 'a new consumer');
    expect(first.closed).toBe(true);
    expect(errors).toContain('receive:kafka_group');
  });
});

describe('kafka source stop during a reconnect', () => {
  it('closes the consumer a reconnect was joining with when the stop came', async () => {
    const held = heldIntake();
    const consumers: FakeConsumer[] = [];
    const join = gate();
    const { source } = makeSource(held.intake, consumers, () => {
      const consumer = new FakeConsumer([0]);
      if (consumers.length === 1) consumer.joining = join.promise;
      return consumer;
    });
    await source.start();
    // The client ends the stream (fetches failing past its retries): the source reconnects.
    await (consumers[0] as FakeConsumer).stream?.close();
    await until(() => consumers.length === 2, 'the reconnect');
    const stopping = source.stop();
    await tick();
    join.open();
    await stopping;
    const second = consumers[1] as FakeConsumer;
    expect(second.closed).toBe(true);
    expect(second.stream?.closed).toBe(true);
  });

  it('waits for the close of a consumer a lost stream left behind', async () => {
    const held = heldIntake();
    const consumers: FakeConsumer[] = [];
    const leave = gate();
    const { source } = makeSource(held.intake, consumers, () => new FakeConsumer([0]), { reconnectBackoffMs: 60_000 });
    await source.start();
    const first = consumers[0] as FakeConsumer;
    first.leaving = leave.promise;
    await first.stream?.close();
    let stopped = false;
    const stopping = source.stop().then(() => {
      stopped = true;
    });
    for (let i = 0; i < 5; i++) await tick();
    expect(stopped).toBe(false);
    leave.open();
    await stopping;
    expect(first.closed).toBe(true);
  });
});
