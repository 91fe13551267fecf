import { describe, expect, it } from 'vitest';
import { ComponentTelemetry, METRIC_NAMES } from '../../platform/telemetry/component-telemetry.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';

describe('component telemetry', () => {
  it('reports the same metric names for every component, labelled by id, kind and type', async () => {
    const registry = new MetricsRegistry();
    const source = new ComponentTelemetry(registry, { id: 'syslog_tcp', kind: 'source', type: 'syslog' });
    const sink = new ComponentTelemetry(registry, { id: 'opensearch', kind: 'sink', type: 'opensearch' });
    source.received(3, 900);
    source.received(2, 600);
    sink.sent(4, 2000);
    sink.deadLettered(1);
    sink.error('send', 'http_429', 2);
    source.discarded('udp_receive_buffer_full', 7);
    sink.buffer(12, 4096);
    const text = await registry.render();
    expect(text).toContain('# TYPE fortiems_component_received_events_total counter');
    expect(text).toContain(
      'fortiems_component_received_events_total{component_id="syslog_tcp",component_kind="source",component_type="syslog"} 5',
    );
    expect(text).toContain(
      'fortiems_component_sent_events_total{component_id="opensearch",component_kind="sink",component_type="opensearch",output="default"} 4',
    );
    expect(text).toContain(
      'fortiems_component_errors_total{component_id="opensearch",component_kind="sink",component_type="opensearch",error_type="http_429",stage="send"} 2',
    );
    expect(text).toContain(
      'fortiems_component_discarded_events_total{component_id="syslog_tcp",component_kind="source",component_type="syslog",reason="udp_receive_buffer_full"} 7',
    );
    expect(text).toContain('# TYPE fortiems_buffer_events gauge');
    expect(text).toContain('fortiems_buffer_bytes{component_id="opensearch",component_kind="sink",component_type="opensearch"} 4096');
    expect(registry.get(METRIC_NAMES.receivedEvents)?.total({ component_kind: 'source' })).toBe(5);
  });

  it('keeps each registry apart (never the global one), and reads hot-path counts before they are scraped', async () => {
    const first = new MetricsRegistry();
    const second = new MetricsRegistry();
    const identity = { id: 'syslog_tcp', kind: 'source', type: 'syslog' } as const;
    new ComponentTelemetry(first, identity).received(3, 300);
    const other = new ComponentTelemetry(second, identity);
    other.received(1, 100);
    other.discarded('queue_full', 2);
    expect(first.get(METRIC_NAMES.receivedEvents)?.total()).toBe(3);
    expect(second.get(METRIC_NAMES.receivedEvents)?.total()).toBe(1);
    expect(second.get(METRIC_NAMES.discarded)?.total({ reason: 'queue_full' })).toBe(2);
    expect(await first.render()).not.toContain('reason="queue_full"');
    expect(await first.render()).not.toContain('process_resident_memory_bytes');
    expect(await new MetricsRegistry({ processMetrics: true }).render()).toContain('# TYPE process_resident_memory_bytes gauge');
  });

  it('escapes attacker-controlled label values', async () => {
    const registry = new MetricsRegistry();
    registry.counter('x_total', 'x', ['reason']).labels({ reason: 'a"b\\c\nd' }).inc();
    expect(await registry.render()).toContain('x_total{reason="a\\"b\\\\c\\nd"} 1');
  });

  it('refuses a name reused with another type, and invalid names', () => {
    const registry = new MetricsRegistry();
    registry.counter('y_total', 'y');
    expect(() => registry.gauge('y_total', 'y')).toThrow(/already a counter/);
    expect(() => registry.counter('bad name', 'z')).toThrow(/invalid metric name/i);
  });
});
