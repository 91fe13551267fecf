import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { stopManagedBroker } from '../../app/kafka/managed-broker.js';

/** Live broker processes whose command line names this instance folder (its server.properties is the last argument). */
export function kafkaProcessesUsing(instanceDir: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        return cmdline.includes('kafka.Kafka') && cmdline.includes(instanceDir);
      } catch {
        return false;
      }
    });
}

/**
 * Only a folder: the broker itself starts lazily, when an integration file calls `sharedKafka()`
 * (tests/support/kafka.ts). At the end of the run whatever started there is stopped and the folder removed.
 */
export default function setup(project: TestProject): () => Promise<void> {
  const instanceDir = mkdtempSync(join(tmpdir(), 'fortiems-it-kafka-'));
  project.provide('kafkaInstanceDir', instanceDir);
  return async () => {
    await stopManagedBroker(instanceDir);
    const leftovers = kafkaProcessesUsing(instanceDir);
    rmSync(instanceDir, { recursive: true, force: true });
    if (leftovers.length > 0) throw new Error(`Kafka processes left behind: ${leftovers.join(', ')}`);
  };
}
