import { join } from 'node:path';
import type { WebhookAlertOutputConfig } from '../../../ingest/config/types.js';
import type { BatchSettings } from '../../../ingest/sinks/batch-reader.js';
import type { WebhookDriverSettings } from './webhook-driver.js';

/**
 * Defaults of a webhook output. One request per alert, so a batch only groups alerts for the parallel requests; it is
 * short and small, because an alert should reach the receiver within a second of its run.
 */
export const WEBHOOK_OUTPUT_DEFAULTS = {
  concurrency: 2,
  batch: { maxEvents: 50, maxBytes: 5 * 1024 * 1024, timeoutMs: 200 },
} as const;

export interface WebhookOutputSettings {
  driver: WebhookDriverSettings;
  concurrency: number;
  batch: BatchSettings;
}

/** Applies the defaults; the dead letters go where a syslog sink's do: `<data_dir>/dead-letter/<id>.ndjson`. */
export function webhookOutputSettings(id: string, config: WebhookAlertOutputConfig, dataDir: string): WebhookOutputSettings {
  const defaults = WEBHOOK_OUTPUT_DEFAULTS;
  return {
    driver: {
      url: config.url,
      ...(config.token !== undefined ? { token: config.token } : {}),
      ...(config.headers ? { headers: config.headers } : {}),
      ...(config.timeout_ms !== undefined ? { timeoutMs: config.timeout_ms } : {}),
      ...(config.tls
        ? {
            tls: {
              ...(config.tls.ca_file !== undefined ? { caFile: config.tls.ca_file } : {}),
              ...(config.tls.verify !== undefined ? { verify: config.tls.verify } : {}),
            },
          }
        : {}),
      deadLetterFile: join(dataDir, 'dead-letter', `${id}.ndjson`),
    },
    concurrency: config.concurrency ?? defaults.concurrency,
    batch: {
      maxEvents: config.batch?.max_events ?? defaults.batch.maxEvents,
      maxBytes: config.batch?.max_bytes ?? defaults.batch.maxBytes,
      timeoutMs: config.batch?.timeout_ms ?? defaults.batch.timeoutMs,
    },
  };
}
