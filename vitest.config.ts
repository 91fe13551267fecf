import { defineConfig } from 'vitest/config';

// Two projects: unit tests need nothing; integration tests share one real OpenSearch started by the global setup.
export default defineConfig({
  test: {
    reporters: ['default', './tests/support/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          // Unit tests first, integration after: on 2 cores, CPU-heavy unit files (fuzzing, CLI runs) beside a real
          // OpenSearch under bulk load would make the end-to-end timings a lottery.
          sequence: { groupOrder: 0 },
          // Some unit files run the CLI as a process or compile the SigmaHQ corpus; beside the CPU-heavy fuzz and
          // linear-time files on 2 cores, vitest's 5 s default would fail them for the machine's load, not a bug.
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          sequence: { groupOrder: 1 },
          // Kafka's setup only makes a folder: a broker starts when a file first calls sharedKafka().
          globalSetup: ['./tests/support/opensearch-global-setup.ts', './tests/support/kafka-global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 240_000,
          // One OpenSearch for the run; files run one at a time so they do not starve it on 2 cores.
          fileParallelism: false,
        },
      },
    ],
  },
});
