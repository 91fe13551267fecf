import { inject } from 'vitest';
import { startManagedBroker } from '../../app/kafka/managed-broker.js';
import { kafkaBrokersFromEnv } from '../../app/kafka/target.js';

export { kafkaProcessesUsing } from './kafka-global-setup.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the shared test broker lives once a file asks for it (tests/support/kafka-global-setup.ts). */
    kafkaInstanceDir: string;
  }
}

/**
 * The run's one Kafka, started by the first integration file that asks and reused by the next ones (files run one at a
 * time; the broker outlives each file's worker because it is a detached process with a state file). KAFKA_BROKERS,
 * when set, is used instead. Files that never call this never pay for a broker.
 */
export async function sharedKafka(): Promise<string[]> {
  const fromEnv = kafkaBrokersFromEnv();
  if (fromEnv) return fromEnv;
  const { state } = await startManagedBroker({ instanceDir: inject('kafkaInstanceDir'), port: 0, log: (line) => console.log(line) });
  return [state.bootstrap];
}
