import { describe, expect, it } from 'vitest';
import { terminalSafeJson } from '../../app/cli/tap-command.js';
import { Pipeline } from '../../ingest/pipeline/pipeline.js';
import type { RawLine } from '../../ingest/pipeline/raw-line.js';
import { TapHub } from '../../ingest/pipeline/tap-hub.js';
import type { Sink } from '../../ingest/sinks/sink.js';
import type { ParsedEvent } from '../../parsers/parse-line.js';
import { ComponentTelemetry } from '../../platform/telemetry/component-telemetry.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';

const line = (i: number, sourceId = 'tcp'): RawLine => ({
  line: `<134>Dec  1 09:00:00 ems01 ems-event: dtime="2026-12-01 09:00:00" type=event subtype=system level=notice msg="tap ${i}" emshostname="ems01"`,
  receivedAt: Date.parse('2026-12-01T09:00:01Z'),
  sourceId,
  zone: 'UTC',
});

class CollectingSink implements Sink {
  readonly type = 'collect';
  readonly id = 'store';
  accepted: ParsedEvent[] = [];
  async accept(events: readonly ParsedEvent[]): Promise<void> {
    this.accepted.push(...events);
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async ready(): Promise<boolean> {
    return true;
  }
}

function pipelineWith(tap: TapHub, sink: Sink): Pipeline {
  return new Pipeline({
    namespace: 'default',
    queueEvents: 10_000,
    enrich: undefined,
    sinks: [sink],
    tap,
    telemetry: new ComponentTelemetry(new MetricsRegistry(), { id: 'parse', kind: 'transform', type: 'parse' }),
  });
}

async function deliverAll(pipeline: Pipeline, sink: CollectingSink, count: number): Promise<void> {
  pipeline.start();
  await pipeline.deliver(Array.from({ length: count }, (_, i) => line(i)));
  await pipeline.stop();
  expect(sink.accepted).toHaveLength(count);
}

describe('the tap hub', () => {
  it('does no work without subscribers: the pipeline never calls it, and a closed subscription leaves it idle', async () => {
    const tap = new TapHub();
    let calls = 0;
    tap.lines = () => void calls++;
    tap.events = () => void calls++;
    const sink = new CollectingSink();
    await deliverAll(pipelineWith(tap, sink), sink, 50);
    expect(calls).toBe(0);

    const subscription = tap.subscribe('parse', 'transform');
    expect(tap.active).toBe(true);
    subscription.close();
    expect(tap.active).toBe(false);
    expect(tap.subscribers).toBe(0);
  });

  it('keeps at most its capacity, drops and counts the rest, and never holds the pipeline', async () => {
    const dropped = new Map<string, number>();
    const tap = new TapHub((id, count) => dropped.set(id, (dropped.get(id) ?? 0) + count));
    const parse = tap.subscribe('parse', 'transform', { capacity: 10 });
    const source = tap.subscribe('tcp', 'source', { capacity: 5 });
    const sinkTap = tap.subscribe('store', 'sink', { capacity: 3 });
    const sink = new CollectingSink();
    await deliverAll(pipelineWith(tap, sink), sink, 100);

    expect(parse.queued).toBe(10);
    expect(parse.dropped).toBe(90);
    expect(source.dropped).toBe(95);
    expect(sinkTap.dropped).toBe(97);
    expect(Object.fromEntries(dropped)).toEqual({ parse: 90, tcp: 95, store: 97 });
    // The oldest are kept: a tap shows what it could, in order.
    const records = parse.take().map((record) => JSON.parse(record));
    expect(records[0]).toMatchObject({ component_id: 'parse', component_kind: 'transform', event: { message: 'tap 0' } });
    expect(records.map((record) => record.event.message)).toEqual(Array.from({ length: 10 }, (_, i) => `tap ${i}`));
    const raw = JSON.parse(source.take()[0] as string);
    expect(raw).toMatchObject({ component_id: 'tcp', component_kind: 'source', event: { message: line(0).line } });
    expect(typeof raw.event.event_id).toBe('string');
  });

  it('filters in the tap (the forward filter language); a full queue counts drops without evaluating the filter', async () => {
    const tap = new TapHub();
    const only = tap.subscribe('parse', 'transform', { filter: 'message:"tap 7" OR message:"tap 42"' });
    const sink = new CollectingSink();
    await deliverAll(pipelineWith(tap, sink), sink, 100);
    expect(only.take().map((record) => JSON.parse(record).event.message)).toEqual(['tap 7', 'tap 42']);
    expect(only.dropped).toBe(0);
    expect(() => tap.subscribe('parse', 'transform', { filter: 'event.category:' })).toThrow(/syntax error/);
  });

  it('a closed subscription frees its queue, wakes its reader and takes nothing more', async () => {
    const tap = new TapHub();
    const subscription = tap.subscribe('tcp', 'source', { capacity: 100 });
    tap.lines([line(1), line(2), line(3, 'udp')]);
    expect(subscription.queued).toBe(2);
    const waiting = subscription.take();
    expect(waiting).toHaveLength(2);
    const woken = subscription.ready();
    subscription.close();
    await woken;
    expect(subscription.queued).toBe(0);
    tap.lines([line(4)]);
    expect(subscription.queued).toBe(0);
    expect(subscription.room()).toBe(0);
  });

  it('bounds a subscriber in bytes as well as in records', () => {
    const tap = new TapHub();
    const subscription = tap.subscribe('tcp', 'source', { capacity: 1000, capacityBytes: 2000 });
    tap.lines(Array.from({ length: 50 }, (_, i) => line(i)));
    expect(subscription.queued).toBeLessThan(50);
    expect(subscription.dropped).toBe(50 - subscription.queued);
  });
});

describe('fortiems tap output', () => {
  it('prints every record as one JSON line with no raw control characters', () => {
    const hostile = JSON.stringify({ event: { message: 'a\u001b[31mred\u0007\r\n\u009b2J\u2028\u202eevil' } });
    const shown = terminalSafeJson(hostile);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the assertion is precisely that none are left
    expect(shown).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202e]/);
    expect(JSON.parse(shown)).toEqual(JSON.parse(hostile));
    expect(JSON.parse(terminalSafeJson('not json \u001b[2J'))).toEqual({ unparsable: 'not json \u001b[2J' });
  });
});
