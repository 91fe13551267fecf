import { describe, expect, it } from 'vitest';
import {
  controllerPortOf,
  jvmArguments,
  newClusterId,
  parseBrokerList,
  renderLog4j2Properties,
  renderServerProperties,
} from '../../app/kafka/broker-config.js';
import { essentialJars } from '../../app/kafka/distribution.js';
import { kafkaBrokersFromEnv } from '../../app/kafka/target.js';
import { ActionableError } from '../../platform/errors.js';

function properties(text: string): Map<string, string> {
  const entries = text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as [string, string]);
  return new Map(entries);
}

describe('the managed broker’s server.properties', () => {
  const rendered = renderServerProperties({ host: '127.0.0.1', port: 19092, controllerPort: 19093, dataDir: '/tmp/k/data' });
  const config = properties(rendered);

  it('is one KRaft node, broker and controller, that votes for itself', () => {
    expect(config.get('process.roles')).toBe('broker,controller');
    expect(config.get('node.id')).toBe('1');
    expect(config.get('controller.quorum.bootstrap.servers')).toBe('127.0.0.1:19093');
    expect(config.get('controller.listener.names')).toBe('CONTROLLER');
    expect(config.has('zookeeper.connect')).toBe(false);
  });

  it('listens on loopback only: clients on PLAINTEXT, the controller on its own port', () => {
    expect(config.get('listeners')).toBe('PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093');
    expect(config.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093');
    expect(config.get('listener.security.protocol.map')).toBe('CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT');
  });

  it('keeps its logs in the instance’s data folder', () => {
    expect(config.get('log.dirs')).toBe('/tmp/k/data');
  });

  it('can run consumer groups and idempotent producers on one broker, with topics a group can share', () => {
    expect(config.get('offsets.topic.replication.factor')).toBe('1');
    expect(config.get('transaction.state.log.replication.factor')).toBe('1');
    expect(config.get('transaction.state.log.min.isr')).toBe('1');
    expect(config.get('auto.create.topics.enable')).toBe('true');
    expect(config.get('num.partitions')).toBe('6');
    expect(
      properties(renderServerProperties({ host: 'h', port: 1, controllerPort: 2, dataDir: '/d', partitions: 12 })).get('num.partitions'),
    ).toBe('12');
  });

  it('gives back the controller port a formatted folder was started with', () => {
    expect(controllerPortOf(rendered)).toBe(19093);
    expect(controllerPortOf('listeners=PLAINTEXT://127.0.0.1:1\n')).toBeUndefined();
  });

  it('logs to a rolling file in the instance’s logs folder', () => {
    const log4j = renderLog4j2Properties('/tmp/k/logs');
    expect(log4j).toContain('appender.file.fileName = /tmp/k/logs/server.log');
    expect(log4j).toContain('rootLogger.level = info');
  });
});

describe('the broker’s JVM', () => {
  it('takes the heap as a maximum and starts at most at 256m', () => {
    const args = jvmArguments({ heap: '512m', configDir: '/c', logsDir: '/l' });
    expect(args).toContain('-Xmx512m');
    expect(args).toContain('-Xms256m');
    expect(args).toContain('-Dlog4j2.configurationFile=/c/log4j2.properties');
    expect(jvmArguments({ heap: '128m', configDir: '/c', logsDir: '/l' })).toContain('-Xms128m');
    expect(jvmArguments({ heap: '2g', configDir: '/c', logsDir: '/l' })).toContain('-Xmx2g');
  });

  it('refuses a heap that is not a size', () => {
    expect(() => jvmArguments({ heap: '512', configDir: '/c', logsDir: '/l' })).toThrow(/512m or 2g/);
  });
});

describe('cluster ids', () => {
  it('are 22 URL-safe base64 characters, as kafka-storage random-uuid makes them', () => {
    const ids = new Set(Array.from({ length: 50 }, () => newClusterId()));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });

  it('never start with a dash (the storage tool would read it as an option) nor are reserved', () => {
    const draws = [Buffer.from([0xfb, ...Array(15).fill(1)]), Buffer.alloc(16), Buffer.from([4, ...Array(15).fill(2)])];
    const id = newClusterId(() => draws.shift() as Buffer);
    expect(id.startsWith('-')).toBe(false);
    expect(id).not.toBe('AAAAAAAAAAAAAAAAAAAAAA');
    expect(draws).toHaveLength(0);
  });
});

describe('broker lists', () => {
  it('reads KAFKA_BROKERS as comma-separated host:port', () => {
    expect(kafkaBrokersFromEnv({ KAFKA_BROKERS: 'kafka1:9092, kafka2:9093' })).toEqual(['kafka1:9092', 'kafka2:9093']);
    expect(kafkaBrokersFromEnv({ KAFKA_BROKERS: '[::1]:9092' })).toEqual(['[::1]:9092']);
    expect(kafkaBrokersFromEnv({})).toBeUndefined();
    expect(kafkaBrokersFromEnv({ KAFKA_BROKERS: ' ' })).toBeUndefined();
  });

  it('refuses anything else with the fix', () => {
    for (const bad of ['kafka1', 'kafka1:0', 'kafka1:70000', 'http://kafka1:9092']) {
      const error = (() => {
        try {
          kafkaBrokersFromEnv({ KAFKA_BROKERS: bad });
        } catch (e) {
          return e;
        }
      })();
      expect(error, bad).toBeInstanceOf(ActionableError);
      expect((error as ActionableError).fix).toMatch(/kafka1:9092,kafka2:9092/);
    }
    expect(() => parseBrokerList('a:1,b')).toThrow(/'b'/);
  });
});

describe('the cached jars', () => {
  it('count as a broker only with the server, raft and client jars of that version', () => {
    expect(essentialJars('4.1.1')).toEqual([
      'kafka_2.13-4.1.1.jar',
      'kafka-server-4.1.1.jar',
      'kafka-clients-4.1.1.jar',
      'kafka-raft-4.1.1.jar',
    ]);
  });
});
