import type { MetricsRegistry, Series } from './metrics-registry.js';

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

export class ComponentTelemetry {
  private readonly receivedEvents: Series;
  private readonly receivedBytes: Series;
  private readonly sentEventsBy = new Map<string, Series>();
  private readonly sentBytesBy = new Map<string, Series>();
  private readonly deadLetteredSeries: Series;
  private readonly deduplicatedSeries: Series;
  private readonly bufferEventsSeries: Series;
  private readonly bufferBytesSeries: Series;
  private readonly labels: Record<string, string>;

  constructor(
    private readonly registry: MetricsRegistry,
    readonly identity: ComponentIdentity,
  ) {
    this.labels = { component_id: identity.id, component_kind: identity.kind, component_type: identity.type };
    this.receivedEvents = this.metric('receivedEvents').with(this.labels);
    this.receivedBytes = this.metric('receivedBytes').with(this.labels);
    this.deadLetteredSeries = this.metric('deadLettered').with(this.labels);
    this.deduplicatedSeries = this.metric('deduplicated').with(this.labels);
    this.bufferEventsSeries = this.metric('bufferEvents').with(this.labels);
    this.bufferBytesSeries = this.metric('bufferBytes').with(this.labels);
  }

  private metric(key: keyof typeof METRIC_NAMES) {
    const name = METRIC_NAMES[key];
    return key === 'bufferEvents' || key === 'bufferBytes' || key === 'openConnections'
      ? this.registry.gauge(name, HELP[key])
      : this.registry.counter(name, HELP[key]);
  }

  received(events: number, bytes: number): void {
    this.receivedEvents.inc(events);
    this.receivedBytes.inc(bytes);
  }

  sent(events: number, bytes: number, output = 'default'): void {
    let eventsSeries = this.sentEventsBy.get(output);
    let bytesSeries = this.sentBytesBy.get(output);
    if (!eventsSeries || !bytesSeries) {
      eventsSeries = this.metric('sentEvents').with({ ...this.labels, output });
      bytesSeries = this.metric('sentBytes').with({ ...this.labels, output });
      this.sentEventsBy.set(output, eventsSeries);
      this.sentBytesBy.set(output, bytesSeries);
    }
    eventsSeries.inc(events);
    bytesSeries.inc(bytes);
  }

  error(stage: string, errorType: string, count = 1): void {
    this.metric('errors')
      .with({ ...this.labels, stage, error_type: errorType })
      .inc(count);
  }

  discarded(reason: string, count = 1): void {
    this.metric('discarded')
      .with({ ...this.labels, reason })
      .inc(count);
  }

  recovered(count: number): void {
    this.metric('recovered').with(this.labels).inc(count);
  }

  deadLettered(count: number): void {
    this.deadLetteredSeries.inc(count);
  }

  connections(open: number): void {
    this.metric('openConnections').with(this.labels).set(open);
  }

  deduplicated(count: number): void {
    this.deduplicatedSeries.inc(count);
  }

  buffer(events: number, bytes: number): void {
    this.bufferEventsSeries.set(events);
    this.bufferBytesSeries.set(bytes);
  }
}
