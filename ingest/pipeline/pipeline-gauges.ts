import { METRIC_NAMES } from '../../platform/telemetry/component-telemetry.js';
import type { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import type { EnrichStage } from '../enrich/enrich-stage.js';
import type { Pipeline } from './pipeline.js';

/**
 * Gauges read at scrape time: the queue before the parse stage, the enrichment counters, and the accounting check
 * `fortiems_unaccounted_events` — received by the sources minus everything that has an explained fate (indexed,
 * deduplicated, dead-lettered, discarded by a policy, waiting in a queue or a buffer). At rest it is 0; per sink, since
 * each sink receives every event.
 */
export function registerPipelineGauges(
  registry: MetricsRegistry,
  pipeline: () => Pipeline | undefined,
  enrich: () => Pick<EnrichStage, 'metrics'> | undefined,
): void {
  registry.gauge('fortiems_pipeline_queue_events', 'Lines waiting between the sources and the parse stage.', [], function collect() {
    this.set(pipeline()?.queuedEvents() ?? 0);
  });
  registry.gauge(
    'fortiems_pipeline_queue_bytes',
    'Bytes of the lines waiting between the sources and the parse stage (characters).',
    [],
    function collect() {
      this.set(pipeline()?.queuedBytes() ?? 0);
    },
  );
  // The enrichment stage names its counters; each becomes a gauge once the stage exists, read at every scrape.
  const enrichGauges = new Set<string>();
  registry.addCollector(() => {
    for (const name of Object.keys(enrich()?.metrics() ?? {})) {
      if (enrichGauges.has(name)) continue;
      enrichGauges.add(name);
      registry.gauge(`fortiems_${name}`, 'Enrichment stage (inventory cache, GeoIP, event ids).', [], function collect() {
        const value = enrich()?.metrics()[name];
        if (value !== undefined) this.set(value);
      });
    }
  });
  registry.gauge(
    'fortiems_unaccounted_events',
    'Events received by the sources whose fate is not explained by a sink (sent, deduplicated, dead-lettered, discarded, buffered) or a queue; 0 at rest.',
    ['component_id'],
    function collect() {
      const current = pipeline();
      const queued = current?.queuedEvents() ?? 0;
      const total = (name: string, labels: Record<string, string>) => registry.get(name)?.total(labels) ?? 0;
      const sourceReceived = total(METRIC_NAMES.receivedEvents, { component_kind: 'source' });
      const sourceDiscarded = total(METRIC_NAMES.discarded, { component_kind: 'source' });
      const parseDiscarded = total(METRIC_NAMES.discarded, { component_kind: 'transform' });
      const parseReceived = total(METRIC_NAMES.receivedEvents, { component_id: 'parse' });
      const parseSent = total(METRIC_NAMES.sentEvents, { component_id: 'parse' });
      // Lines between the queue and the sinks' buffers: taken by the parse stage, not yet accepted by the sinks.
      // (The transform's own discards, pipeline_stopped, are lines that never reached it.)
      const inParse = Math.max(0, parseReceived - parseSent);
      for (const sink of current?.currentSinks() ?? []) {
        const labels = { component_id: sink.id, component_kind: 'sink' };
        const explained =
          total(METRIC_NAMES.sentEvents, labels) +
          total(METRIC_NAMES.deadLettered, labels) +
          total(METRIC_NAMES.deduplicated, labels) +
          total(METRIC_NAMES.discarded, labels) +
          total(METRIC_NAMES.bufferEvents, labels) -
          total(METRIC_NAMES.recovered, labels);
        const pendingIntoSink = Math.max(0, parseSent - total(METRIC_NAMES.receivedEvents, labels));
        this.set(
          { component_id: sink.id },
          sourceReceived - sourceDiscarded - parseDiscarded - queued - inParse - pendingIntoSink - explained,
        );
      }
    },
  );
}
