/**
 * The detection scheduler: every `interval` it runs the active rules over the recent window, writes new alerts to
 * the alerts index (deduplicated by deterministic ids and group suppression) and hands them to the outputs (sinks on
 * the shared helper: their own spools, retries and dead letters). Runs never overlap; a slow run delays the next.
 *
 * Windows: plain rules search from where the last successful run ended (minus the lookback for late events, at most
 * `maxCatchUpMs` back), so a cluster outage or a restart leaves no gap; correlations search their own timespan
 * ending now. The last window end is kept in `statePath` across restarts.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Client } from '@opensearch-project/opensearch';
import type { AlertDocument } from '../../mappings/index.js';
import type { Logger } from '../logging/logger.js';
import type { Sink } from '../sinks/sink.js';
import type { MetricsRegistry } from '../telemetry/metrics-registry.js';
import type { Window } from './alert-document.js';
import { AlertStore, AlertWriteError } from './alert-store.js';
import { DetectionMetrics } from './detection-metrics.js';
import type { DetectionRuleSet } from './detection-rules.js';
import { alertEvent } from './outputs/alert-event.js';
import { correlationFindings, plainRuleFindings, type RunContext, type RunFindings } from './rule-runner.js';

export interface DetectionSchedulerOptions {
  /** Owned: closed by `stop()`. */
  readonly client: Client;
  readonly rules: DetectionRuleSet;
  /** Rule files are referenced relative to this folder in alerts. */
  readonly rulesRoot: string;
  readonly namespace: string;
  readonly alertsIndex: string;
  readonly intervalMs: number;
  readonly lookbackMs: number;
  readonly timeField: string;
  readonly maxAlertsPerRun: number;
  /** Started by `start()`, drained by `stop()`. */
  readonly outputs: readonly Sink[];
  readonly registry: MetricsRegistry;
  readonly logger: Logger;
  /** Where the last window end is kept (JSON); none: every start begins at now - interval - lookback. */
  readonly statePath?: string;
  /** How far back a run catches up after a gap (default 24 h). */
  readonly maxCatchUpMs?: number;
  readonly drainTimeoutMs?: number;
  readonly now?: () => number;
}

export interface RunSummary {
  readonly window: Window;
  readonly created: readonly AlertDocument[];
  readonly duplicates: number;
  readonly suppressed: number;
  readonly failures: readonly { ruleId: string; error: string }[];
}

export class DetectionScheduler {
  private readonly store: AlertStore;
  private readonly metrics: DetectionMetrics;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private serial: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private lastWindowEnd: number | undefined;
  private handOffPending = true;
  /** rule id + group key → last_seen of its latest alert (the index answers the same after a restart). */
  private readonly recentlyAlerted = new Map<string, number>();

  constructor(private readonly options: DetectionSchedulerOptions) {
    this.store = new AlertStore(options.client, options.alertsIndex);
    this.metrics = new DetectionMetrics(options.registry);
    this.now = options.now ?? Date.now;
    const { plain, correlations, skipped, refused } = options.rules;
    this.metrics.ruleStates(plain.length + correlations.length, skipped.length, refused.length);
    this.lastWindowEnd = this.readState();
  }

  /** Starts the outputs and, unless `schedule` is false (tests drive `runOnce` themselves), the timer: first run now. */
  async start(options: { schedule?: boolean } = {}): Promise<void> {
    for (const output of this.options.outputs) await output.start();
    for (const refusal of this.options.rules.refused) this.options.logger.warn({ rule: refusal }, 'detection rule refused: not compiled');
    if (options.schedule !== false) this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const run = this.runOnce().catch((error: unknown) => this.options.logger.error({ err: error }, 'detection run failed'));
      this.running = run.finally(() => this.schedule(this.options.intervalMs));
    }, delayMs);
    this.timer.unref?.();
  }

  /** One run, after the one in progress if any: two runs at once would raise the same alerts twice. */
  runOnce(): Promise<RunSummary> {
    const run = this.serial.then(() => this.run());
    this.serial = run.catch(() => undefined);
    return run;
  }

  private async run(): Promise<RunSummary> {
    const started = this.now();
    const window = this.plainWindow(started);
    try {
      if (this.handOffPending) await this.handOver(await this.store.notHanded());
      this.handOffPending = false;
      const context: RunContext = {
        client: this.options.client,
        namespace: this.options.namespace,
        timeField: this.options.timeField,
        maxAlertsPerRun: this.options.maxAlertsPerRun,
        rulesRoot: this.options.rulesRoot,
        now: started,
      };
      const plain = await plainRuleFindings(context, this.options.rules.plain, window);
      const correlated = await correlationFindings(context, this.options.rules.correlations, this.store, this.recentlyAlerted);
      const summary = await this.raise(window, [plain, correlated]);
      this.lastWindowEnd = window.to;
      this.writeState();
      this.metrics.run('ok', (this.now() - started) / 1000, this.now());
      return summary;
    } catch (error) {
      this.metrics.run('error', (this.now() - started) / 1000, this.now());
      throw error;
    }
  }

  private plainWindow(now: number): Window {
    const { intervalMs, lookbackMs } = this.options;
    const earliest = now - (this.options.maxCatchUpMs ?? 86_400_000);
    const from = (this.lastWindowEnd ?? now - intervalMs) - lookbackMs;
    return { from: Math.max(earliest, Math.min(from, now - lookbackMs)), to: now };
  }

  private async raise(window: Window, findings: readonly RunFindings[]): Promise<RunSummary> {
    const alerts = findings.flatMap((finding) => finding.alerts);
    const failures = findings.flatMap((finding) => finding.failures);
    const suppressed = findings.reduce((sum, finding) => sum + finding.suppressed, 0);
    for (const failure of failures) {
      this.metrics.ruleError(failure.ruleId);
      this.options.logger.warn({ rule_id: failure.ruleId, error: failure.error }, 'detection rule failed in this run');
    }
    for (const { ruleId, matched } of findings.flatMap((finding) => finding.truncated)) {
      this.metrics.truncatedMatches(ruleId, matched - this.options.maxAlertsPerRun);
      this.options.logger.warn({ rule_id: ruleId, matched, max: this.options.maxAlertsPerRun }, 'more matches than max_alerts_per_run');
    }
    let outcome: { created: AlertDocument[]; duplicates: number };
    try {
      outcome = await this.store.create(alerts);
    } catch (error) {
      // What was created is handed over; the rest has the same ids next run.
      if (error instanceof AlertWriteError) await this.handOver(error.created);
      throw error;
    }
    for (const alert of outcome.created) {
      this.metrics.alert(alert.rule.id, alert.fortiems.alert.level);
      if (alert.rule.category !== 'query')
        this.recentlyAlerted.set(`${alert.rule.id}\u0000${alert.fortiems.alert.group_key}`, Date.parse(alert.fortiems.alert.last_seen));
    }
    this.metrics.duplicate('already_alerted', outcome.duplicates);
    this.metrics.duplicate('suppressed', suppressed);
    await this.handOver(outcome.created);
    return { window, created: outcome.created, duplicates: outcome.duplicates, suppressed, failures };
  }

  /** Every output takes the alerts into its buffer (durable for disk spools); then the index says so. */
  private async handOver(alerts: readonly AlertDocument[]): Promise<void> {
    if (alerts.length === 0) return;
    if (this.options.outputs.length > 0) {
      const events = alerts.map((alert) =>
        alertEvent({ ...alert, fortiems: { alert: { ...alert.fortiems.alert, handed_to_outputs: true } } }),
      );
      try {
        for (const output of this.options.outputs) await output.accept(events);
      } catch (error) {
        this.handOffPending = true;
        throw error;
      }
    }
    await this.store.markHanded(alerts.map((alert) => alert.event.id));
  }

  private readState(): number | undefined {
    if (!this.options.statePath) return undefined;
    try {
      const state = JSON.parse(readFileSync(this.options.statePath, 'utf8')) as { last_window_end?: unknown };
      return typeof state.last_window_end === 'number' ? state.last_window_end : undefined;
    } catch {
      return undefined;
    }
  }

  private writeState(): void {
    const path = this.options.statePath;
    if (!path || this.lastWindowEnd === undefined) return;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(`${path}.tmp`, JSON.stringify({ last_window_end: this.lastWindowEnd }));
    renameSync(`${path}.tmp`, path);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    const timeout = this.options.drainTimeoutMs ?? 10_000;
    await Promise.all(this.options.outputs.map((output) => output.stop(timeout)));
    await this.options.client.close();
  }
}
