import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Admin, ConfigResourceTypes, Consumer, IncrementalAlterConfigOperationTypes } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBuffer } from '../../ingest/buffers/memory-buffer.js';
import { FORMAT_HEADER } from '../../ingest/kafka/kafka-record.js';
import { createKafkaSink } from '../../ingest/kafka/kafka-sink-component.js';
import { parseLines } from '../../ingest/pipeline/process-stage.js';
import { silentLogger } from '../../platform/logging/logger.js';
import { METRIC_NAMES } from '../../platform/telemetry/component-telemetry.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import { sharedKafka } from '../support/kafka.js';
import { deleteTopic } from '../support/kafka-tier.js';
import { runDeadLetterCli } from '../support/run-dead-letter-cli.js';

const brokers = await sharedKafka();

interface Record {
  key: string;
  value: { id: string; line: string };
  format: string | undefined;
}

/** Every record of a one-partition topic, from the start. */
async function topicRecords(topic: string, count: number): Promise<Record[]> {
  const consumer = new Consumer({ groupId: `${topic}-${randomUUID().slice(0, 6)}`, clientId: 'fortiems-it', bootstrapBrokers: brokers });
  const records: Record[] = [];
  try {
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest' });
    try {
      for await (const message of stream) {
        const format = [...(message.headers as Map<Buffer, Buffer>)].find(([key]) => key.toString() === FORMAT_HEADER)?.[1];
        records.push({
          key: (message.key as Buffer).toString('utf8'),
          value: JSON.parse((message.value as Buffer).toString('utf8')),
          format: format?.toString(),
        });
        if (records.length >= count) break;
      }
    } finally {
      await stream.close();
    }
  } finally {
    await consumer.close();
  }
  return records;
}

/** The topic's end offset (one partition): how many records it ever took. */
async function endOffset(topic: string): Promise<bigint> {
  const consumer = new Consumer({ groupId: `${topic}-offsets`, clientId: 'fortiems-it', bootstrapBrokers: brokers });
  try {
    return ((await consumer.listOffsets({ topics: [topic] })).get(topic) ?? [])[0] ?? -1n;
  } finally {
    await consumer.close();
  }
}

/**
 * A kafka sink's dead letters re-driven: a record larger than the topic's max.message.bytes is dead-lettered to
 * `<data_dir>/dead-letter/<id>.ndjson`; the topic's limit is raised; `fortiems dead-letter replay --sink` sends it
 * through the sink's driver (its key, its value, the format header), empties the file, and a second replay sends nothing.
 */
describe('fortiems dead-letter replay --sink for a kafka sink on a real broker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fortiems-it-kdl-'));
  const topic = `fortiems-it-kdl-${randomUUID().slice(0, 8)}`;
  const file = join(dir, 'dead-letter', 'collector.ndjson');
  const configFile = join(dir, 'fortiems.yaml');
  const admin = new Admin({ clientId: 'fortiems-test', bootstrapBrokers: brokers });

  beforeAll(async () => {
    await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1, configs: [{ name: 'max.message.bytes', value: '4096' }] });
    writeFileSync(
      configFile,
      `data_dir: ${JSON.stringify(dir)}\nsinks:\n  collector:\n    type: kafka\n    brokers: [${brokers.join(', ')}]\n` +
        `    topic: ${topic}\n    compression: none\n    partition_key: source\n`,
    );
  });

  afterAll(async () => {
    await admin.close();
    await deleteTopic(brokers, topic);
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers the dead-lettered record exactly once once the topic takes it, empties the file, and is idempotent', async () => {
    const registry = new MetricsRegistry();
    const sink = createKafkaSink(
      'collector',
      { type: 'kafka', brokers, topic, partition_key: 'source', compression: 'none', batch: { timeout_ms: 50 } },
      { buffer: new MemoryBuffer(50_000_000), registry, dataDir: dir, logger: silentLogger() },
      { retry: { baseDelayMs: 10, maxDelayMs: 200 } },
    );
    await sink.start();
    const metric = (key: keyof typeof METRIC_NAMES) => registry.get(METRIC_NAMES[key])?.total() ?? 0;
    // Larger than the topic takes, with text beyond ASCII (and a lone surrogate, which JSON keeps as an escape).
    const big = `big ünïcode ✓ \ud800 ${'x'.repeat(6000)}`;
    const lines = ['small0', big, 'small2'];
    await sink.accept(
      parseLines(
        lines.map((line) => ({ line, receivedAt: Date.now(), sourceId: 'tcp-ünï', zone: 'UTC' })),
        'default',
      ).events,
    );
    for (let i = 0; i < 600 && metric('sentEvents') + metric('deadLettered') < lines.length; i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    await sink.stop(5000);
    expect(metric('sentEvents')).toBe(2);
    expect(metric('deadLettered')).toBe(1);
    const letter = JSON.parse(readFileSync(file, 'utf8').trim()) as { payload: string; payload_base64?: string };
    expect(letter).toMatchObject({ error: { type: 'message_too_large' }, sink: 'collector', format: 'fortiems-kafka-1', attempts: 1 });
    // Spool payloads are UTF-8 text (`<key>\n<value>`), so the text alone carries them.
    expect(letter.payload_base64).toBeUndefined();
    const [key, value] = [letter.payload.slice(0, letter.payload.indexOf('\n')), letter.payload.slice(letter.payload.indexOf('\n') + 1)];
    expect(key).toBe('tcp-ünï');
    expect(JSON.parse(value).line).toBe(big);

    // The topic still refuses it: kept with its new count, exit 1.
    const refused = await runDeadLetterCli(['replay', '--config', configFile, '--sink', 'collector']);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('1 lines, 1 replayed, 0 delivered, 1 still failing, 0 unreadable, 0 deleted');
    expect(JSON.parse(readFileSync(file, 'utf8').trim())).toMatchObject({ payload: letter.payload, replays: 1 });
    const listed = await runDeadLetterCli(['list', '--config', configFile, '--sink', 'collector']);
    expect(listed.out).toContain(`1 dead letters in ${file}`);
    expect(listed.out).toContain('"message_too_large"');

    // The fix: the topic takes larger records.
    await admin.incrementalAlterConfigs({
      resources: [
        {
          resourceType: ConfigResourceTypes.TOPIC,
          resourceName: topic,
          configs: [{ name: 'max.message.bytes', configOperation: IncrementalAlterConfigOperationTypes.SET, value: '1048576' }],
        },
      ],
    });
    const replay = await runDeadLetterCli(['replay', '--config', configFile, '--sink', 'collector']);
    expect(replay.err).toBe('');
    expect(replay.code).toBe(0);
    expect(replay.out).toContain('1 lines, 1 replayed, 1 delivered, 0 still failing, 0 unreadable, 1 deleted');
    expect(existsSync(file)).toBe(false);

    const records = await topicRecords(topic, 3);
    expect(records.map((record) => record.value.line)).toEqual(['small0', 'small2', big]);
    const delivered = records[2] as Record;
    expect(delivered.key).toBe('tcp-ünï');
    expect(delivered.value).toEqual(JSON.parse(value));
    expect(delivered.format).toBe('1');
    expect(await endOffset(topic)).toBe(3n);

    const again = await runDeadLetterCli(['replay', '--config', configFile, '--sink', 'collector']);
    expect(again.code).toBe(0);
    expect(again.out).toContain('0 lines, 0 replayed, 0 delivered');
    expect(await endOffset(topic)).toBe(3n);
  });
});
