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
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['./tests/support/opensearch-global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 240_000,
          // One OpenSearch for the run; files run one at a time so they do not starve it on 2 cores.
          fileParallelism: false,
        },
      },
    ],
  },
});
