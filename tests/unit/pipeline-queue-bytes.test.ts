import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../ingest/pipeline/pipeline.js';
import type { RawLine } from '../../ingest/pipeline/raw-line.js';
import type { Sink } from '../../ingest/sinks/sink.js';
import type { ParsedEvent } from '../../parsers/parse-line.js';
import { ComponentTelemetry } from '../../platform/telemetry/component-telemetry.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';

const LONG = 64 * 1024;
const longLine = (i: number): RawLine => ({
  line: `<134>Nov 23 10:00:00 ems01 ems-event: seq=${i} msg="${'x'.repeat(LONG - 60)}"`,
  receivedAt: Date.parse('2026-11-23T10:00:05Z'),
  sourceId: 'test',
  zone: 'UTC',
});

/** A sink held shut until released, recording the size of each batch it is handed. */
class HeldSink implements Sink {
  readonly type = 'held';
  readonly id = 'held';
  accepted: ParsedEvent[] = [];
  batchSizes: number[] = [];
  private gate: Promise<void>;
  release!: () => void;
  constructor() {
    this.gate = new Promise((resolve) => {
      this.release = resolve;
    });
  }
  async accept(events: readonly ParsedEvent[]): Promise<void> {
    this.batchSizes.push(events.length);
    await this.gate;
    this.accepted.push(...events);
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async ready(): Promise<boolean> {
    return true;
  }
}

describe('the pipeline queue bounded in bytes', () => {
  it('pushes back at its byte bound long before its event bound, parses in byte-capped batches, and loses nothing', async () => {
    const sink = new HeldSink();
    const pipeline = new Pipeline({
      namespace: 'default',
      queueEvents: 20_000,
      queueBytes: 1024 * 1024,
      batchEvents: 1000,
      batchBytes: 256 * 1024,
      enrich: undefined,
      sinks: [sink],
      telemetry: new ComponentTelemetry(new MetricsRegistry(), { id: 'parse', kind: 'transform', type: 'parse' }),
    });
    pipeline.start();
    const total = 200;
    const pushedBack: Promise<void>[] = [];
    let firstPushBack = -1;
    for (let i = 0; i < total; i++) {
      const wait = pipeline.deliver([longLine(i)]);
      if (wait) {
        if (firstPushBack < 0) firstPushBack = i;
        pushedBack.push(wait);
      }
    }
    // The first push that reaches 1 MiB is told to wait: the 20,000-event bound is nowhere near.
    expect(firstPushBack).toBe(Math.ceil((1024 * 1024) / longLine(0).line.length) - 1);
    expect(pipeline.isFull()).toBe(true);
    expect(pipeline.queuedEvents()).toBeLessThan(20_000);
    sink.release();
    await Promise.all(pushedBack);
    await pipeline.stop();
    expect(
      sink.accepted.map((event) => Number(/seq=(\d+)/.exec(String((event.document.event as { original: string }).original))?.[1])),
    ).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(Math.max(...sink.batchSizes)).toBeLessThanOrEqual(4);
    expect(pipeline.queuedBytes()).toBe(0);
  });
});
