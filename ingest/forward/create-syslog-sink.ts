import { ComponentTelemetry } from '../../platform/telemetry/component-telemetry.js';
import type { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import type { EventBuffer } from '../buffers/event-buffer.js';
import type { SyslogSinkConfig } from '../config/types.js';
import type { RetryPolicy } from '../sinks/retry-policy.js';
import type { Sink } from '../sinks/sink.js';
import type { SinkDriver } from '../sinks/sink-driver.js';
import { BufferedSink, type SinkLogger } from '../sinks/sink-helper.js';
import { forwardThrottle } from './forward-policies.js';
import { createSyslogDriver } from './syslog-driver.js';
import { syslogEncoderRecipe, syslogSinkEncoder } from './syslog-encoder.js';
import { syslogSinkSettings } from './syslog-sink-settings.js';

export interface SyslogSinkDeps {
  /** The sink's buffer (the service's disk spool), already opened; the sink closes it when it stops. */
  buffer: EventBuffer;
  registry: MetricsRegistry;
  /** Where the dead-letter file goes (`<data_dir>/dead-letter/<id>.ndjson`). */
  dataDir: string;
  logger?: SinkLogger;
  /** Overrides of the retry policy (tests shorten the backoff). */
  retry?: Partial<RetryPolicy>;
  /** See the delivery guarantee in `syslog-driver.ts` (default 2000 ms). */
  replayWindowMs?: number;
  connectTimeoutMs?: number;
}

/** A syslog forwarding sink: filter → format → spool → batches → one UDP/TCP/TLS destination. */
export function createSyslogSink(id: string, config: SyslogSinkConfig, deps: SyslogSinkDeps): Sink {
  const settings = syslogSinkSettings(id, config, deps.dataDir);
  const encoder = syslogSinkEncoder(id, config);
  const driver = createSyslogSinkDriver(id, config, deps);
  return new BufferedSink({
    id,
    buffer: deps.buffer,
    encode: encoder.encode,
    ...(encoder.filter ? { filter: encoder.filter } : {}),
    encoderRecipe: syslogEncoderRecipe(id, config),
    driver,
    telemetry: new ComponentTelemetry(deps.registry, { id, kind: 'sink', type: 'syslog' }),
    batch: settings.batch,
    concurrency: settings.concurrency,
    ...(deps.retry ? { retry: deps.retry } : {}),
    ...(deps.logger ? { logger: deps.logger } : {}),
  });
}

/** The sink's driver alone (its destination, transport, TLS and rate limit): the sink's, and `fortiems dead-letter replay --sink`'s. */
export function createSyslogSinkDriver(
  id: string,
  config: SyslogSinkConfig,
  deps: Pick<SyslogSinkDeps, 'dataDir' | 'replayWindowMs' | 'connectTimeoutMs'>,
): SinkDriver {
  const settings = syslogSinkSettings(id, config, deps.dataDir);
  const throttle = forwardThrottle(config.rate_limit);
  return createSyslogDriver({
    host: settings.host,
    port: settings.port,
    mode: settings.mode,
    framing: settings.framing,
    ...(config.tls
      ? {
          tls: {
            verify: config.tls.verify ?? true,
            ...(config.tls.ca_file ? { caFile: config.tls.ca_file } : {}),
            ...(config.tls.cert_file ? { certFile: config.tls.cert_file } : {}),
            ...(config.tls.key_file ? { keyFile: config.tls.key_file } : {}),
            ...(config.tls.server_name ? { serverName: config.tls.server_name } : {}),
          },
        }
      : {}),
    ...(throttle ? { throttle } : {}),
    ...(deps.replayWindowMs !== undefined ? { replayWindowMs: deps.replayWindowMs } : {}),
    ...(deps.connectTimeoutMs !== undefined ? { connectTimeoutMs: deps.connectTimeoutMs } : {}),
    deadLetterFile: settings.deadLetterFile,
    deadLetterContext: { sink: id, format: settings.format },
  });
}
