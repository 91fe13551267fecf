/**
 * The `kafka` source: a consumer-group member that reads the records a collector's `kafka` sink wrote and hands their
 * lines to the pipeline with their first receiver's metadata and event ids.
 *
 * At-least-once: records go to the pipeline in chunks through `intake.submit`, which resolves once their events are
 * delivered by every sink (`commitAfter: 'delivered'`: end-to-end, Kafka is the buffer) or durable in every sink's
 * buffer (`'buffered'`, the HTTP source's acknowledgement); only then, chunk after chunk in read order, is
 * each partition's offset committed. A crash, a stop past its grace period or a lost partition leaves the
 * uncommitted records to be read again — by this member or the partition's new owner — and since they carry their
 * ids, the index stores them once. A commit never moves past a record that is not durable here.
 */
import { hash } from 'node:crypto';
import { Consumer, type ConsumerOptions, type Message, type MessagesStream } from '@platformatic/kafka';
import type { ComponentTelemetry } from '../../platform/telemetry/component-telemetry.js';
import type { GaugeMetric, MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import type { RunningSource } from '../components/contract.js';
import { lineBytes, type PipelineIntake, type RawLine } from '../pipeline/raw-line.js';
import { decodeRecordValue, KafkaRecordError } from './kafka-record.js';

export interface KafkaSourceOptions {
  id: string;
  brokers: string[];
  topics: string[];
  group: string;
  start: 'earliest' | 'latest';
  clientId: string;
  /** Zone of zone-less times for records that carry none. */
  zone: string;
  maxBatchEvents: number;
  /** `delivered`: commit once every sink delivered the chunk's events; `buffered`: once they are in every sink's buffer. */
  commitAfter?: 'delivered' | 'buffered';
  /** Records read and not yet committable, at most: reading pauses beyond it (default 4 chunks). */
  maxInFlightEvents?: number;
  lagIntervalMs: number;
  sessionTimeoutMs: number;
  intake: PipelineIntake;
  telemetry: ComponentTelemetry;
  registry?: MetricsRegistry | undefined;
  /** How long `stop` waits for the chunks in flight to become durable (and be committed) before leaving (default 10 s). */
  stopGraceMs?: number;
  onError?: (error: Error) => void;
  /** The first rejoin's delay after a lost stream or a refused chunk, doubling to 30 s (default 1 s). */
  reconnectBackoffMs?: number;
  /** Makes the consumer (tests give a scripted one). */
  createConsumer?: (options: ConsumerOptions<Buffer, Buffer, Buffer, Buffer>) => Consumer;
}

/** A chunk handed to the pipeline, and for each partition in it, the message whose commit covers it. */
interface Chunk {
  durable: Promise<boolean>;
  lines: number;
  last: Map<string, Handed>;
}

/** Chunks in flight at once by default: one parsed while the next is read, as the HTTP source does. */
const MAX_CHUNKS_IN_FLIGHT = 4;
/** A partial chunk waits this long for more records. */
const LINGER_MS = 50;

/** Leaves the group and closes, forcefully (streams in flight included); never rejects. */
function closeConsumer(consumer: Consumer): Promise<void> {
  // The callback form: with `force` the typed promise overload is not selected.
  return new Promise<void>((resolve) => consumer.close(true, () => resolve()));
}

export const CONSUMER_LAG_METRIC = 'fortiems_kafka_consumer_lag';

/** A record that is not a line of our format still becomes an event (a pipeline_error carrying its value). */
export function recordToLine(message: Pick<Message, 'value' | 'topic' | 'partition' | 'offset'>, sourceId: string, zone: string): RawLine {
  const text = message.value === undefined || message.value === null ? '' : message.value.toString('utf8');
  try {
    const record = decodeRecordValue(text);
    return {
      line: record.line,
      receivedAt: record.receivedAt,
      sourceId,
      zone: record.zone || zone,
      id: record.id,
      ...(record.framingError !== undefined ? { framingError: record.framingError } : {}),
    };
  } catch (error) {
    if (!(error instanceof KafkaRecordError)) throw error;
    return {
      line: text,
      receivedAt: Date.now(),
      sourceId,
      zone,
      framingError: error.message,
      // Its position names it: read again, it is the same event.
      id: hash('sha256', `fortiems-kafka-record\n${message.topic}\n${message.partition}\n${message.offset}`, 'base64url'),
    };
  }
}

/** What this member knows of a partition it owns, from when it got it until a rebalance takes it away. */
interface Ownership {
  /** Names this stretch of ownership: a chunk read under another one commits nothing here. */
  epoch: number;
  /** The group generation it began in: a record fetched under an earlier one belongs to an earlier owner's stretch. */
  since: number;
  /** The first offset handed to the pipeline in this stretch, and the offset after the highest one. */
  first?: bigint;
  next?: bigint;
  /** The highest offset this member committed in this stretch (-1: none). */
  committed: bigint;
}

/** A record handed to the pipeline, with the ownership (and consumer session) it was read under. */
interface Handed {
  message: Message;
  epoch: number;
  session: number;
}

function owns(consumer: Consumer | undefined, topic: string, partition: number): boolean {
  return consumer?.assignments?.some((assignment) => assignment.topic === topic && assignment.partitions.includes(partition)) ?? false;
}

/** The group generation a record was fetched under (the client stamps it on each message). */
function fetchedUnder(message: Message): number | undefined {
  const generation = (message.metadata?.consumer as { generationId?: unknown } | undefined)?.generationId;
  return typeof generation === 'number' ? generation : undefined;
}

export class KafkaSource implements RunningSource {
  readonly id: string;
  /** No listening socket: the source connects out. */
  readonly port = 0;
  readonly description: string;
  private consumer: Consumer | undefined;
  private stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
  private lines: RawLine[] = [];
  private last = new Map<string, Handed>();
  private linger: NodeJS.Timeout | undefined;
  private readonly inFlight: Chunk[] = [];
  private inFlightEvents = 0;
  private committing: Promise<void> = Promise.resolve();
  private stopped = false;
  private lagGauge: GaugeMetric | undefined;
  private reconnect: NodeJS.Timeout | undefined;
  private reconnects = 0;
  private refusals = 0;
  private readonly lagSeries = new Set<string>();
  /** One per consumer: a chunk read through an earlier one commits nothing (that consumer left the group). */
  private session = 0;
  private readonly owned = new Map<string, Ownership>();
  private lagTimer: NodeJS.Timeout | undefined;
  private measuring: Promise<void> | undefined;
  private epochs = 0;
  private generation = -1;
  private member: string | null = null;
  /** A reconnect's `connect()` in flight, and closes of consumers left behind: `close()` waits for both. */
  private connecting: Promise<void> | undefined;
  private readonly closing = new Set<Promise<void>>();
  private reopening: Promise<void> | undefined;
  private reopenAgain = false;

  constructor(private readonly options: KafkaSourceOptions) {
    this.id = options.id;
    this.description = `kafka ${options.topics.join(',')} group ${options.group} (${options.brokers.join(',')})`;
  }

  /** Joins the group and starts reading; throws when the brokers cannot be reached (a wrong address says so at once). */
  async start(): Promise<void> {
    const connecting = this.connect();
    this.connecting = connecting;
    try {
      await connecting;
    } finally {
      if (this.connecting === connecting) this.connecting = undefined;
    }
  }

  private async connect(): Promise<void> {
    const { options } = this;
    const consumerOptions: ConsumerOptions<Buffer, Buffer, Buffer, Buffer> = {
      clientId: options.clientId,
      groupId: options.group,
      bootstrapBrokers: options.brokers,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: Math.min(3000, Math.floor(options.sessionTimeoutMs / 3)),
      rebalanceTimeout: options.sessionTimeoutMs,
      autocommit: false,
    };
    const consumer = options.createConsumer ? options.createConsumer(consumerOptions) : new Consumer(consumerOptions);
    let stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>;
    try {
      stream = await this.consume(consumer);
    } catch (error) {
      await closeConsumer(consumer);
      throw error;
    }
    if (this.stopped) {
      // Stopped while joining: `close()` could not see this consumer, so it is closed here (it waits for this).
      try {
        await stream.close();
      } catch {
        // Its connection is gone: nothing left to release.
      }
      await closeConsumer(consumer);
      return;
    }
    this.consumer = consumer;
    this.session++;
    this.owned.clear();
    this.generation = consumer.generationId;
    this.member = consumer.memberId;
    consumer.on('consumer:group:join', () => this.rebalanced(consumer));
    this.attach(stream);
    // A rejoin that failed past its retries (after a heartbeat the group refused): no longer a member, so start again.
    // Unheard, the client's 'error' event would throw out of its timer and end the process.
    consumer.on('error', (error: Error) => {
      this.options.telemetry.error('receive', 'kafka_group', 1, error);
      this.options.onError?.(error);
      if (consumer === this.consumer) this.lost(this.stream);
    });
    if (options.registry) {
      this.lagGauge = options.registry.gauge(
        CONSUMER_LAG_METRIC,
        'Records in a partition not yet committed by this consumer group member.',
        ['topic', 'partition'],
      );
      this.lagTimer ??= setInterval(() => {
        if (this.measuring) return;
        this.measuring = this.measureLag()
          .then(
            () => undefined,
            () => this.options.telemetry.error('lag', 'kafka'),
          )
          .finally(() => {
            this.measuring = undefined;
          });
      }, options.lagIntervalMs);
      this.lagTimer.unref();
    }
  }

  private attach(stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>): void {
    this.stream = stream;
    if (this.stopped || this.inFlightEvents >= this.maxInFlightEvents) stream.pause();
    stream.on('data', (message: Message) => this.onMessage(message, stream));
    stream.on('error', (error: Error) => {
      this.options.telemetry.error('receive', 'kafka', 1, error);
      this.options.onError?.(error);
    });
    // The client ends a stream whose fetches keep failing (a broker down longer than its retries): start again.
    stream.on('close', () => this.lost(stream));
  }

  /**
   * Replaces the stream by a new one on the same consumer (no leave, no rebalance), whose partitions start at the
   * group's commit or, without one, at `start`. After a rebalance the client's own stream restarts only the partitions
   * with a commit; one without keeps the position it had read to, read-ahead included. Records of that read-ahead are
   * not handed over (fetched in an earlier generation, or in a stretch another member's ownership ended), so they were
   * never read again nor committed: a survivor of a killed member sat with the lag of the partitions nobody had
   * committed yet, and records arriving later would have been committed past them. The old stream's records are
   * ignored from now on; its chunks in flight still commit what they may.
   */
  private reopen(consumer: Consumer): void {
    if (this.reopening) {
      this.reopenAgain = true;
      return;
    }
    const old = this.stream;
    if (!old) return;
    this.flush();
    this.stream = undefined;
    old.pause();
    const reopening = this.consume(consumer).then(
      (stream) => {
        // The new stream holds the topics first, so closing the old one does not make the consumer join again.
        this.closeStream(old);
        if (this.stopped || consumer !== this.consumer) {
          this.closeStream(stream);
          return;
        }
        this.attach(stream);
      },
      (error: Error) => {
        this.closeStream(old);
        // Stopping (the consumer closed under it), or left behind by a rejoin: nothing to reopen.
        if (this.stopped || consumer !== this.consumer) return;
        this.options.onError?.(error);
        this.lost(undefined);
      },
    );
    this.reopening = reopening;
    this.closing.add(reopening);
    void reopening.finally(() => {
      this.closing.delete(reopening);
      this.reopening = undefined;
      if (this.reopenAgain) {
        this.reopenAgain = false;
        if (!this.stopped && consumer === this.consumer) this.reopen(consumer);
      }
    });
  }

  /** Closes a stream left behind (its 'close' is not a lost stream: it is no longer `this.stream`); never rejects. */
  private closeStream(stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>): void {
    const closed = stream.close().then(
      () => undefined,
      () => undefined,
    );
    this.closing.add(closed);
    void closed.then(() => this.closing.delete(closed));
  }

  /** A stream over the group's partitions: each starts at the group's commit, or at `start` without one. */
  private consume(consumer: Consumer): Promise<MessagesStream<Buffer, Buffer, Buffer, Buffer>> {
    const { options } = this;
    return consumer.consume({
      topics: options.topics,
      mode: 'committed',
      fallbackMode: options.start,
      autocommit: false,
      maxWaitTime: 500,
      // The pipeline is the buffer: a small read-ahead keeps memory and re-reads after a crash small.
      highWaterMark: Math.max(16, options.maxBatchEvents),
    });
  }

  /**
   * After each rebalance this member reads its partitions again from their last commit, through a new stream (see
   * `reopen`). What it kept through consecutive generations it still knows (what it handed over, what it committed); a
   * partition taken away, or every partition after a gap in its membership (it missed a generation: someone else may
   * have owned them), is forgotten and starts a new stretch of ownership.
   */
  private rebalanced(consumer: Consumer): void {
    if (consumer !== this.consumer) return;
    const continuous = consumer.memberId === this.member && consumer.generationId === this.generation + 1;
    this.generation = consumer.generationId;
    this.member = consumer.memberId;
    for (const key of this.owned.keys()) {
      const at = key.lastIndexOf(':');
      if (!continuous || !owns(consumer, key.slice(0, at), Number(key.slice(at + 1)))) this.owned.delete(key);
    }
    this.reopen(consumer);
  }

  /** Leaves the group (its partitions go to the others at once) and joins again after a backoff, from the last commit. */
  private rejoin(attempt: number): void {
    const old = this.consumer;
    // Chunks read through the old consumer commit nothing from now on: their records are read again from the last commit.
    this.session++;
    this.owned.clear();
    this.stream?.pause();
    this.stream = undefined;
    this.consumer = undefined;
    if (old) {
      const closed = closeConsumer(old);
      this.closing.add(closed);
      void closed.then(() => this.closing.delete(closed));
    }
    const delay = Math.min(30_000, (this.options.reconnectBackoffMs ?? 1000) * 2 ** attempt);
    this.reconnect = setTimeout(() => {
      this.reconnect = undefined;
      if (this.stopped) return;
      const connecting = this.connect().then(
        () => {
          this.reconnects = 0;
        },
        (error: Error) => {
          this.options.onError?.(error);
          this.lost(undefined);
        },
      );
      this.connecting = connecting;
      void connecting.finally(() => {
        if (this.connecting === connecting) this.connecting = undefined;
      });
    }, delay);
  }

  /**
   * The stream ended without a stop: leave the group (nothing more is committed through the old consumer: its chunks in
   * flight still reach the pipeline and are read again) and join again after a backoff, from the last commit. What is
   * read twice has the same ids.
   */
  private lost(stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined): void {
    if (this.stopped || stream !== this.stream) return;
    this.options.telemetry.error('receive', 'kafka_stream_lost');
    this.flush();
    this.rejoin(this.reconnects++);
  }

  /**
   * The pipeline refused a chunk (a buffer that cannot write): nothing read after it may be committed, and keeping the
   * partitions unread would stall them for the whole group. So this member leaves (the others take its partitions)
   * and, unless it is stopping, joins again after a backoff and reads from the last commit.
   */
  private refused(): void {
    if (this.stopped) {
      this.halt();
      return;
    }
    // Not handed over: read again after the rejoin.
    if (this.linger) clearTimeout(this.linger);
    this.linger = undefined;
    this.lines = [];
    this.last = new Map();
    this.rejoin(this.refusals++);
  }

  /**
   * Measures the lag now (the gauge is also refreshed every `lag_interval_ms`): per owned partition, its end minus the
   * group's committed offset, both asked of the brokers — what `kafka-consumer-groups.sh --describe` shows. Not the
   * client's own figure: after a rebalance it subtracts the fetch position it restarted from, and read 0 for minutes
   * while nothing was committed. A partition without a commit counts from its first record.
   */
  async measureLag(): Promise<Map<string, bigint[]>> {
    const consumer = this.consumer;
    const owned = consumer?.assignments ?? [];
    if (!consumer || owned.length === 0) {
      this.setLag(new Map());
      return new Map();
    }
    const topics = this.options.topics;
    const [ends, commits] = await Promise.all([consumer.listOffsets({ topics }), consumer.listCommittedOffsets({ topics: owned })]);
    let starts: Map<string, bigint[]> | undefined;
    const lag = new Map<string, bigint[]>();
    for (const [topic, partitions] of ends) {
      const values: bigint[] = [];
      for (let partition = 0; partition < partitions.length; partition++) {
        const end = partitions[partition] as bigint;
        if (!owns(consumer, topic, partition)) {
          values.push(-1n);
          continue;
        }
        let from = commits.get(topic)?.[partition] ?? -1n;
        if (from < 0n) {
          // The earliest offsets (timestamp -2): asked only while some owned partition has no commit yet.
          starts ??= await consumer.listOffsets({ topics, timestamp: -2n });
          from = starts.get(topic)?.[partition] ?? 0n;
        }
        values.push(end > from ? end - from : 0n);
      }
      lag.set(topic, values);
    }
    if (consumer === this.consumer) this.setLag(lag);
    return lag;
  }

  private setLag(lag: Map<string, bigint[]>): void {
    const gauge = this.lagGauge;
    if (!gauge) return;
    const now = new Set<string>();
    // Only the partitions this member owns now: the client keeps offsets of partitions a rebalance took away and would
    // report them too, so two members showed the same partition (twice the topic's lag) or a stale one forever.
    const owned = this.consumer?.assignments ?? [];
    for (const [topic, partitions] of lag)
      partitions.forEach((value, partition) => {
        // -1: another member owns it and reports it.
        if (value < 0n) return;
        if (!owned.some((assignment) => assignment.topic === topic && assignment.partitions.includes(partition))) return;
        const key = `${topic}:${partition}`;
        now.add(key);
        gauge.set({ topic, partition: String(partition) }, Number(value));
      });
    for (const key of this.lagSeries)
      if (!now.has(key)) {
        const at = key.lastIndexOf(':');
        gauge.remove({ topic: key.slice(0, at), partition: key.slice(at + 1) });
      }
    this.lagSeries.clear();
    for (const key of now) this.lagSeries.add(key);
  }

  private onMessage(message: Message, stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>): void {
    if (this.stopped || stream !== this.stream) return;
    const consumer = this.consumer;
    const key = `${message.topic}:${message.partition}`;
    // Still in the stream's read-ahead from before a rebalance took the partition: its new owner reads it from the
    // last commit (never handed over here, so never committed past).
    if (!owns(consumer, message.topic, message.partition)) return;
    let ownership = this.owned.get(key);
    if (!ownership) {
      ownership = { epoch: ++this.epochs, since: this.generation, committed: -1n };
      this.owned.set(key, ownership);
    }
    const generation = fetchedUnder(message);
    // Fetched while an earlier stretch of ownership ran: the stream reads it again from the last commit.
    if (generation !== undefined && generation < ownership.since) return;
    const { offset } = message;
    // Read again after a rebalance that left the partition here: it is already in a chunk of this stretch, which
    // commits it once durable (or, refused, makes this member rejoin and read it again).
    if (ownership.first !== undefined && ownership.next !== undefined && offset >= ownership.first && offset < ownership.next) return;
    ownership.first ??= offset;
    if (ownership.next === undefined || offset >= ownership.next) ownership.next = offset + 1n;
    this.lines.push(recordToLine(message, this.options.id, this.options.zone));
    this.last.set(key, { message, epoch: ownership.epoch, session: this.session });
    if (this.lines.length >= this.options.maxBatchEvents) this.flush();
    else this.linger ??= setTimeout(() => this.flush(), LINGER_MS);
  }

  private flush(): void {
    if (this.linger) clearTimeout(this.linger);
    this.linger = undefined;
    if (this.lines.length === 0) return;
    const lines = this.lines;
    const last = this.last;
    this.lines = [];
    this.last = new Map();
    let submitted: Promise<void>;
    try {
      submitted = this.options.intake.submit(lines, { until: this.options.commitAfter ?? 'buffered' });
      // In the pipeline from here on: received now, whatever the sinks make of it (they account for every line), and
      // whether the commit waits for the buffers or for the delivery.
      this.options.telemetry.received(lines.length, lineBytes(lines));
    } catch (error) {
      // Stopping: nothing entered, nothing is received; the records stay uncommitted and are read again.
      submitted = Promise.reject(error);
    }
    const chunk: Chunk = {
      lines: lines.length,
      last,
      durable: submitted.then(
        () => true,
        () => false,
      ),
    };
    this.inFlight.push(chunk);
    this.inFlightEvents += chunk.lines;
    // Commits follow read order: a chunk's offsets are committed only after every earlier chunk's.
    this.committing = this.committing.then(() => this.settle(chunk));
    if (this.inFlightEvents >= this.maxInFlightEvents) this.stream?.pause();
  }

  private get maxInFlightEvents(): number {
    return this.options.maxInFlightEvents ?? MAX_CHUNKS_IN_FLIGHT * this.options.maxBatchEvents;
  }

  private async settle(chunk: Chunk): Promise<void> {
    const durable = await chunk.durable;
    this.inFlight.shift();
    this.inFlightEvents -= chunk.lines;
    if (!this.stopped && this.inFlightEvents < this.maxInFlightEvents) this.stream?.resume();
    // Every record of a chunk was read through one consumer.
    const session = chunk.last.values().next().value?.session;
    if (!durable) {
      this.options.telemetry.error('submit', 'pipeline_refused');
      // Read through a consumer already left behind: its records are read again from the last commit.
      if (session !== this.session) return;
      this.refused();
      return;
    }
    this.refusals = 0;
    if (this.haltedWithoutCommit || session !== this.session) return;
    for (const { message, epoch } of chunk.last.values()) {
      const key = `${message.topic}:${message.partition}`;
      const ownership = this.owned.get(key);
      // Checked before each commit, since each await lets a rebalance run: a partition given to another member
      // meanwhile (or taken and given back) is not this stretch's to commit; ours would only move its offset back.
      if (ownership?.epoch !== epoch || !owns(this.consumer, message.topic, message.partition)) continue;
      const offset = message.offset + 1n;
      // Never back: a re-read record of a stretch can close a later chunk than a higher one.
      if (offset <= ownership.committed) continue;
      try {
        await message.commit();
        if (offset > ownership.committed) ownership.committed = offset;
      } catch (error) {
        // The group moved on meanwhile (a new generation): counted, not retried; the partition's owner reads on from
        // its last commit (re-reads, never losses).
        this.options.telemetry.error('commit', 'kafka', 1, error);
        this.options.onError?.(error as Error);
      }
    }
  }

  private haltedWithoutCommit = false;

  private halt(): void {
    if (this.haltedWithoutCommit) return;
    this.haltedWithoutCommit = true;
    this.stopped = true;
    this.stream?.pause();
  }

  /** Stops reading, lets what was read become durable and be committed (within the grace period), and leaves the group. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stream?.pause();
    this.flush();
    const grace = this.options.stopGraceMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        // Not committed: read again by whoever owns the partitions next.
        this.haltedWithoutCommit = true;
        resolve();
      }, grace);
    });
    await Promise.race([this.committing, expired]);
    clearTimeout(timer);
    await this.close();
  }

  /** Leaves without committing anything more: what was read and not committed is read again (a crash, for tests). */
  async abandon(): Promise<void> {
    this.halt();
    await this.close();
  }

  private async close(): Promise<void> {
    if (this.linger) clearTimeout(this.linger);
    if (this.reconnect) clearTimeout(this.reconnect);
    // A reconnect joining now sees `stopped` once it has joined and closes what it made; waited for within the grace
    // period (a join against brokers that are away retries for a while, and closes what it made when it ends).
    if (this.connecting) {
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.options.stopGraceMs ?? 10_000);
      });
      await Promise.race([this.connecting.catch(() => undefined), waited]);
      clearTimeout(timer);
    }
    if (this.lagTimer) clearInterval(this.lagTimer);
    this.lagTimer = undefined;
    try {
      await this.stream?.close();
    } catch {
      // Closing a stream whose connection is gone: nothing left to release.
    }
    if (this.consumer) await closeConsumer(this.consumer);
    // Consumers left behind by a lost stream or a refused chunk: their leave is part of this stop.
    await Promise.all(this.closing);
    for (const key of this.lagSeries) {
      const at = key.lastIndexOf(':');
      this.lagGauge?.remove({ topic: key.slice(0, at), partition: key.slice(at + 1) });
    }
    this.lagSeries.clear();
  }
}
