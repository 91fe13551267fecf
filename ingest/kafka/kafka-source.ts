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
import { Consumer, type Message, type MessagesStream } from '@platformatic/kafka';
import type { ComponentTelemetry } from '../../platform/telemetry/component-telemetry.js';
import type { GaugeMetric, MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import type { RunningSource } from '../components/contract.js';
import type { PipelineIntake, RawLine } from '../pipeline/raw-line.js';
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
}

/** A chunk handed to the pipeline, and for each partition in it, the message whose commit covers it. */
interface Chunk {
  durable: Promise<boolean>;
  lines: number;
  last: Map<string, Message>;
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

export class KafkaSource implements RunningSource {
  readonly id: string;
  /** No listening socket: the source connects out. */
  readonly port = 0;
  readonly description: string;
  private consumer: Consumer | undefined;
  private stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
  private lines: RawLine[] = [];
  private last = new Map<string, Message>();
  private linger: NodeJS.Timeout | undefined;
  private readonly inFlight: Chunk[] = [];
  private inFlightEvents = 0;
  private committing: Promise<void> = Promise.resolve();
  private stopped = false;
  private lagGauge: GaugeMetric | undefined;
  private reconnect: NodeJS.Timeout | undefined;
  private reconnects = 0;
  private readonly lagSeries = new Set<string>();

  constructor(private readonly options: KafkaSourceOptions) {
    this.id = options.id;
    this.description = `kafka ${options.topics.join(',')} group ${options.group} (${options.brokers.join(',')})`;
  }

  /** Joins the group and starts reading; throws when the brokers cannot be reached (a wrong address says so at once). */
  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    const { options } = this;
    const consumer = new Consumer({
      clientId: options.clientId,
      groupId: options.group,
      bootstrapBrokers: options.brokers,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: Math.min(3000, Math.floor(options.sessionTimeoutMs / 3)),
      rebalanceTimeout: options.sessionTimeoutMs,
      autocommit: false,
    });
    this.consumer = consumer;
    let stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>;
    try {
      stream = await consumer.consume({
        topics: options.topics,
        mode: 'committed',
        fallbackMode: options.start,
        autocommit: false,
        maxWaitTime: 500,
        // The pipeline is the buffer: a small read-ahead keeps memory and re-reads after a crash small.
        highWaterMark: Math.max(16, options.maxBatchEvents),
      });
    } catch (error) {
      this.consumer = undefined;
      await closeConsumer(consumer);
      throw error;
    }
    this.stream = stream;
    stream.on('data', (message: Message) => this.onMessage(message));
    stream.on('error', (error: Error) => {
      this.options.telemetry.error('receive', 'kafka');
      this.options.onError?.(error);
    });
    // The client ends a stream whose fetches keep failing (a broker down longer than its retries): start again.
    stream.on('close', () => this.lost(stream));
    if (options.registry) {
      this.lagGauge = options.registry.gauge(
        CONSUMER_LAG_METRIC,
        'Records in a partition not yet committed by this consumer group member.',
        ['topic', 'partition'],
      );
      consumer.on('consumer:lag', (lag) => this.setLag(lag));
      consumer.on('consumer:lag:error', () => this.options.telemetry.error('lag', 'kafka'));
      consumer.startLagMonitoring({ topics: options.topics }, options.lagIntervalMs);
    }
  }

  /**
   * The stream ended without a stop: leave the group (nothing more is committed through the old consumer: its chunks in
   * flight still reach the pipeline, their commits fail and are counted) and join again after a backoff, from the last
   * commit. What is read twice has the same ids.
   */
  private lost(stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined): void {
    if (this.stopped || stream !== this.stream) return;
    this.options.telemetry.error('receive', 'kafka_stream_lost');
    this.flush();
    const old = this.consumer;
    this.stream = undefined;
    this.consumer = undefined;
    old?.stopLagMonitoring();
    if (old) void closeConsumer(old);
    const delay = Math.min(30_000, 1000 * 2 ** this.reconnects++);
    this.reconnect = setTimeout(() => {
      this.reconnect = undefined;
      if (this.stopped) return;
      this.connect().then(
        () => {
          this.reconnects = 0;
        },
        (error: Error) => {
          this.options.onError?.(error);
          this.lost(undefined);
        },
      );
    }, delay);
  }

  /** Measures the lag now (the gauge is also refreshed every `lag_interval_ms`). */
  async measureLag(): Promise<Map<string, bigint[]>> {
    if (!this.consumer) return new Map();
    const lag = await this.consumer.getLag({ topics: this.options.topics });
    this.setLag(lag);
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

  private onMessage(message: Message): void {
    if (this.stopped) return;
    this.lines.push(recordToLine(message, this.options.id, this.options.zone));
    this.last.set(`${message.topic}:${message.partition}`, message);
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
    // Received once in every sink's buffer, whether the commit waits for that or for the delivery.
    let counted = false;
    const count = () => {
      if (counted) return;
      counted = true;
      let bytes = 0;
      for (const line of lines) bytes += line.line.length;
      this.options.telemetry.received(lines.length, bytes);
    };
    let submitted: Promise<void>;
    try {
      submitted = this.options.intake.submit(lines, { until: this.options.commitAfter ?? 'buffered', onBuffered: count });
    } catch (error) {
      submitted = Promise.reject(error);
    }
    const chunk: Chunk = {
      lines: lines.length,
      last,
      durable: submitted.then(
        () => {
          count();
          return true;
        },
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
    if (!durable) {
      // The pipeline refused the chunk (stopping, or a buffer that cannot write): nothing after it may be committed
      // either, so this member stops reading; its records stay uncommitted and are read again.
      this.options.telemetry.error('submit', 'pipeline_refused');
      this.halt();
      return;
    }
    if (this.stopped && this.haltedWithoutCommit) return;
    const owned = this.consumer?.assignments ?? [];
    for (const message of chunk.last.values()) {
      // A partition given to another member meanwhile is its to commit: ours would only move its offset back.
      if (!owned.some(({ topic, partitions }) => topic === message.topic && partitions.includes(message.partition))) continue;
      try {
        await message.commit();
      } catch (error) {
        // A rebalance took the partition meanwhile: its new owner reads from the last commit (re-reads, never losses).
        this.options.telemetry.error('commit', 'kafka');
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
    this.consumer?.stopLagMonitoring();
    try {
      await this.stream?.close();
    } catch {
      // Closing a stream whose connection is gone: nothing left to release.
    }
    if (this.consumer) await closeConsumer(this.consumer);
    for (const key of this.lagSeries) {
      const at = key.lastIndexOf(':');
      this.lagGauge?.remove({ topic: key.slice(0, at), partition: key.slice(at + 1) });
    }
    this.lagSeries.clear();
  }
}
