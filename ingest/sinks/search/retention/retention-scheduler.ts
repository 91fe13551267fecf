/**
 * Runs retention passes on a timer for each OpenSearch sink's (cluster, namespace), when the configuration asks:
 * `auto` (the default) only on a cluster without the ISM plugin, where the ISM policy cannot be the mechanism (asked
 * again every pass: the plugin may be installed later), `always` whatever the cluster has, `never` not at all.
 * Counted in /metrics as `fortiems_retention_*`.
 */
import { waitAtMost } from '../../../../platform/concurrency/wait-at-most.js';
import type { Logger } from '../../../../platform/logging/logger.js';
import { createOpenSearchClient } from '../../../../platform/opensearch/client.js';
import type { OpenSearchTarget } from '../../../../platform/opensearch/target.js';
import type { MetricsRegistry } from '../../../../platform/telemetry/metrics-registry.js';
import type { RetentionConfig } from '../../../config/types.js';
import { hasIsmPlugin } from '../install-mappings.js';
import { defaultHolder, RETENTION_DEFAULTS, type RetentionEvents, type RetentionSettings, runRetention } from './retention.js';

export type RetentionMode = 'auto' | 'always' | 'never';

export interface RetentionTarget {
  cluster: Pick<OpenSearchTarget, 'url' | 'urls' | 'username' | 'password' | 'caFile'>;
  namespace: string;
}

export function retentionSettings(config: RetentionConfig | undefined, namespace: string): RetentionSettings {
  return {
    namespace,
    retentionDays: config?.days ?? RETENTION_DEFAULTS.retentionDays,
    rolloverMaxAge: config?.rollover_max_age ?? RETENTION_DEFAULTS.rolloverMaxAge,
    rolloverMaxSize: config?.rollover_max_size ?? RETENTION_DEFAULTS.rolloverMaxSize,
    leaseSeconds: config?.lease_seconds ?? RETENTION_DEFAULTS.leaseSeconds,
  };
}

export interface RetentionSchedulerOptions {
  config: RetentionConfig | undefined;
  targets: RetentionTarget[];
  registry: MetricsRegistry;
  logger: Logger;
  now?: () => number;
  holder?: string;
}

function retentionMetrics(registry: MetricsRegistry, namespace: string): RetentionEvents & { run(outcome: string): void } {
  const labels = { namespace };
  const counter = (name: string, help: string, extra: string[] = []) => registry.counter(name, help, ['namespace', ...extra]);
  const runs = counter('fortiems_retention_runs_total', 'Retention passes, by outcome (done, lease-held, lease-lost, skipped-ism).', [
    'outcome',
  ]);
  const rollovers = counter('fortiems_retention_rollovers_total', 'Data streams rolled over by fortiems retention.');
  const deletions = counter('fortiems_retention_deleted_indices_total', 'Backing indices deleted by fortiems retention.');
  const acquired = counter('fortiems_retention_lease_acquired_total', 'Retention passes that took the lease.');
  const busy = counter('fortiems_retention_lease_busy_total', 'Retention passes skipped: another process held the lease.');
  const lost = counter('fortiems_retention_lease_lost_total', 'Retention passes stopped: the lease was taken over mid-pass.');
  const errors = counter('fortiems_retention_errors_total', 'Retention errors, by stage (read, rollover, delete, lease, pass).', ['stage']);
  // Present at 0 from the start, so a dashboard can tell "never happened" from "not running".
  for (const metric of [rollovers, deletions, acquired, busy, lost]) metric.labels(labels).inc(0);
  return {
    run: (outcome) => runs.labels({ ...labels, outcome }).inc(),
    leaseAcquired: () => acquired.labels(labels).inc(),
    leaseBusy: () => busy.labels(labels).inc(),
    leaseLost: () => lost.labels(labels).inc(),
    rolledOver: () => rollovers.labels(labels).inc(),
    deleted: () => deletions.labels(labels).inc(),
    error: (stage) => errors.labels({ ...labels, stage }).inc(),
  };
}

export class RetentionScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  /** Per target, whether the last pass found ISM: logged only when it changes. */
  private readonly ismSeen = new Map<string, boolean>();

  constructor(private readonly options: RetentionSchedulerOptions) {}

  get mode(): RetentionMode {
    return this.options.config?.mode ?? 'auto';
  }

  /** Starts the first pass now and one every interval_seconds after the previous one ends (passes never overlap). */
  start(): void {
    if (this.mode === 'never' || this.options.targets.length === 0) return;
    this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // A pass in flight is left to finish on its own rather than hold a stop up: each of its steps is idempotent and the
    // lease lapses if the process exits first.
    await waitAtMost(this.running, 5_000);
  }

  /** One pass over every target (what the timer runs; tests call it). */
  async runOnce(): Promise<void> {
    for (const target of this.options.targets) await this.runTarget(target);
  }

  private tick(): void {
    this.running = this.runOnce().finally(() => {
      if (this.stopped) return;
      const seconds = this.options.config?.interval_seconds ?? RETENTION_DEFAULTS.intervalSeconds;
      this.timer = setTimeout(() => this.tick(), seconds * 1000);
      this.timer.unref();
    });
  }

  private async runTarget(target: RetentionTarget): Promise<void> {
    const settings = retentionSettings(this.options.config, target.namespace);
    const metrics = retentionMetrics(this.options.registry, target.namespace);
    const logger = this.options.logger.child({ component: 'retention', namespace: target.namespace });
    const client = createOpenSearchClient(target.cluster, { requestTimeoutMs: 30_000, maxRetries: 0 });
    try {
      if (this.mode === 'auto') {
        const key = `${target.cluster.url} ${target.namespace}`;
        const ism = await hasIsmPlugin(client);
        if (this.ismSeen.get(key) !== ism)
          logger.info(
            ism
              ? 'ISM plugin installed: the ISM policy enforces retention, fortiems does not (retention.mode: always to change that)'
              : `ISM plugin not installed: fortiems enforces retention itself (delete after ${settings.retentionDays} days, every ${this.options.config?.interval_seconds ?? RETENTION_DEFAULTS.intervalSeconds} s)`,
          );
        this.ismSeen.set(key, ism);
        if (ism) {
          metrics.run('skipped-ism');
          return;
        }
      }
      const report = await runRetention(client, settings, {
        events: metrics,
        log: (line) => logger.info(line),
        ...(this.options.now ? { now: this.options.now } : {}),
        holder: this.options.holder ?? defaultHolder(),
      });
      metrics.run(report.outcome);
    } catch (error) {
      // The cluster is down or refused: the next pass tries again; the sinks report the outage themselves.
      metrics.error?.('pass', error);
      logger.warn({ err: error }, 'retention pass failed; trying again at the next interval');
    } finally {
      await client.close();
    }
  }
}
