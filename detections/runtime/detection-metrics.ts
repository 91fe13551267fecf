import type { AlertLevel } from '../../mappings/index.js';
import type { MetricsRegistry, Series } from '../../platform/telemetry/metrics-registry.js';

/** The scheduler's metrics; its outputs are sinks and report the component contract's metrics themselves. */
export class DetectionMetrics {
  private readonly runs;
  private readonly alerts;
  private readonly duplicates;
  private readonly ruleErrors;
  private readonly truncated;
  private readonly rules;
  private readonly rejectedAlerts;
  private readonly lastRun: Series;
  private readonly duration: Series;

  constructor(registry: MetricsRegistry) {
    this.runs = registry.counter('fortiems_detection_runs_total', 'Detection runs, by outcome (ok, error)');
    this.alerts = registry.counter('fortiems_detection_alerts_total', 'New alerts written to the alerts index, by rule and level');
    this.duplicates = registry.counter(
      'fortiems_detection_duplicate_alerts_total',
      'Matches not raised again: already_alerted (same id in the index) or suppressed (group alerted within its timespan)',
    );
    this.ruleErrors = registry.counter('fortiems_detection_rule_errors_total', 'Rule runs that failed (the other rules went on), by rule');
    this.truncated = registry.counter(
      'fortiems_detection_truncated_matches_total',
      'Matches beyond max_alerts_per_run that got no alert in that run, by rule',
    );
    this.rejectedAlerts = registry.counter(
      'fortiems_detection_rejected_alerts_total',
      'Alerts the alerts index refused for good (a 4xx other than 409/429): logged with the reason, not retried',
    );
    this.rules = registry.gauge('fortiems_detection_rules', 'Detection rules by state: active, skipped, refused (did not compile)');
    this.lastRun = registry.gauge('fortiems_detection_last_run_timestamp_seconds', 'When the last successful run ended').with();
    this.duration = registry.gauge('fortiems_detection_run_duration_seconds', 'How long the last run took').with();
  }

  ruleStates(active: number, skipped: number, refused: number): void {
    this.rules.with({ state: 'active' }).set(active);
    this.rules.with({ state: 'skipped' }).set(skipped);
    this.rules.with({ state: 'refused' }).set(refused);
  }

  run(outcome: 'ok' | 'error', seconds: number, endedAt: number): void {
    this.runs.with({ outcome }).inc();
    this.duration.set(seconds);
    if (outcome === 'ok') this.lastRun.set(endedAt / 1000);
  }

  alert(ruleId: string, level: AlertLevel): void {
    this.alerts.with({ rule_id: ruleId, level }).inc();
  }

  duplicate(reason: 'already_alerted' | 'suppressed', count: number): void {
    if (count > 0) this.duplicates.with({ reason }).inc(count);
  }

  rejected(count: number): void {
    if (count > 0) this.rejectedAlerts.with().inc(count);
  }

  ruleError(ruleId: string): void {
    this.ruleErrors.with({ rule_id: ruleId }).inc();
  }

  truncatedMatches(ruleId: string, count: number): void {
    this.truncated.with({ rule_id: ruleId }).inc(count);
  }
}
