/**
 * The detection scheduler's alert outputs, as sinks: the scheduler calls `accept([alertEvent(alert)])` and starts and
 * stops them like the pipeline's sinks. A syslog output is the syslog forwarding sink itself (formats, TLS, replay
 * window, dead-letter file), its event filter replaced by the output's `min_level`; a webhook output is the shared sink
 * helper over the webhook driver. Both spool (the buffer the caller opens), retry and dead-letter like any sink.
 */
import { join } from 'node:path';
import type { EventBuffer } from '../../../ingest/buffers/event-buffer.js';
import type { AlertOutputConfig, SyslogAlertOutputConfig, WebhookAlertOutputConfig } from '../../../ingest/config/types.js';
import { createSyslogSink } from '../../../ingest/forward/create-syslog-sink.js';
import { formatJson } from '../../../ingest/forward/formats/json.js';
import type { RetryPolicy } from '../../../ingest/sinks/retry-policy.js';
import type { Sink } from '../../../ingest/sinks/sink.js';
import { BufferedSink, type SinkLogger } from '../../../ingest/sinks/sink-helper.js';
import { utf8Bytes } from '../../../platform/bytes/utf8-slab.js';
import { ComponentTelemetry } from '../../../platform/telemetry/component-telemetry.js';
import type { MetricsRegistry } from '../../../platform/telemetry/metrics-registry.js';
import { alertLevelFilter, alertLevelQuery } from './alert-level-filter.js';
import { createWebhookDriver } from './webhook-driver.js';
import { webhookOutputSettings } from './webhook-settings.js';

export interface AlertOutputDeps {
  /** The output's buffer, already opened (see alertOutputBufferPath); the output closes it when it stops. */
  buffer: EventBuffer;
  registry: MetricsRegistry;
  /** Where the dead-letter file goes (`<data_dir>/dead-letter/<id>.ndjson`). */
  dataDir: string;
  logger?: SinkLogger;
  /** Overrides of the retry policy (tests shorten the backoff). */
  retry?: Partial<RetryPolicy>;
}

/** The default disk spool of an output: its own folder, apart from the sinks' of the same name. */
export function alertOutputBufferPath(dataDir: string, id: string): string {
  return join(dataDir, 'spool', `alert-output-${id}`);
}

/** One alert output type: what makes it (the `create` of the ingest sink contract, over an alert's deps). */
interface AlertOutputFactory<C extends AlertOutputConfig> {
  readonly type: C['type'];
  create(id: string, config: C, deps: AlertOutputDeps): Sink;
}

/**
 * The alert output registry, one line per type (the same shape as ingest/components/registry.ts). Their schema
 * fragments and checks stay in the configuration's schema (ingest/config/), which ingest/ owns and may not import from
 * detections/.
 */
const ALERT_OUTPUTS: { [T in AlertOutputConfig['type']]: AlertOutputFactory<Extract<AlertOutputConfig, { type: T }>> } = {
  syslog: { type: 'syslog', create: syslogOutput },
  webhook: { type: 'webhook', create: webhookOutput },
};

export function createAlertOutput(id: string, config: AlertOutputConfig, deps: AlertOutputDeps): Sink {
  const factory = ALERT_OUTPUTS[config.type] as AlertOutputFactory<AlertOutputConfig> | undefined;
  if (!factory) throw new Error(`no alert output type '${config.type}' (known: ${Object.keys(ALERT_OUTPUTS).join(', ')})`);
  return factory.create(id, config, deps);
}

function syslogOutput(id: string, config: SyslogAlertOutputConfig, deps: AlertOutputDeps): Sink {
  const { min_level: minimum, ...sink } = config;
  const query = alertLevelQuery(minimum);
  return createSyslogSink(id, { ...sink, ...(query ? { filter: { query } } : {}) }, deps);
}

function webhookOutput(id: string, config: WebhookAlertOutputConfig, deps: AlertOutputDeps): Sink {
  const settings = webhookOutputSettings(id, config, deps.dataDir);
  const filter = alertLevelFilter(config.min_level);
  return new BufferedSink({
    id,
    buffer: deps.buffer,
    // The alert document, one line: what the receiver gets as the request body.
    encode: (event) => utf8Bytes(formatJson(event, { facility: 16 })),
    ...(filter ? { filter } : {}),
    driver: createWebhookDriver(settings.driver),
    telemetry: new ComponentTelemetry(deps.registry, { id, kind: 'sink', type: 'webhook' }),
    batch: settings.batch,
    concurrency: settings.concurrency,
    ...(deps.retry ? { retry: deps.retry } : {}),
    ...(deps.logger ? { logger: deps.logger } : {}),
  });
}
