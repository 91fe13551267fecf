import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Consumer, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureKafka } from '../../app/kafka/distribution.js';
import { startManagedBroker } from '../../app/kafka/managed-broker.js';
import { kafkaProcessesUsing, sharedKafka } from '../support/kafka.js';
import { describeManagedServerErrors } from '../support/managed-server-errors.js';

const cli = new URL('../../bin/fortiems.js', import.meta.url).pathname;
const execFileAsync = promisify(execFile);
const env = { ...process.env };
delete env.KAFKA_BROKERS; // the lifecycle is the managed broker's, whatever the run was given
const fortiems = (...args: string[]) => execFileAsync(process.execPath, [cli, ...args], { encoding: 'utf8', env });

/** One record through the broker: produced with acks from all replicas, read back by a fresh consumer group. */
async function roundTrip(brokers: string[], topic: string, value: string): Promise<{ key: string; value: string }> {
  const producer = new Producer({
    clientId: 'fortiems-it',
    bootstrapBrokers: brokers,
    serializers: stringSerializers,
    autocreateTopics: true,
    idempotent: true,
  });
  try {
    await producer.send({ messages: [{ topic, key: 'ems-1', value }] });
  } finally {
    await producer.close();
  }
  const consumer = new Consumer({
    groupId: `fortiems-it-${topic}`,
    clientId: 'fortiems-it',
    bootstrapBrokers: brokers,
    deserializers: stringDeserializers,
  });
  try {
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest' });
    try {
      for await (const message of stream) return { key: message.key, value: message.value };
      throw new Error('the stream ended without a record');
    } finally {
      await stream.close();
    }
  } finally {
    await consumer.close();
  }
}

describe('fortiems kafka fetch | start | status | stop, as a new user runs them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fortiems-it-kafka-cli-'));
  afterAll(async () => {
    await fortiems('kafka', 'stop', '--dir', dir).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts a real broker whose printed address takes and serves a record, and stops it leaving no java behind', async () => {
    const fetched = await fortiems('kafka', 'fetch');
    expect(fetched.stdout).toMatch(/^Kafka 4\.\d+\.\d+ ready in /);

    const started = await fortiems('kafka', 'start', '--port', '0', '--dir', dir);
    const bootstrap = started.stdout.match(/is up: (127\.0\.0\.1:\d+)/)?.[1];
    expect(bootstrap, started.stdout).toBeDefined();

    expect(await roundTrip([bootstrap as string], 'fortiems-it-lifecycle', 'hello from the lifecycle test')).toEqual({
      key: 'ems-1',
      value: 'hello from the lifecycle test',
    });

    const status = await fortiems('kafka', 'status', '--dir', dir, '--json');
    expect(JSON.parse(status.stdout)).toMatchObject({ status: 'up', bootstrap, source: 'managed', version: expect.stringMatching(/^4\./) });

    const again = await fortiems('kafka', 'start', '--port', '0', '--dir', dir);
    expect(again.stdout).toContain(`already running: ${bootstrap}`);

    expect(kafkaProcessesUsing(dir)).toHaveLength(1);
    const stopped = await fortiems('kafka', 'stop', '--dir', dir);
    expect(stopped.stdout).toContain('Kafka stopped');
    expect(kafkaProcessesUsing(dir)).toEqual([]);

    const down = await fortiems('kafka', 'status', '--dir', dir).catch((error: { code: number; stdout: string }) => error);
    expect(down).toMatchObject({ code: 3, stdout: 'down\n' });
  });

  it('restarts on the same folder keeping its topics and their records', async () => {
    const first = await fortiems('kafka', 'start', '--port', '0', '--dir', dir);
    const bootstrap = first.stdout.match(/is up: (127\.0\.0\.1:\d+)/)?.[1] as string;
    const record = await roundTrip([bootstrap], 'fortiems-it-restart', 'kept across a restart');
    expect(record.value).toBe('kept across a restart');
    await fortiems('kafka', 'stop', '--dir', dir);

    const second = await fortiems('kafka', 'start', '--port', '0', '--dir', dir);
    const after = second.stdout.match(/is up: (127\.0\.0\.1:\d+)/)?.[1] as string;
    // A new consumer group reads the topic from the start: the record written before the restart is still there.
    const consumer = new Consumer({
      groupId: 'fortiems-it-after-restart',
      clientId: 'fortiems-it',
      bootstrapBrokers: [after],
      deserializers: stringDeserializers,
    });
    try {
      const stream = await consumer.consume({ topics: ['fortiems-it-restart'], mode: 'earliest' });
      let value: string | undefined;
      for await (const message of stream) {
        value = message.value;
        break;
      }
      await stream.close();
      expect(value).toBe('kept across a restart');
    } finally {
      await consumer.close();
    }
    await fortiems('kafka', 'stop', '--dir', dir);
  });
});

describe('the shared test broker', () => {
  it('is started once on request and serves every file that asks', async () => {
    const brokers = await sharedKafka();
    expect(await sharedKafka()).toEqual(brokers);
    expect((await roundTrip(brokers, 'fortiems-it-shared', 'shared')).value).toBe('shared');
  });
});

describeManagedServerErrors({
  name: 'broker',
  start: (options) => startManagedBroker(options),
  // A too large heap is only reserved, and starts.
  failingHeap: { heap: '1m', why: 'a heap too small for the JVM to initialise' },
  processesUsing: kafkaProcessesUsing,
  fetchUnknownVersion: (cacheDir) => ensureKafka({ request: { kind: 'exact', version: '4.99.0' }, cacheDir }),
  unfetchable: { message: /Maven could not fetch org\.apache\.kafka:kafka_2\.13:4\.99\.0/, fix: /KAFKA_BROKERS/ },
});
