/**
 * The System page's process part (`GET /console/api/system`): every component's counters, gauges, rates and last
 * error, read from the service's own prom-client registry the way a scrape reads it (`MetricsRegistry.values()`), so
 * the page and `/metrics` show the same numbers. Computed here, where the registry, the configuration and the
 * detections are in view; the console gets it as a function and never imports the pipeline.
 */
import type {
  SystemComponent,
  SystemComponentKind,
  SystemCount,
  SystemDetections,
  SystemLastError,
  SystemSnapshot,
} from '../../dashboards/console/system-types.js';
import { DETECTIONS_ERROR_KEY } from '../../detections/runtime/detection-metrics.js';
import { METRIC_NAMES } from '../../platform/telemetry/component-telemetry.js';
import { componentKey, type LastError, type LastErrors } from '../../platform/telemetry/last-errors.js';
import type { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';

type Series = { value: number; labels: Partial<Record<string, string | number>> };
type Values = ReadonlyMap<string, readonly Series[]>;

const KINDS: readonly SystemComponentKind[] = ['source', 'transform', 'sink'];

/**
 * Events per second from counters read at two moments. Each read is kept for a while; a read's rates are against the
 * newest earlier read at least `minIntervalMs` old, so several browsers polling at once (reads a few ms apart) still get
 * rates over a few seconds, not over the gap between two of them. The window is in the answer.
 */
export class RateTracker {
  private samples: { at: number; totals: ReadonlyMap<string, number> }[] = [];

  constructor(private readonly minIntervalMs = 1000) {}

  /** Records `totals` (counter values by key) read at `at`, and returns the rates against an earlier read. */
  read(at: number, totals: ReadonlyMap<string, number>): { windowSeconds: number | null; perSecond: (key: string) => number | null } {
    let base: (typeof this.samples)[number] | undefined;
    for (const sample of this.samples) if (sample.at <= at - this.minIntervalMs) base = sample;
    // Reads older than the base are not needed any more; a burst of reads within a tenth of the interval keeps one.
    if (base) this.samples = this.samples.filter((sample) => sample.at >= (base as { at: number }).at);
    const newest = this.samples.at(-1);
    if (!newest || at - newest.at >= this.minIntervalMs / 10) this.samples.push({ at, totals });
    if (!base) return { windowSeconds: null, perSecond: () => null };
    const seconds = (at - base.at) / 1000;
    const before = base.totals;
    return {
      windowSeconds: seconds,
      perSecond(key) {
        const now = totals.get(key);
        const then = before.get(key);
        // A component that appeared since, or a counter that went back (never, for a counter in one process): no rate.
        if (now === undefined || then === undefined || now < then) return null;
        return (now - then) / seconds;
      },
    };
  }
}

export interface SystemSnapshotOptions {
  registry: MetricsRegistry;
  /** Each configured sink's `buffer.type` (default `disk`). */
  bufferTypes?: () => ReadonlyMap<string, 'disk' | 'memory'>;
  now?: () => number;
  /** The shortest span a rate is computed over (default 1 s). */
  minRateIntervalMs?: number;
}

/** `read()` gives one snapshot; keep one instance per service, so rates have an earlier read to compare with. */
export class SystemSnapshotter {
  private readonly rates: RateTracker;
  private readonly now: () => number;

  constructor(private readonly options: SystemSnapshotOptions) {
    this.rates = new RateTracker(options.minRateIntervalMs ?? 1000);
    this.now = options.now ?? Date.now;
  }

  async read(): Promise<SystemSnapshot> {
    const metrics = await this.options.registry.values();
    const at = this.now();
    const values: Values = new Map(metrics.map((metric) => [metric.name, metric.values as Series[]]));
    return buildSnapshot(values, {
      at,
      rates: this.rates,
      lastErrors: this.options.registry.lastErrors,
      bufferTypes: this.options.bufferTypes?.() ?? new Map(),
    });
  }
}

const text = (value: string | number | undefined) => (value === undefined ? '' : String(value));

function lastError(record: LastError | undefined): SystemLastError | null {
  return record
    ? { message: record.message, stage: record.stage, errorType: record.errorType, at: new Date(record.at).toISOString() }
    : null;
}

/** The snapshot from one read of the registry's series (exported for the tests: a registry with known values). */
export function buildSnapshot(
  values: Values,
  context: { at: number; rates: RateTracker; lastErrors: LastErrors; bufferTypes: ReadonlyMap<string, 'disk' | 'memory'> },
): SystemSnapshot {
  const components = new Map<string, SystemComponent>();
  const component = (labels: Series['labels']): SystemComponent | undefined => {
    const id = text(labels.component_id);
    const kind = text(labels.component_kind) as SystemComponentKind;
    if (!KINDS.includes(kind)) return undefined;
    const key = componentKey(kind, id);
    let found = components.get(key);
    if (!found) {
      found = {
        id,
        kind,
        type: text(labels.component_type),
        receivedEvents: 0,
        receivedBytes: 0,
        sentEvents: 0,
        sentBytes: 0,
        inPerSecond: null,
        outPerSecond: null,
        errors: 0,
        errorsBy: [],
        discarded: 0,
        discardedBy: [],
        deadLettered: 0,
        deduplicated: 0,
        recovered: 0,
        bufferEvents: 0,
        bufferBytes: 0,
        lastError: lastError(context.lastErrors.get(key)),
      };
      if (kind === 'sink' && context.bufferTypes.has(id)) found.bufferType = context.bufferTypes.get(id);
      components.set(key, found);
    }
    return found;
  };
  const each = (name: string, apply: (target: SystemComponent, series: Series) => void) => {
    for (const series of values.get(name) ?? []) {
      const target = component(series.labels);
      if (target) apply(target, series);
    }
  };
  const countBy = (list: SystemCount[], key: string, count: number) => {
    const entry = list.find((item) => item.key === key);
    if (entry) entry.count += count;
    else list.push({ key, count });
  };

  each(METRIC_NAMES.receivedEvents, (target, { value }) => (target.receivedEvents += value));
  each(METRIC_NAMES.receivedBytes, (target, { value }) => (target.receivedBytes += value));
  each(METRIC_NAMES.sentEvents, (target, { value }) => (target.sentEvents += value));
  each(METRIC_NAMES.sentBytes, (target, { value }) => (target.sentBytes += value));
  each(METRIC_NAMES.errors, (target, { value, labels }) => {
    target.errors += value;
    countBy(target.errorsBy, `${text(labels.stage)}/${text(labels.error_type)}`, value);
  });
  each(METRIC_NAMES.discarded, (target, { value, labels }) => {
    target.discarded += value;
    countBy(target.discardedBy, text(labels.reason), value);
  });
  each(METRIC_NAMES.deadLettered, (target, { value }) => (target.deadLettered += value));
  each(METRIC_NAMES.deduplicated, (target, { value }) => (target.deduplicated += value));
  each(METRIC_NAMES.recovered, (target, { value }) => (target.recovered += value));
  each(METRIC_NAMES.bufferEvents, (target, { value }) => (target.bufferEvents += value));
  each(METRIC_NAMES.bufferBytes, (target, { value }) => (target.bufferBytes += value));
  each(METRIC_NAMES.openConnections, (target, { value }) => (target.openConnections = (target.openConnections ?? 0) + value));

  const single = (name: string) => values.get(name)?.[0]?.value;
  const parse = components.get(componentKey('transform', 'parse'));
  if (parse) {
    parse.queueEvents = single('fortiems_pipeline_queue_events') ?? 0;
    parse.queueBytes = single('fortiems_pipeline_queue_bytes') ?? 0;
  }
  for (const { value, labels } of values.get('fortiems_unaccounted_events') ?? []) {
    const sink = components.get(componentKey('sink', text(labels.component_id)));
    if (sink) sink.unaccounted = value;
  }

  const totals = new Map<string, number>();
  for (const [key, found] of components) {
    totals.set(`in ${key}`, found.receivedEvents);
    totals.set(`out ${key}`, found.sentEvents);
  }
  const rates = context.rates.read(context.at, totals);
  for (const [key, found] of components) {
    found.inPerSecond = rates.perSecond(`in ${key}`);
    found.outPerSecond = rates.perSecond(`out ${key}`);
  }
  const order = (a: SystemComponent, b: SystemComponent) => KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind) || a.id.localeCompare(b.id);
  return {
    at: new Date(context.at).toISOString(),
    rateWindowSeconds: rates.windowSeconds,
    components: [...components.values()].sort(order),
    detections: detections(values, context.lastErrors),
  };
}

/** The detection scheduler's metrics, once it has registered them (null in a process without detections). */
function detections(values: Values, lastErrors: LastErrors): SystemDetections | null {
  const runs = values.get('fortiems_detection_runs_total');
  if (!runs) return null;
  const sum = (name: string, label?: string, wanted?: string) =>
    (values.get(name) ?? []).reduce((total, series) => (label && series.labels[label] !== wanted ? total : total + series.value), 0);
  const lastRun = sum('fortiems_detection_last_run_timestamp_seconds');
  return {
    runsOk: sum('fortiems_detection_runs_total', 'outcome', 'ok'),
    runsFailed: sum('fortiems_detection_runs_total', 'outcome', 'error'),
    alerts: sum('fortiems_detection_alerts_total'),
    ruleErrors: sum('fortiems_detection_rule_errors_total'),
    rulesActive: sum('fortiems_detection_rules', 'state', 'active'),
    rulesSkipped: sum('fortiems_detection_rules', 'state', 'skipped'),
    rulesRefused: sum('fortiems_detection_rules', 'state', 'refused'),
    lastRun: lastRun > 0 ? new Date(lastRun * 1000).toISOString() : null,
    lastRunSeconds: sum('fortiems_detection_run_duration_seconds'),
    lastError: lastError(lastErrors.get(DETECTIONS_ERROR_KEY)),
  };
}
