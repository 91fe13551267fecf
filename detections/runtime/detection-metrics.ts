import type { AlertLevel } from '../../mappings/index.js';
import type { CounterMetric, GaugeMetric, MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';

/** The scheduler's metrics; its outputs are sinks and report the component contract's metrics themselves. */
/** The key of the detections' last error in the registry's `lastErrors` (the console's System page shows it). */
export const DETECTIONS_ERROR_KEY = 'detections';

export class DetectionMetrics {
  private readonly runs: CounterMetric;
  private readonly alerts: CounterMetric;
  private readonly duplicates: CounterMetric;
  private readonly ruleErrors: CounterMetric;
  private readonly truncated: CounterMetric;
  private readonly rules: GaugeMetric;
  private readonly rejectedAlerts: CounterMetric;
  private readonly lastRun: GaugeMetric;
  private readonly duration: GaugeMetric;

  constructor(private readonly registry: MetricsRegistry) {
    this.runs = registry.counter('fortiems_detection_runs_total', 'Detection runs, by outcome (ok, error)', ['outcome']);
    this.alerts = registry.counter('fortiems_detection_alerts_total', 'New alerts written to the alerts index, by rule and level', [
      'level',
      'rule_id',
    ]);
    this.duplicates = registry.counter(
      'fortiems_detection_duplicate_alerts_total',
      'Matches not raised again: already_alerted (same id in the index) or suppressed (group alerted within its timespan)',
      ['reason'],
    );
    this.ruleErrors = registry.counter('fortiems_detection_rule_errors_total', 'Rule runs that failed (the other rules went on), by rule', [
      'rule_id',
    ]);
    this.truncated = registry.counter(
      'fortiems_detection_truncated_matches_total',
      'Matches beyond max_alerts_per_run that got no alert in that run, by rule',
      ['rule_id'],
    );
    this.rejectedAlerts = registry.counter(
      'fortiems_detection_rejected_alerts_total',
      'Alerts the alerts index refused for good (a 4xx other than 409/429): logged with the reason, not retried',
    );
    this.rules = registry.gauge('fortiems_detection_rules', 'Detection rules by state: active, skipped, refused (did not compile)', [
      'state',
    ]);
    this.lastRun = registry.gauge('fortiems_detection_last_run_timestamp_seconds', 'When the last successful run ended');
    this.duration = registry.gauge('fortiems_detection_run_duration_seconds', 'How long the last run took');
  }

  ruleStates(active: number, skipped: number, refused: number): void {
    this.rules.set({ state: 'active' }, active);
    this.rules.set({ state: 'skipped' }, skipped);
    this.rules.set({ state: 'refused' }, refused);
  }

  run(outcome: 'ok' | 'error', seconds: number, endedAt: number, error?: unknown): void {
    this.runs.inc({ outcome });
    if (outcome === 'error') this.registry.lastErrors.note(DETECTIONS_ERROR_KEY, 'run', 'run_failed', error);
    this.duration.set(seconds);
    if (outcome === 'ok') this.lastRun.set(endedAt / 1000);
  }

  alert(ruleId: string, level: AlertLevel): void {
    this.alerts.inc({ level, rule_id: ruleId });
  }

  duplicate(reason: 'already_alerted' | 'suppressed', count: number): void {
    if (count > 0) this.duplicates.inc({ reason }, count);
  }

  rejected(count: number): void {
    if (count > 0) this.rejectedAlerts.inc(count);
  }

  ruleError(ruleId: string, error?: unknown): void {
    this.ruleErrors.inc({ rule_id: ruleId });
    this.registry.lastErrors.note(DETECTIONS_ERROR_KEY, `rule ${ruleId}`, 'rule_error', error);
  }

  truncatedMatches(ruleId: string, count: number): void {
    this.truncated.inc({ rule_id: ruleId }, count);
  }
}
