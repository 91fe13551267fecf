import type { Counter, Gauge } from 'prom-client';
import { componentKey } from './last-errors.js';
import type { Labels, Latest, MetricsRegistry, Tally } from './metrics-registry.js';

/** A pre-bound child: the labels are resolved once. */
type CounterSeries = ReturnType<Counter<string>['labels']>;
type GaugeSeries = ReturnType<Gauge<string>['labels']>;

/**
 * The component contract (Vector-style): every source, transform and sink reports the same metrics under the same
 * names, labelled with its id, kind and type. Accounting rests on these: for the whole pipeline,
 * received = sent (indexed) + dead-lettered + discarded (dropped by an explicit policy) + what is still buffered.
 */
export type ComponentKind = 'source' | 'transform' | 'sink';

export interface ComponentIdentity {
  /** The component's name in the configuration, e.g. `syslog_tcp` or `opensearch`. */
  id: string;
  kind: ComponentKind;
  /** The implementation, e.g. `syslog`, `http`, `parse`, `opensearch`. */
  type: string;
}

export const METRIC_NAMES = {
  receivedEvents: 'fortiems_component_received_events_total',
  receivedBytes: 'fortiems_component_received_bytes_total',
  sentEvents: 'fortiems_component_sent_events_total',
  sentBytes: 'fortiems_component_sent_bytes_total',
  errors: 'fortiems_component_errors_total',
  discarded: 'fortiems_component_discarded_events_total',
  deadLettered: 'fortiems_component_dead_lettered_events_total',
  deduplicated: 'fortiems_component_deduplicated_events_total',
  recovered: 'fortiems_component_recovered_events_total',
  bufferEvents: 'fortiems_buffer_events',
  bufferBytes: 'fortiems_buffer_bytes',
  openConnections: 'fortiems_component_open_connections',
} as const;

const HELP: Record<keyof typeof METRIC_NAMES, string> = {
  receivedEvents: 'Events a component accepted from upstream (or the network, for sources).',
  receivedBytes: 'Bytes a component accepted (wire bytes for sources).',
  sentEvents: 'Events a component handed on (for sinks: confirmed by the target).',
  sentBytes: 'Bytes a component handed on (for sinks: request bytes confirmed by the target).',
  errors: 'Errors, by stage and error type; an error does not by itself mean an event was lost.',
  discarded: 'Events dropped by an explicit policy, by reason.',
  deadLettered: 'Events a sink could not deliver and wrote to its dead-letter store, with the error.',
  deduplicated:
    'Events a sink did not store because the target already held their id from another sender (a resent request, a replay with --dedupe).',
  recovered: 'Events a sink found at start in its durable buffer, left by a previous run (they count on its received side).',
  bufferEvents: 'Events waiting in a component buffer (memory queue and disk spool).',
  bufferBytes: 'Bytes waiting in a component buffer.',
  openConnections: 'Connections a stream source (TCP, TLS) holds open; beyond its max_connections they are refused.',
};

const IDENTITY = ['component_id', 'component_kind', 'component_type'] as const;

/** Each metric's label names beyond the component's identity. */
const EXTRA_LABELS: Partial<Record<keyof typeof METRIC_NAMES, readonly string[]>> = {
  sentEvents: ['output'],
  sentBytes: ['output'],
  errors: ['error_type', 'stage'],
  discarded: ['reason'],
};

const GAUGES = new Set<keyof typeof METRIC_NAMES>(['bufferEvents', 'bufferBytes', 'openConnections']);

export class ComponentTelemetry {
  // Per-event paths: tallies (plain adds, moved into their pre-bound prom-client children at scrape).
  private readonly receivedEvents: Tally;
  private readonly receivedBytes: Tally;
  private readonly sentEventsBy = new Map<string, Tally>();
  private readonly sentBytesBy = new Map<string, Tally>();
  private readonly errorsBy = new Map<string, Tally>();
  private readonly discardedBy = new Map<string, Tally>();
  private readonly deadLetteredSeries: Tally;
  private readonly deduplicatedSeries: Tally;
  private readonly bufferEventsSeries: Latest;
  private readonly bufferBytesSeries: Latest;
  // Rare events: the pre-bound children themselves.
  private readonly recoveredSeries: CounterSeries;
  private readonly connectionsSeries: GaugeSeries;
  private readonly labels: Labels;

  constructor(
    private readonly registry: MetricsRegistry,
    readonly identity: ComponentIdentity,
  ) {
    this.labels = { component_id: identity.id, component_kind: identity.kind, component_type: identity.type };
    this.receivedEvents = this.tally('receivedEvents', this.labels);
    this.receivedBytes = this.tally('receivedBytes', this.labels);
    this.deadLetteredSeries = this.tally('deadLettered', this.labels);
    this.deduplicatedSeries = this.tally('deduplicated', this.labels);
    this.bufferEventsSeries = registry.latest(this.gauge('bufferEvents').labels(this.labels));
    this.bufferBytesSeries = registry.latest(this.gauge('bufferBytes').labels(this.labels));
    this.buffer(0, 0);
    // These show once they first happen.
    this.recoveredSeries = this.counter('recovered').labels(this.labels);
    this.connectionsSeries = this.gauge('openConnections').labels(this.labels);
  }

  private counter(key: keyof typeof METRIC_NAMES) {
    if (GAUGES.has(key)) throw new Error(`${METRIC_NAMES[key]} is a gauge`);
    return this.registry.counter(METRIC_NAMES[key], HELP[key], [...IDENTITY, ...(EXTRA_LABELS[key] ?? [])]);
  }

  /** A tally over a pre-bound child; the series shows from now on, at 0 until something is counted. */
  private tally(key: keyof typeof METRIC_NAMES, labels: Labels): Tally {
    const child = this.counter(key).labels(labels);
    child.inc(0);
    return this.registry.tally(child);
  }

  private gauge(key: keyof typeof METRIC_NAMES) {
    return this.registry.gauge(METRIC_NAMES[key], HELP[key], IDENTITY);
  }

  received(events: number, bytes: number): void {
    this.receivedEvents.inc(events);
    this.receivedBytes.inc(bytes);
  }

  sent(events: number, bytes: number, output = 'default'): void {
    let eventsSeries = this.sentEventsBy.get(output);
    let bytesSeries = this.sentBytesBy.get(output);
    if (!eventsSeries || !bytesSeries) {
      eventsSeries = this.tally('sentEvents', { ...this.labels, output });
      bytesSeries = this.tally('sentBytes', { ...this.labels, output });
      this.sentEventsBy.set(output, eventsSeries);
      this.sentBytesBy.set(output, bytesSeries);
    }
    eventsSeries.inc(events);
    bytesSeries.inc(bytes);
  }

  /** `detail` (an Error or a text) becomes the component's last error; without it, the stage and type say what. */
  error(stage: string, errorType: string, count = 1, detail?: unknown): void {
    this.registry.lastErrors.note(componentKey(this.identity.kind, this.identity.id), stage, errorType, detail);
    const key = `${stage}\n${errorType}`;
    let tally = this.errorsBy.get(key);
    if (!tally) {
      tally = this.tally('errors', { ...this.labels, error_type: errorType, stage });
      this.errorsBy.set(key, tally);
    }
    tally.inc(count);
  }

  /** Per dropped line under overload, so a tally too. */
  discarded(reason: string, count = 1): void {
    let tally = this.discardedBy.get(reason);
    if (!tally) {
      tally = this.tally('discarded', { ...this.labels, reason });
      this.discardedBy.set(reason, tally);
    }
    tally.inc(count);
  }

  recovered(count: number): void {
    this.recoveredSeries.inc(count);
  }

  deadLettered(count: number): void {
    this.deadLetteredSeries.inc(count);
  }

  connections(open: number): void {
    this.connectionsSeries.set(open);
  }

  deduplicated(count: number): void {
    this.deduplicatedSeries.inc(count);
  }

  buffer(events: number, bytes: number): void {
    this.bufferEventsSeries.set(events);
    this.bufferBytesSeries.set(bytes);
  }
}
