import { ActionableError } from '../../platform/errors.js';
import { parseBrokerList } from './broker-config.js';
import { type BrokerStartOptions, startManagedBroker, stopManagedBroker } from './managed-broker.js';

export interface ProvidedKafka {
  /** Bootstrap addresses, host:port. */
  brokers: string[];
  source: 'KAFKA_BROKERS' | 'managed';
  /** Stops what was started for this caller; leaves alone what was already there. */
  release(): Promise<void>;
}

/** KAFKA_BROKERS (comma-separated host:port): an existing cluster, never started or stopped by us. */
export function kafkaBrokersFromEnv(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  try {
    return parseBrokerList(env.KAFKA_BROKERS);
  } catch (error) {
    throw new ActionableError(`KAFKA_BROKERS is not a broker list: ${(error as Error).message}`, 'set it like kafka1:9092,kafka2:9092');
  }
}

/** KAFKA_BROKERS first; otherwise the managed local broker. */
export async function provideKafka(options: BrokerStartOptions & { env?: NodeJS.ProcessEnv } = {}): Promise<ProvidedKafka> {
  const fromEnv = kafkaBrokersFromEnv(options.env);
  if (fromEnv) return { brokers: fromEnv, source: 'KAFKA_BROKERS', release: async () => undefined };
  const { state, started } = await startManagedBroker(options);
  return {
    brokers: [state.bootstrap],
    source: 'managed',
    release: async () => {
      if (started) await stopManagedBroker(state.instanceDir);
    },
  };
}
