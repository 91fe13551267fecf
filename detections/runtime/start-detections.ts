/**
 * Builds the detection scheduler from the configuration: the rules (the shipped pack unless `rules` says otherwise),
 * the alerts index of the namespace, the outputs with their own spools, the state file in the data folder.
 */
import { join } from 'node:path';
import { createBuffer } from '../../ingest/buffers/create-buffer.js';
import type { DetectionsConfig } from '../../ingest/config/types.js';
import type { Sink } from '../../ingest/sinks/sink.js';
import { alertsIndex } from '../../mappings/index.js';
import type { Logger } from '../../platform/logging/logger.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import type { OpenSearchTarget } from '../../platform/opensearch/target.js';
import type { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import { placeholdersFrom } from '../sigma/placeholders.js';
import { loadDetectionRules } from './detection-rules.js';
import { alertOutputBufferPath, createAlertOutput } from './outputs/create-alert-output.js';
import { DetectionScheduler } from './scheduler.js';
import { shippedRulesPath } from './shipped-rules.js';

export interface DetectionDeps {
  readonly target: Pick<OpenSearchTarget, 'url' | 'urls' | 'username' | 'password' | 'caFile'>;
  /** The namespace of the events to search, unless the section names one. */
  readonly namespace: string;
  readonly dataDir: string;
  readonly registry: MetricsRegistry;
  readonly logger: Logger;
  readonly drainTimeoutMs?: number;
}

export async function startDetections(config: DetectionsConfig, deps: DetectionDeps): Promise<DetectionScheduler> {
  const path = config.rules ?? shippedRulesPath();
  const rules = loadDetectionRules(path, {
    disabled: config.disabled_rules ?? [],
    minLevel: config.min_level ?? 'low',
    placeholders: placeholdersFrom(config.placeholders, 'detections.placeholders'),
  });
  const namespace = config.namespace ?? deps.namespace;
  const logger = deps.logger.child({ component: 'detections' });
  const outputs: Sink[] = [];
  const client = createOpenSearchClient(deps.target, { requestTimeoutMs: 30_000, maxRetries: 0 });
  let scheduler: DetectionScheduler | undefined;
  try {
    for (const [id, output] of Object.entries(config.outputs ?? {})) {
      const outputLogger = deps.logger.child({ component_id: id, component_kind: 'sink' });
      const buffer = await createBuffer(output.buffer ?? {}, alertOutputBufferPath(deps.dataDir, id), {
        onWarning: (message) => outputLogger.warn(message),
      });
      try {
        outputs.push(createAlertOutput(id, output, { buffer, registry: deps.registry, dataDir: deps.dataDir, logger: outputLogger }));
      } catch (error) {
        await buffer.close();
        throw error;
      }
    }
    scheduler = new DetectionScheduler({
      client,
      rules,
      rulesRoot: path,
      namespace,
      alertsIndex: alertsIndex(namespace),
      intervalMs: (config.interval_seconds ?? 60) * 1000,
      lookbackMs: (config.lookback_seconds ?? 60) * 1000,
      timeField: config.time_field ?? '@timestamp',
      maxAlertsPerRun: config.max_alerts_per_run ?? 100,
      outputs,
      registry: deps.registry,
      logger,
      statePath: join(deps.dataDir, 'detections', `state-${namespace}.json`),
      ...(deps.drainTimeoutMs !== undefined ? { drainTimeoutMs: deps.drainTimeoutMs } : {}),
    });
    await scheduler.start();
  } catch (error) {
    // Whatever was opened is closed again: a spool left locked by this process would refuse every later attempt.
    if (scheduler) await scheduler.stop().catch(() => undefined);
    else {
      await Promise.all(outputs.map((output) => output.stop(0).catch(() => undefined)));
      await client.close().catch(() => undefined);
    }
    throw error;
  }
  logger.info(
    { rules: path, active: rules.plain.length + rules.correlations.length, skipped: rules.skipped.length, refused: rules.refused.length },
    `detections: ${rules.plain.length} rules and ${rules.correlations.length} correlations every ${config.interval_seconds ?? 60} s`,
  );
  return scheduler;
}
