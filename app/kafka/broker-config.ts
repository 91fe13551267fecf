import { randomBytes } from 'node:crypto';

/** The settings a managed single broker runs with; the generated files are kept small and readable on purpose. */
export interface BrokerSettings {
  host: string;
  /** The PLAINTEXT listener clients bootstrap from. */
  port: number;
  /** The KRaft controller listener (the same process: combined mode). */
  controllerPort: number;
  dataDir: string;
  /** Default partitions of an auto-created topic. */
  partitions?: number;
}

/** 6 partitions: enough for a consumer group of a few indexers to share a topic, few enough for a laptop. */
export const DEFAULT_PARTITIONS = 6;

/**
 * server.properties for one KRaft node that is both broker and controller. Replication factors are 1 because there is
 * one broker; Kafka's defaults (3) would leave the offsets and transaction topics uncreatable and consumer groups and
 * idempotent producers waiting forever.
 */
export function renderServerProperties(settings: BrokerSettings): string {
  const broker = `PLAINTEXT://${settings.host}:${settings.port}`;
  const controller = `CONTROLLER://${settings.host}:${settings.controllerPort}`;
  return [
    '# Written by fortiems for a managed local broker; edits are overwritten at the next start.',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.bootstrap.servers=${settings.host}:${settings.controllerPort}`,
    `listeners=${broker},${controller}`,
    `advertised.listeners=${broker},${controller}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${settings.dataDir}`,
    `num.partitions=${settings.partitions ?? DEFAULT_PARTITIONS}`,
    'auto.create.topics.enable=true',
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    // A single-member group need not wait 3 s for others to join; tests and a first indexer start sooner.
    'group.initial.rebalance.delay.ms=0',
    '',
  ].join('\n');
}

/** Kafka's own log (log4j2) into the instance's logs folder, INFO and up; nothing to the console. */
export function renderLog4j2Properties(logsDir: string): string {
  return [
    'status = warn',
    'appender.file.type = RollingFile',
    'appender.file.name = file',
    `appender.file.fileName = ${logsDir}/server.log`,
    `appender.file.filePattern = ${logsDir}/server.log.%i`,
    'appender.file.layout.type = PatternLayout',
    'appender.file.layout.pattern = [%d] %p %m (%c)%n',
    'appender.file.policies.type = Policies',
    'appender.file.policies.size.type = SizeBasedTriggeringPolicy',
    'appender.file.policies.size.size = 20MB',
    'appender.file.strategy.type = DefaultRolloverStrategy',
    'appender.file.strategy.max = 3',
    'rootLogger.level = info',
    'rootLogger.appenderRef.file.ref = file',
    '',
  ].join('\n');
}

/** Heap as Xmx; the initial heap is at most 256m so an idle test broker stays small. */
export function jvmArguments(options: { heap: string; configDir: string; logsDir: string }): string[] {
  const match = /^(\d+)([mg])$/i.exec(options.heap);
  if (!match) throw new Error(`heap must look like 512m or 2g, not '${options.heap}'`);
  const mib = Number(match[1]) * ((match[2] as string).toLowerCase() === 'g' ? 1024 : 1);
  return [
    `-Xmx${options.heap}`,
    `-Xms${Math.min(mib, 256)}m`,
    // kafka-run-class.sh's defaults for the broker.
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${options.configDir}/log4j2.properties`,
    `-Dkafka.logs.dir=${options.logsDir}`,
  ];
}

/**
 * A KRaft cluster id: a random 128-bit UUID in URL-safe base64 without padding, as `kafka-storage random-uuid` makes
 * (which also avoids ids starting with '-', that its own command line would read as an option).
 */
export function newClusterId(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString('base64url');
    if (!id.startsWith('-') && id !== 'AAAAAAAAAAAAAAAAAAAAAA' && id !== 'AAAAAAAAAAAAAAAAAAAAAQ') return id;
  }
}

/** The controller port a formatted instance was started with: KRaft keeps it in its voter set, so a restart reuses it. */
export function controllerPortOf(serverProperties: string): number | undefined {
  const match = /^listeners=.*CONTROLLER:\/\/[^,:]+:(\d+)/m.exec(serverProperties);
  return match ? Number(match[1]) : undefined;
}

/** "a:9092,b:9092" → ['a:9092', 'b:9092']; undefined for an empty value; an error for anything not host:port. */
export function parseBrokerList(text: string | undefined): string[] | undefined {
  const brokers = (text ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (brokers.length === 0) return undefined;
  for (const broker of brokers) {
    const match = /^(\[[0-9a-f:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/i.exec(broker);
    if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535) throw new Error(`not a host:port broker address: '${broker}'`);
  }
  return brokers;
}
