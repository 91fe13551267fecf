import { describe, expect, it } from 'vitest';
import { createEnrichStage } from '../../ingest/enrich/enrich-stage.js';
import { processBatch } from '../../ingest/pipeline/process-stage.js';
import { lineBytes, type RawLine } from '../../ingest/pipeline/raw-line.js';
import { ComponentTelemetry, METRIC_NAMES } from '../../platform/telemetry/component-telemetry.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';

const receivedAt = Date.parse('2026-11-23T10:00:05Z');
const raw = (line: string, extra: Partial<RawLine> = {}): RawLine => ({ line, receivedAt, sourceId: 'syslog_tcp', zone: 'UTC', ...extra });

describe('the parse → enrich stage', () => {
  it('yields exactly one event per line, failures included, with ids, and counts them', async () => {
    const registry = new MetricsRegistry();
    const telemetry = new ComponentTelemetry(registry, { id: 'parse', kind: 'transform', type: 'parse' });
    const lines = [
      raw(
        '<134>Nov 23 10:00:00 ems01 ems-event: dtime="2026-11-23 10:00:00" type=event subtype=system level=notice emsserial=FCTEMS8822000123 msg="EMS started" emshostname="" vd="default"',
      ),
      raw('not a log line at all'),
      raw('50 <13>cut short', { framingError: 'connection closed in the middle of an octet-counted frame' }),
    ];
    const events = await processBatch(lines, lineBytes(lines), {
      namespace: 'default',
      enrich: createEnrichStage({ geoip: false }),
      telemetry,
    });
    expect(events.map((event) => [event.kind, event.dataset])).toEqual([
      ['event', 'fortiems.event'],
      ['pipeline_error', 'fortiems.unparsed'],
      ['pipeline_error', 'fortiems.unparsed'],
    ]);
    expect(events[2]?.document).toMatchObject({ error: { type: 'framing_error' }, event: { original: '50 <13>cut short' } });
    const ids = events.map((event) => (event.document.event as { id?: string }).id);
    expect(ids.every((id) => typeof id === 'string' && /^[\w-]{17,}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(3);
    expect(registry.get(METRIC_NAMES.receivedEvents)?.total()).toBe(3);
    expect(registry.get(METRIC_NAMES.sentEvents)?.total()).toBe(3);
    const characters = lines.reduce((sum, line) => sum + line.line.length, 0);
    expect(registry.get(METRIC_NAMES.receivedBytes)?.total()).toBe(characters);
    expect(registry.get(METRIC_NAMES.errors)?.total({ stage: 'parse' })).toBe(2);
  });
});
