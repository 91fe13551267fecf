import { Counter, collectDefaultMetrics, Gauge, type MetricObjectWithValues, type MetricValue, Registry } from 'prom-client';
import { LastErrors } from './last-errors.js';

/**
 * The service's Prometheus registry: prom-client's `Registry`, one per instance (never prom-client's global one, so
 * tests and services in one process stay apart), with get-or-create for metrics that several components share, a sum
 * over label subsets for the accounting check, and hooks run before each scrape.
 *
 * Hot paths keep a pre-bound child (`metric.labels({...})` once). prom-client's child still hashes and checks its labels
 * on every `inc` (about 0.5 µs, a hundred times a plain add), so the per-event paths go through a `Tally`: a plain
 * number the registry adds into the child before every scrape or read (`tally`, `latest`). Gauges read from elsewhere
 * compute their value at scrape (`collect`). Label objects are written with their names in sorted order: prom-client
 * prints them in that order, as the hand-written registry did.
 */
export type Labels = Readonly<Record<string, string>>;

export type CounterMetric = Counter<string>;
export type GaugeMetric = Gauge<string>;
/** Sets the gauge's series at scrape time; `this` is the gauge. */
export type GaugeCollect = (this: GaugeMetric) => void | Promise<void>;

/** Read access to one metric's series (prom-client keeps them in `hashMap`; its `get()` is asynchronous). */
interface SeriesValues {
  hashMap: Record<string, { value: number; labels: Labels }>;
}

/** A counter's hot-path front: `inc` adds to a number, moved into its prom-client child at the next scrape or read. */
export class Tally {
  private pending = 0;

  constructor(private readonly child: { inc(value: number): void }) {}

  inc(by = 1): void {
    this.pending += by;
  }

  /** Counters only go up: a negative amount (a bug upstream) is dropped rather than failing the scrape. */
  flush(): void {
    if (this.pending > 0) this.child.inc(this.pending);
    this.pending = 0;
  }
}

/** A gauge's hot-path front: `set` keeps the value, given to its prom-client child at the next scrape or read. */
export class Latest {
  private value: number | undefined;

  constructor(private readonly child: { set(value: number): void }) {}

  set(value: number): void {
    this.value = value;
  }

  flush(): void {
    if (this.value === undefined) return;
    this.child.set(this.value);
    this.value = undefined;
  }
}

export interface MetricReader {
  series(): readonly { labels: Labels; value: number }[];
  total(filter?: Labels): number;
}

export interface MetricsRegistryOptions {
  /** The standard process and Node.js metrics (`process_resident_memory_bytes`, `nodejs_eventloop_lag_seconds`, …). */
  processMetrics?: boolean;
}

export class MetricsRegistry {
  readonly prometheus = new Registry();
  /** Each component's last error (message and time), set where its errors are counted; not a metric. */
  readonly lastErrors = new LastErrors();
  private readonly beforeScrape: (() => void)[] = [];
  private readonly fronts: (Tally | Latest)[] = [];

  constructor(options: MetricsRegistryOptions = {}) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.prometheus });
  }

  /** Runs before each scrape, for metrics whose names are known only at run time (the enrichment counters). */
  addCollector(collect: () => void): void {
    this.beforeScrape.push(collect);
  }

  /** A hot-path front for a counter's pre-bound child (`counter.labels({...})`). */
  tally(child: { inc(value: number): void }): Tally {
    const tally = new Tally(child);
    this.fronts.push(tally);
    return tally;
  }

  /** A hot-path front for a gauge's pre-bound child. */
  latest(child: { set(value: number): void }): Latest {
    const latest = new Latest(child);
    this.fronts.push(latest);
    return latest;
  }

  counter(name: string, help: string, labelNames: readonly string[] = []): CounterMetric {
    const existing = this.existing(name, 'counter');
    if (existing) return existing as CounterMetric;
    return new Counter({ name, help, labelNames, registers: [this.prometheus] });
  }

  /** `collect` computes the value at scrape time (`this` is the gauge). */
  gauge(name: string, help: string, labelNames: readonly string[] = [], collect?: GaugeCollect): GaugeMetric {
    const existing = this.existing(name, 'gauge');
    if (existing) return existing as GaugeMetric;
    return new Gauge({ name, help, labelNames, registers: [this.prometheus], ...(collect ? { collect } : {}) });
  }

  /**
   * A metric by name, read synchronously (prom-client's own `get()` is asynchronous): `series()` lists its series,
   * `total(filter)` adds every series whose labels include `filter`. Values set by a `collect` are those of the last scrape.
   */
  get(name: string): MetricReader | undefined {
    const metric = this.prometheus.getSingleMetric(name);
    if (!metric) return undefined;
    const series = () => {
      this.flush();
      return Object.values((metric as unknown as SeriesValues).hashMap);
    };
    return {
      series,
      total(filter: Labels = {}) {
        const wanted = Object.entries(filter);
        let sum = 0;
        for (const { labels, value } of series()) if (wanted.every(([label, v]) => labels[label] === v)) sum += value;
        return sum;
      },
    };
  }

  /** The Prometheus text exposition format (version 0.0.4). */
  async render(): Promise<string> {
    for (const collect of this.beforeScrape) collect();
    this.flush();
    return this.prometheus.metrics();
  }

  /**
   * Every metric's series as prom-client holds them, read exactly as a scrape reads them (the pre-scrape collectors,
   * the hot-path fronts, each gauge's `collect`): what a reader builds from this equals what `/metrics` shows.
   */
  async values(): Promise<MetricObjectWithValues<MetricValue<string>>[]> {
    for (const collect of this.beforeScrape) collect();
    this.flush();
    return this.prometheus.getMetricsAsJSON();
  }

  private flush(): void {
    for (const front of this.fronts) front.flush();
  }

  private existing(name: string, type: 'counter' | 'gauge') {
    const metric = this.prometheus.getSingleMetric(name);
    if (!metric) return undefined;
    const actual = (metric as unknown as { type: string }).type;
    if (actual !== type) throw new Error(`metric '${name}' is already a ${actual}`);
    return metric;
  }
}
