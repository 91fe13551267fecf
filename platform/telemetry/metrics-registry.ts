/**
 * A small Prometheus registry: counters and gauges with labels, rendered in the text exposition format.
 * Our own rather than a dependency because the hot path only bumps a number in a Map it already holds
 * (handles are resolved once per label set), and the exposition is all /metrics needs.
 */
export type Labels = Readonly<Record<string, string>>;

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelKey(labels: Labels): string {
  const names = Object.keys(labels).sort();
  return names.map((name) => `${name}="${escapeLabelValue(labels[name] as string)}"`).join(',');
}

/** One time series: bump it from the hot path without any lookup. */
export class Series {
  value = 0;
  constructor(readonly labels: string) {}

  inc(by = 1): void {
    this.value += by;
  }

  set(value: number): void {
    this.value = value;
  }
}

export class Metric {
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly type: 'counter' | 'gauge',
    readonly help: string,
  ) {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`invalid metric name '${name}'`);
  }

  /** The series for these labels, created at first use; keep the handle. */
  with(labels: Labels = {}): Series {
    const key = labelKey(labels);
    let series = this.series.get(key);
    if (!series) {
      series = new Series(key);
      this.series.set(key, series);
    }
    return series;
  }

  /** Sum over every series whose labels include `filter`. */
  total(filter: Labels = {}): number {
    const wanted = Object.entries(filter).map(([name, value]) => `${name}="${escapeLabelValue(value)}"`);
    let sum = 0;
    for (const series of this.series.values()) {
      const parts = series.labels.split(',');
      if (wanted.every((part) => parts.includes(part))) sum += series.value;
    }
    return sum;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    for (const series of this.series.values()) lines.push(`${this.name}${series.labels ? `{${series.labels}}` : ''} ${series.value}`);
    return lines.join('\n');
  }
}

export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();
  private readonly collectors: (() => void)[] = [];

  /** Runs before each render: for gauges read from elsewhere (queue depths, enrichment counters) at scrape time. */
  addCollector(collect: () => void): void {
    this.collectors.push(collect);
  }

  counter(name: string, help: string): Metric {
    return this.define(name, 'counter', help);
  }

  gauge(name: string, help: string): Metric {
    return this.define(name, 'gauge', help);
  }

  get(name: string): Metric | undefined {
    return this.metrics.get(name);
  }

  private define(name: string, type: 'counter' | 'gauge', help: string): Metric {
    const existing = this.metrics.get(name);
    if (existing) {
      if (existing.type !== type) throw new Error(`metric '${name}' is already a ${existing.type}`);
      return existing;
    }
    const metric = new Metric(name, type, help);
    this.metrics.set(name, metric);
    return metric;
  }

  /** The Prometheus text exposition format (version 0.0.4). */
  render(): string {
    for (const collect of this.collectors) collect();
    return `${[...this.metrics.values()].map((metric) => metric.render()).join('\n')}\n`;
  }
}
