import { readFileSync } from 'node:fs';

/**
 * The bootstrap brokers integration tests use: `KAFKA_BROKERS` (comma-separated), else the address the managed broker
 * wrote to /tmp/kafka-ready. One function, so the source of the shared broker can change in one place.
 */
export function kafkaBrokers(): string[] {
  const listed = process.env.KAFKA_BROKERS ?? readFileSync('/tmp/kafka-ready', 'utf8');
  return listed
    .split(/[,\s]+/)
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
}
