/**
 * The detection scheduler: every `interval` it runs the active rules over what arrived since their last run, writes
 * new alerts to the alerts index (deduplicated by deterministic ids and incident suppression) and hands them to the
 * outputs (sinks on the shared helper: their own spools, retries and dead letters). Runs never overlap; a slow run
 * delays the next.
 *
 * Ranges: each rule has a cursor (kept in `statePath` across restarts). A plain rule searches from its cursor minus
 * the lookback (late events) to now; a correlation evaluates every window ending at a matching event in that range.
 * A cursor moves only when its rule ran completely and its alerts are stored, at most `maxCatchUpMs` back: a
 * cluster outage, a failing rule or a restart leaves no gap.
 */
import { readFileSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Client } from '@opensearch-project/opensearch';
import type { Sink } from '../../ingest/sinks/sink.js';
import type { AlertDocument } from '../../mappings/index.js';
import { waitAtMost } from '../../platform/concurrency/wait-at-most.js';
import { makePrivateDirSync, writePrivateFileSync } from '../../platform/fs/private-files.js';
import type { Logger } from '../../platform/logging/logger.js';
import type { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import { isNewTermsRule } from '../sigma/compile.js';
import type { Window } from './alert-document.js';
import { AlertStore, AlertWriteError } from './alert-store.js';
import { DetectionMetrics } from './detection-metrics.js';
import type { DetectionRuleSet } from './detection-rules.js';
import { alertEvent } from './outputs/alert-event.js';
import {
  correlationFindings,
  newTermsFindings,
  plainRuleFindings,
  type RuleCursor,
  type RunContext,
  type RunFindings,
} from './rule-runner.js';

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
  /** Where the rules' cursors are kept (JSON); none: every start begins at now - interval - lookback. */
  readonly statePath?: string;
  /** How far back a run catches up after a gap (default 24 h). */
  readonly maxCatchUpMs?: number;
  /** How long `stop()` waits for a run in progress and for the outputs (default 10 s). */
  readonly drainTimeoutMs?: number;
  readonly now?: () => number;
}

export interface RunSummary {
  readonly created: readonly AlertDocument[];
  readonly duplicates: number;
  readonly suppressed: number;
  readonly rejected: readonly string[];
  readonly failures: readonly { ruleId: string; error: string }[];
}

interface SchedulerState {
  rules?: Record<string, RuleCursor>;
}

export class DetectionScheduler {
  private readonly store: AlertStore;
  private readonly metrics: DetectionMetrics;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private serial: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private readonly cursors: Map<string, RuleCursor>;
  private handOffPending = true;
  /** rule id + group key → last_seen of its latest alert (the index answers the same after a restart). */
  private readonly recentlyAlerted = new Map<string, number>();

  constructor(private readonly options: DetectionSchedulerOptions) {
    this.store = new AlertStore(options.client, options.alertsIndex);
    this.metrics = new DetectionMetrics(options.registry);
    this.now = options.now ?? Date.now;
    const { plain, correlations, skipped, refused } = options.rules;
    this.metrics.ruleStates(plain.length + correlations.length, skipped.length, refused.length);
    this.cursors = new Map(Object.entries(this.readState().rules ?? {}));
  }

  /** Starts the outputs and, unless `schedule` is false (tests drive `runOnce` themselves), the timer: first run now. */
  async start(options: { schedule?: boolean } = {}): Promise<void> {
    for (const output of this.options.outputs) {
      if (this.stopped) return;
      await output.start();
    }
    for (const refusal of this.options.rules.refused) this.options.logger.warn({ rule: refusal }, 'detection rule refused: not compiled');
    if (options.schedule !== false) this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.runOnce()
        .catch((error: unknown) => this.options.logger.error({ err: error }, 'detection run failed; its range is searched again next run'))
        .finally(() => this.schedule(this.options.intervalMs));
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
    try {
      if (this.handOffPending) {
        for await (const page of this.store.notHanded()) await this.handOver(page);
        this.handOffPending = false;
      }
      const context: RunContext = {
        client: this.options.client,
        namespace: this.options.namespace,
        timeField: this.options.timeField,
        maxAlertsPerRun: this.options.maxAlertsPerRun,
        rulesRoot: this.options.rulesRoot,
        now: started,
      };
      const { plain: rules } = this.options.rules;
      const plain = await plainRuleFindings(
        context,
        rules.filter((rule) => !isNewTermsRule(rule)),
        (ruleId) => this.plainRange(ruleId, started),
      );
      // A first-seen rule's range is a correlation's: from its cursor minus the lookback, no search_after.
      const firstSeen = await newTermsFindings(context, rules.filter(isNewTermsRule), (ruleId) => this.correlationRange(ruleId, started));
      const correlated = await correlationFindings(
        context,
        this.options.rules.correlations,
        this.store,
        (ruleId) => this.correlationRange(ruleId, started),
        this.recentlyAlerted,
      );
      const summary = await this.raise([plain, firstSeen, correlated]);
      this.forgetOldIncidents(started);
      this.metrics.run('ok', (this.now() - started) / 1000, this.now());
      return summary;
    } catch (error) {
      this.metrics.run('error', (this.now() - started) / 1000, this.now(), error);
      throw error;
    }
  }

  private earliest(now: number): number {
    return now - (this.options.maxCatchUpMs ?? 86_400_000);
  }

  /** From the rule's cursor (exactly, after a cut; minus the lookback otherwise) to now. */
  private plainRange(ruleId: string, now: number): { window: Window; cursor: RuleCursor | undefined } {
    const cursor = this.cursors.get(ruleId);
    const from = cursor?.after ? cursor.end : (cursor?.end ?? now - this.options.intervalMs) - this.options.lookbackMs;
    const bounded = Math.max(this.earliest(now), Math.min(from, now - this.options.lookbackMs));
    return { window: { from: bounded, to: now }, cursor: cursor?.after && bounded === from ? cursor : undefined };
  }

  /** The range the windows end in: after the rule's cursor minus the lookback (each window reaches a timespan back). */
  private correlationRange(ruleId: string, now: number): Window {
    const from = (this.cursors.get(ruleId)?.end ?? now - this.options.intervalMs) - this.options.lookbackMs;
    return { from: Math.max(this.earliest(now), Math.min(from, now - this.options.lookbackMs)), to: now };
  }

  private async raise(findings: readonly RunFindings[]): Promise<RunSummary> {
    const alerts = findings.flatMap((finding) => finding.alerts);
    const failures = findings.flatMap((finding) => finding.failures);
    const suppressed = findings.reduce((sum, finding) => sum + finding.suppressed, 0);
    for (const failure of failures) {
      this.metrics.ruleError(failure.ruleId, failure.error);
      this.options.logger.warn(
        { rule_id: failure.ruleId, error: failure.error },
        'detection rule failed; its range is searched again next run',
      );
    }
    for (const { ruleId, matched } of findings.flatMap((finding) => finding.truncated)) {
      this.metrics.truncatedMatches(ruleId, matched);
      this.options.logger.warn(
        { rule_id: ruleId, matched, max: this.options.maxAlertsPerRun },
        'more matches than one run takes; the rest come next run',
      );
    }
    let outcome: Awaited<ReturnType<AlertStore['create']>>;
    try {
      outcome = await this.store.create(alerts);
    } catch (error) {
      // What was created is handed over; the rest has the same ids next run (the cursors did not move).
      if (error instanceof AlertWriteError) await this.handOver(error.created);
      throw error;
    }
    for (const reason of outcome.rejected) this.options.logger.error({ reason }, 'the alerts index refused an alert');
    this.metrics.rejected(outcome.rejected.length);
    for (const alert of outcome.created) {
      this.metrics.alert(alert.rule.id, alert.fortiems.alert.level);
      if (alert.rule.category !== 'query') {
        const key = `${alert.rule.id}\u0000${alert.fortiems.alert.group_key}`;
        this.recentlyAlerted.set(key, Math.max(this.recentlyAlerted.get(key) ?? 0, Date.parse(alert.fortiems.alert.last_seen)));
      }
    }
    this.metrics.duplicate('already_alerted', outcome.duplicates);
    this.metrics.duplicate('suppressed', suppressed);
    // Stored: now the rules that ran completely move on.
    for (const finding of findings) for (const [ruleId, cursor] of finding.cursors) this.cursors.set(ruleId, cursor);
    this.writeState();
    await this.handOver(outcome.created);
    return { created: outcome.created, duplicates: outcome.duplicates, suppressed, rejected: outcome.rejected, failures };
  }

  /** Every output takes the alerts into its buffer (durable for disk spools); then the index says so. */
  private async handOver(alerts: readonly AlertDocument[]): Promise<void> {
    if (alerts.length === 0) return;
    try {
      if (this.options.outputs.length > 0) {
        const events = alerts.map((alert) =>
          alertEvent({ ...alert, fortiems: { alert: { ...alert.fortiems.alert, handed_to_outputs: true } } }),
        );
        for (const output of this.options.outputs) await output.accept(events);
      }
      await this.store.markHanded(alerts.map((alert) => alert.event.id));
    } catch (error) {
      this.handOffPending = true;
      throw error;
    }
  }

  /** Suppression memory only needs incidents whose events can still be inside some rule's window. */
  private forgetOldIncidents(now: number): void {
    const longest = Math.max(0, ...this.options.rules.correlations.map((rule) => rule.rule.timespanMs));
    const horizon = now - longest - this.options.lookbackMs - this.options.intervalMs;
    for (const [key, lastSeen] of this.recentlyAlerted) if (lastSeen < horizon) this.recentlyAlerted.delete(key);
  }

  private readState(): SchedulerState {
    if (!this.options.statePath) return {};
    try {
      const state = JSON.parse(readFileSync(this.options.statePath, 'utf8')) as SchedulerState;
      return typeof state === 'object' && state !== null ? state : {};
    } catch {
      return {};
    }
  }

  private writeState(): void {
    const path = this.options.statePath;
    if (!path) return;
    makePrivateDirSync(dirname(path));
    writePrivateFileSync(`${path}.tmp`, JSON.stringify({ rules: Object.fromEntries(this.cursors) } satisfies SchedulerState));
    renameSync(`${path}.tmp`, path);
  }

  /**
   * Bounded: waits for a run in progress at most the drain timeout (a hung cluster or a full output spool must not
   * hold the shutdown), then drains the outputs and closes the client, which ends any request still waiting.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const timeout = this.options.drainTimeoutMs ?? 10_000;
    await waitAtMost(this.serial, timeout);
    // Every output, started or not: stopping one also closes its buffer (and its spool's lock).
    await Promise.all(this.options.outputs.map((output) => output.stop(timeout)));
    await this.options.client.close();
  }
}
