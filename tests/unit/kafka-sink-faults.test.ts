/**
 * The `kafka` sink's answers to broker failures, with a scripted producer in place of the client's (the real broker's
 * behaviour is in tests/integration/kafka-tier.test.ts): a refusal the client will not retry dead-letters the batch
 * with its reason; a broker that is away or a timeout is retried; a producer whose session the broker no longer takes
 * is replaced and the batch sent again; a batch refused for one record's size is sent record by record, in order.
 * Every case keeps the account: received = sent + dead-lettered + buffered.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MultipleErrors, NetworkError, ProtocolError, TimeoutError } from '@platformatic/kafka';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBuffer } from '../../ingest/buffers/memory-buffer.js';
import type { KafkaSinkConfig } from '../../ingest/config/types.js';
import { classifyKafkaFailure, type KafkaProducer } from '../../ingest/kafka/kafka-driver.js';
import { createKafkaSink } from '../../ingest/kafka/kafka-sink-component.js';
import { parseLines } from '../../ingest/pipeline/process-stage.js';
import type { BufferedSink } from '../../ingest/sinks/sink-helper.js';
import { silentLogger } from '../../platform/logging/logger.js';
import { METRIC_NAMES } from '../../platform/telemetry/component-telemetry.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';

/** What the client throws when a broker answers a produce request with these error codes. */
const answer = (...codes: string[]) =>
  new MultipleErrors(
    'Producing messages failed.',
    codes.map((code) => new ProtocolError(code)),
  );

/** A producer whose every send the test answers; what it accepts is "the topic", in order. */
class ScriptedKafka {
  readonly topic: string[] = [];
  readonly sends: { producer: number; lines: string[] }[] = [];
  producers = 0;
  closed = 0;
  constructor(private readonly script: (lines: string[], call: number, producer: number) => void) {}

  readonly create = (): KafkaProducer => {
    const producer = ++this.producers;
    return {
      send: async ({ messages }) => {
        const lines = messages.map((message) => JSON.parse((message.value as Buffer).toString('utf8')).line as string);
        const call = this.sends.length;
        this.sends.push({ producer, lines });
        this.script(lines, call, producer);
        this.topic.push(...lines);
        return {};
      },
      metadata: async () => ({}),
      close: async () => {
        this.closed++;
      },
    };
  };
}

const dirs: string[] = [];
const sinks: BufferedSink[] = [];
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((sink) => sink.stop(0)));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function harness(kafka: ScriptedKafka, maxEvents = 100) {
  const dataDir = mkdtempSync(join(tmpdir(), 'fortiems-ksink-'));
  dirs.push(dataDir);
  const registry = new MetricsRegistry();
  const config: KafkaSinkConfig = {
    type: 'kafka',
    brokers: ['127.0.0.1:1'],
    partition_key: 'none',
    batch: { max_events: maxEvents, timeout_ms: 10 },
  };
  const sink = createKafkaSink(
    'kafka',
    config,
    { buffer: new MemoryBuffer(10_000_000), registry, dataDir, logger: silentLogger() },
    { createProducer: kafka.create, retry: { baseDelayMs: 1, maxDelayMs: 5 } },
  );
  sinks.push(sink);
  const metric = (key: keyof typeof METRIC_NAMES, labels: Record<string, string> = {}) =>
    registry.get(METRIC_NAMES[key])?.total(labels) ?? 0;
  const send = (lines: readonly string[]) =>
    sink.accept(
      parseLines(
        lines.map((line) => ({ line, receivedAt: 1_795_341_601_123, sourceId: 'tcp', zone: 'UTC' })),
        'default',
      ).events,
    );
  const deadLetters = (): { type: string; line: string }[] => {
    const file = join(dataDir, 'dead-letter', 'kafka.ndjson');
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((row) => {
        const letter = JSON.parse(row) as { error: { type: string }; payload: string };
        return { type: letter.error.type, line: JSON.parse(letter.payload.slice(letter.payload.indexOf('\n') + 1)).line as string };
      });
  };
  /** received = sent + dead-lettered + buffered: what fortiems_unaccounted_events reconciles. */
  const unaccounted = () =>
    metric('receivedEvents') - metric('sentEvents') - metric('deadLettered') - metric('bufferEvents') - metric('discarded');
  return { sink, metric, send, deadLetters, unaccounted };
}

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const lines = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

describe('kafka sink: what a failed send means', () => {
  it('classifies the client errors by what the broker said, not by the client’s retry flag alone', () => {
    expect(classifyKafkaFailure(answer('TOPIC_AUTHORIZATION_FAILED'))).toEqual({ kind: 'refused', reason: 'topic_authorization_failed' });
    expect(classifyKafkaFailure(answer('INVALID_RECORD'))).toEqual({ kind: 'record', reason: 'invalid_record' });
    expect(classifyKafkaFailure(answer('NOT_LEADER_OR_FOLLOWER', 'MESSAGE_TOO_LARGE'))).toEqual({
      kind: 'record',
      reason: 'message_too_large',
    });
    expect(classifyKafkaFailure(answer('INVALID_PRODUCER_EPOCH'))).toEqual({ kind: 'producer_state', reason: 'invalid_producer_epoch' });
    expect(classifyKafkaFailure(answer('PRODUCER_FENCED'))).toEqual({ kind: 'producer_state', reason: 'producer_fenced' });
    expect(classifyKafkaFailure(answer('UNKNOWN_PRODUCER_ID'))).toEqual({ kind: 'producer_state', reason: 'unknown_producer_id' });
    expect(classifyKafkaFailure(answer('UNKNOWN_SERVER_ERROR'))).toEqual({ kind: 'server_error', reason: 'unknown_server_error' });
    // Retriable answers, no answer at all, and the client's own timeout (which it marks canRetry: false).
    expect(classifyKafkaFailure(answer('NOT_LEADER_OR_FOLLOWER', 'REQUEST_TIMED_OUT'))).toEqual({ kind: 'transient' });
    expect(classifyKafkaFailure(new NetworkError('Connection closed'))).toEqual({ kind: 'transient' });
    expect(classifyKafkaFailure(new TimeoutError('Request timed out'))).toEqual({ kind: 'transient' });
    expect(
      classifyKafkaFailure(new MultipleErrors('produce failed 3 times.', [new NetworkError('refused'), new TimeoutError('timed out')])),
    ).toEqual({ kind: 'transient' });
  });

  it('dead-letters a batch the broker refuses for good (topic authorization), with the reason, and goes on', async () => {
    let authorized = false;
    const kafka = new ScriptedKafka(() => {
      if (!authorized) throw answer('TOPIC_AUTHORIZATION_FAILED');
    });
    const { sink, metric, send, deadLetters, unaccounted } = harness(kafka);
    await sink.start();
    await send(lines('a', 5));
    await until(() => metric('deadLettered') === 5, 'the refused batch dead-lettered');
    expect(deadLetters()).toEqual(lines('a', 5).map((line) => ({ type: 'topic_authorization_failed', line })));
    expect(metric('errors', { stage: 'send', error_type: 'rejected' })).toBe(5);
    authorized = true;
    await send(lines('b', 3));
    await until(() => metric('sentEvents') === 3, 'the next batch sent');
    expect(kafka.topic).toEqual(lines('b', 3));
    expect(metric('bufferEvents')).toBe(0);
    expect(metric('receivedEvents')).toBe(8);
    expect(unaccounted()).toBe(0);
  });

  it('retries a broker that is away, not leader or timing out, without dead-lettering or a new producer', async () => {
    const failures = [new NetworkError('connect ECONNREFUSED'), answer('NOT_LEADER_OR_FOLLOWER'), new TimeoutError('Request timed out')];
    const kafka = new ScriptedKafka((_, call) => {
      const failure = failures[call];
      if (failure) throw failure;
    });
    const { sink, metric, send, unaccounted } = harness(kafka);
    await sink.start();
    await send(lines('a', 4));
    await until(() => metric('sentEvents') === 4, 'delivered after three failures');
    expect(kafka.sends).toHaveLength(4);
    expect(kafka.topic).toEqual(lines('a', 4));
    expect(kafka.producers).toBe(1);
    expect(metric('deadLettered')).toBe(0);
    expect(metric('errors', { stage: 'send', error_type: 'unavailable' })).toBe(12);
    expect(unaccounted()).toBe(0);
  });

  it('replaces a producer whose session the broker refuses (sequence, epoch, id) and sends the batch again, however often', async () => {
    // More failures in a row than the default budget of a bounded error class (10): the records are not the problem.
    const refusals = [
      'OUT_OF_ORDER_SEQUENCE_NUMBER',
      'INVALID_PRODUCER_EPOCH',
      'UNKNOWN_PRODUCER_ID',
      'PRODUCER_FENCED',
      ...Array.from({ length: 10 }, () => 'OUT_OF_ORDER_SEQUENCE_NUMBER'),
    ];
    const kafka = new ScriptedKafka((_, call) => {
      const code = refusals[call];
      if (code) throw answer(code);
    });
    const { sink, metric, send, unaccounted } = harness(kafka);
    await sink.start();
    await send(lines('a', 3));
    await until(() => metric('sentEvents') === 3, 'delivered by a new producer');
    // Each refusal was answered by a new producer: send n went through producer n+1.
    expect(kafka.sends.map((each) => each.producer)).toEqual(Array.from({ length: refusals.length + 1 }, (_, i) => i + 1));
    expect(kafka.closed).toBe(refusals.length);
    expect(kafka.topic).toEqual(lines('a', 3));
    expect(metric('errors', { stage: 'producer_reset' })).toBe(refusals.length);
    expect(metric('errors', { stage: 'producer_reset', error_type: 'out_of_order_sequence_number' })).toBe(11);
    expect(metric('errors', { stage: 'producer_reset', error_type: 'producer_fenced' })).toBe(1);
    expect(metric('deadLettered')).toBe(0);
    expect(unaccounted()).toBe(0);
  });

  it('sends a batch refused for its size record by record, in order: dead-letters only the records too large themselves', async () => {
    // The broker refuses the batch (m3 is too large); alone, m1 first finds the broker away, m3 is too large.
    let m1Failed = false;
    const kafka = new ScriptedKafka((sent) => {
      if (sent.includes('m3')) throw answer('MESSAGE_TOO_LARGE');
      if (sent[0] === 'm1' && !m1Failed) {
        m1Failed = true;
        throw new NetworkError('Connection closed');
      }
    });
    const { sink, metric, send, deadLetters, unaccounted } = harness(kafka);
    await sink.start();
    await send(lines('m', 6));
    await until(() => metric('sentEvents') + metric('deadLettered') === 6, 'every record sent or dead-lettered');
    // m2 never overtakes m1, which failed once: the topic keeps the batch's order.
    expect(kafka.topic).toEqual(['m0', 'm1', 'm2', 'm4', 'm5']);
    expect(deadLetters()).toEqual([{ type: 'message_too_large', line: 'm3' }]);
    expect(metric('sentEvents')).toBe(5);
    expect(metric('deadLettered')).toBe(1);
    expect(unaccounted()).toBe(0);
  });
});
