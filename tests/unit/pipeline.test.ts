import { describe, expect, it } from 'vitest';
import { createEnrichStage } from '../../ingest/enrich/enrich-stage.js';
import { Pipeline, PipelineStoppedError } from '../../ingest/pipeline/pipeline.js';
import type { RawLine } from '../../ingest/pipeline/raw-line.js';
import type { Sink } from '../../ingest/sinks/sink.js';
import type { ParsedEvent } from '../../parsers/parse-line.js';
import { ComponentTelemetry, METRIC_NAMES } from '../../platform/telemetry/component-telemetry.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';

const raw = (i: number): RawLine => ({
  line: `<134>Nov 23 10:00:00 ems01 ems-event: seq=${i} msg="line ${i}"`,
  receivedAt: Date.parse('2026-11-23T10:00:05Z'),
  sourceId: 'test',
  zone: 'UTC',
});

/** A sink that records what it accepts and can be held (its buffer "full") until released. */
class RecordingSink implements Sink {
  readonly type = 'recording';
  accepted: ParsedEvent[] = [];
  calls = 0;
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;
  stopped = false;
  constructor(readonly id: string) {}
  hold(): void {
    this.gate = new Promise((resolve) => {
      this.open = resolve;
    });
  }
  release(): void {
    this.open?.();
    this.gate = undefined;
  }
  async accept(events: readonly ParsedEvent[]): Promise<void> {
    this.calls++;
    if (this.gate) await this.gate;
    this.accepted.push(...events);
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {
    this.stopped = true;
  }
  async ready(): Promise<boolean> {
    return true;
  }
}

function pipelineWith(sinks: Sink[], queueEvents = 1000) {
  const telemetry = new ComponentTelemetry(new MetricsRegistry(), { id: 'parse', kind: 'transform', type: 'parse' });
  const pipeline = new Pipeline({
    namespace: 'default',
    queueEvents,
    enrich: createEnrichStage({ geoip: false }),
    sinks,
    telemetry,
    batchEvents: 100,
  });
  pipeline.start();
  return pipeline;
}

const seqs = (events: ParsedEvent[]) =>
  events.map((event) => Number(/seq=(\d+)/.exec(String((event.document.event as { original: string }).original))?.[1]));
const until = async (condition: () => boolean) => {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
};

describe('the pipeline', () => {
  it('an enrichment stage that throws costs no event: the batch goes on unenriched, counted as an enrich error', async () => {
    const sink = new RecordingSink('a');
    const registry = new MetricsRegistry();
    const telemetry = new ComponentTelemetry(registry, { id: 'parse', kind: 'transform', type: 'parse' });
    const failing = {
      ...createEnrichStage({ geoip: false }),
      enrichBatch: async () => {
        throw new Error('inventory exploded');
      },
    };
    const pipeline = new Pipeline({ namespace: 'default', queueEvents: 1000, enrich: failing, sinks: [sink], telemetry, batchEvents: 100 });
    pipeline.start();
    for (let i = 0; i < 300; i += 10) pipeline.deliver(Array.from({ length: 10 }, (_, j) => raw(i + j)));
    await pipeline.stop();
    expect(seqs(sink.accepted)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(registry.get(METRIC_NAMES.errors)?.total({ stage: 'enrich' })).toBeGreaterThan(0);
    expect(registry.get(METRIC_NAMES.receivedEvents)?.total({ component_id: 'parse' })).toBe(300);
    expect(registry.get(METRIC_NAMES.sentEvents)?.total({ component_id: 'parse' })).toBe(300);
  });

  it('hands every line, as one event, to every sink', async () => {
    const a = new RecordingSink('a');
    const b = new RecordingSink('b');
    const pipeline = pipelineWith([a, b]);
    for (let i = 0; i < 1000; i += 10) pipeline.deliver(Array.from({ length: 10 }, (_, j) => raw(i + j)));
    await pipeline.stop();
    expect(seqs(a.accepted).sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(seqs(b.accepted).sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(new Set(a.accepted.map((event) => (event.document.event as { id: string }).id)).size).toBe(1000);
  });

  it('resolves a submit only once the sinks accepted its events', async () => {
    const sink = new RecordingSink('a');
    sink.hold();
    const pipeline = pipelineWith([sink]);
    let settled = false;
    const submitted = pipeline.submit([raw(1), raw(2)]).then(() => {
      settled = true;
    });
    await until(() => sink.calls === 1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(settled).toBe(false);
    sink.release();
    await submitted;
    expect(seqs(sink.accepted)).toEqual([1, 2]);
    await pipeline.stop();
  });

  it('pushes back on sources while a sink holds, and loses nothing', async () => {
    const sink = new RecordingSink('a');
    sink.hold();
    const pipeline = pipelineWith([sink], 200);
    const pushedBack: Promise<void>[] = [];
    for (let i = 0; i < 600; i += 50) {
      const wait = pipeline.deliver(Array.from({ length: 50 }, (_, j) => raw(i + j)));
      if (wait) pushedBack.push(wait);
    }
    expect(pipeline.isFull()).toBe(true);
    expect(pushedBack.length).toBeGreaterThan(0);
    sink.release();
    await Promise.all(pushedBack);
    await pipeline.stop();
    expect(seqs(sink.accepted).sort((x, y) => x - y)).toEqual(Array.from({ length: 600 }, (_, i) => i));
  });

  it('swaps sinks without a batch finding none, and refuses submits once stopping', async () => {
    const first = new RecordingSink('a');
    const second = new RecordingSink('a');
    const pipeline = pipelineWith([first]);
    await pipeline.submit([raw(1)]);
    await pipeline.replaceSinks(async (current) => {
      for (const sink of current) await sink.stop(1000);
      return [second];
    });
    await pipeline.submit([raw(2)]);
    expect(first.stopped).toBe(true);
    expect(seqs(first.accepted)).toEqual([1]);
    expect(seqs(second.accepted)).toEqual([2]);
    await pipeline.stop();
    expect(() => pipeline.submit([raw(3)])).toThrow(PipelineStoppedError);
  });

  it('serializes overlapping sink swaps and routes lines that arrive during a swap to the new sinks', async () => {
    const old = new RecordingSink('a');
    const pipeline = pipelineWith([old]);
    const second = new RecordingSink('a');
    const third = new RecordingSink('a');
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const firstSwap = pipeline.replaceSinks(async () => {
      await held;
      return [second];
    });
    const secondSwap = pipeline.replaceSinks(async () => [third]);
    // Arrives while the first swap drains the old sink: it must wait, then go to whatever sinks are current.
    pipeline.deliver([raw(7)]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(old.accepted).toHaveLength(0);
    release();
    await Promise.all([firstSwap, secondSwap]);
    await pipeline.stop();
    expect(seqs([...second.accepted, ...third.accepted])).toEqual([7]);
    expect(pipeline.currentSinks()).toEqual([third]);
  });

  it('counts lines a source delivers after the stop as discarded', async () => {
    const registry = new MetricsRegistry();
    const telemetry = new ComponentTelemetry(registry, { id: 'parse', kind: 'transform', type: 'parse' });
    const pipeline = new Pipeline({
      namespace: 'default',
      queueEvents: 100,
      enrich: undefined,
      sinks: [new RecordingSink('a')],
      telemetry,
    });
    pipeline.start();
    await pipeline.stop();
    expect(pipeline.deliver([raw(1), raw(2)])).toBeUndefined();
    expect(registry.get('fortiems_component_discarded_events_total')?.total({ reason: 'pipeline_stopped' })).toBe(2);
  });

  it('rejects the submit and counts the loss when a sink buffer cannot write', async () => {
    const broken: Sink = {
      id: 'broken',
      type: 'broken',
      accept: async () => {
        throw new Error('disk full');
      },
      start: async () => {},
      stop: async () => {},
      ready: async () => false,
    };
    const registry = new MetricsRegistry();
    const telemetry = new ComponentTelemetry(registry, { id: 'parse', kind: 'transform', type: 'parse' });
    const errors: Error[] = [];
    const pipeline = new Pipeline({
      namespace: 'default',
      queueEvents: 100,
      enrich: undefined,
      sinks: [broken],
      telemetry,
      onError: (e) => errors.push(e),
    });
    pipeline.start();
    await expect(pipeline.submit([raw(1), raw(2)])).rejects.toThrow('disk full');
    expect(registry.get('fortiems_component_errors_total')?.total({ stage: 'route', error_type: 'buffer_write_failed' })).toBe(1);
    expect(errors).toHaveLength(1);
    await pipeline.stop();
  });
});
