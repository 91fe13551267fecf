import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createEnrichStage } from '../../ingest/enrich/enrich-stage.js';
import { processBatch } from '../../ingest/pipeline/process-stage.js';
import type { RawLine } from '../../ingest/pipeline/raw-line.js';
import { OccurrenceCounter } from '../../ingest/sources/occurrence-counter.js';
import { SyslogStreamSource } from '../../ingest/sources/syslog-stream-source.js';
import { ComponentTelemetry } from '../../ingest/telemetry/component-telemetry.js';
import { MetricsRegistry } from '../../ingest/telemetry/metrics-registry.js';

const FAILED_LOGIN =
  '<132>Dec  1 09:00:00 ems01 ems-authentication: dtime="2026-12-01 09:00:00" type=event subtype=admin level=warning emsserial=FCTEMS8822000123 msg="Admin login failed" user="admin" srcip=203.0.113.7 emshostname="ems01" vd="default"';

describe('repeats of an identical line', () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });

  it('are numbered within the counter window and forgotten beyond it', () => {
    const counter = new OccurrenceCounter(4);
    expect(['a', 'a', 'b', 'a'].map((line) => counter.occurrence(line))).toEqual([0, 1, 0, 2]);
    // Four more distinct lines push every 'a' out of the window.
    for (const line of ['c', 'd', 'e', 'f']) counter.occurrence(line);
    expect(counter.occurrence('a')).toBe(0);
  });

  it('keeps numbering a line that keeps repeating, and remembers at most the window', () => {
    const counter = new OccurrenceCounter(1024);
    const numbers = Array.from({ length: 3000 }, () => counter.occurrence('same line'));
    expect(numbers).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    for (let i = 0; i < 5000; i++) counter.occurrence(`distinct ${i}`);
    expect(counter.size).toBeLessThanOrEqual(1024);
  });

  it('stay distinct events (distinct ids), and the same stream replayed gives the same ids', async () => {
    const telemetry = new ComponentTelemetry(new MetricsRegistry(), { id: 'parse', kind: 'transform', type: 'parse' });
    const enrich = createEnrichStage({ geoip: false });
    const stream = (): RawLine[] => {
      const counter = new OccurrenceCounter();
      return Array.from({ length: 10 }, () => ({
        line: FAILED_LOGIN,
        receivedAt: Date.now(),
        sourceId: 'tcp',
        zone: 'UTC',
        occurrence: counter.occurrence(FAILED_LOGIN),
      }));
    };
    const ids = async () =>
      (await processBatch(stream(), { namespace: 'default', enrich, telemetry })).map(
        (event) => (event.document.event as { id: string }).id,
      );
    const first = await ids();
    expect(new Set(first).size).toBe(10);
    expect(await ids()).toEqual(first);
  });

  it('are numbered per TCP connection', async () => {
    const collected: RawLine[] = [];
    const source = new SyslogStreamSource({
      id: 'tcp',
      host: '127.0.0.1',
      port: 0,
      zone: 'UTC',
      maxMessageBytes: 65_536,
      telemetry: new ComponentTelemetry(new MetricsRegistry(), { id: 'tcp', kind: 'source', type: 'syslog' }),
      sink: (lines) => {
        collected.push(...lines);
        return undefined;
      },
    });
    await source.start();
    stops.push(() => source.stop());
    for (let connection = 0; connection < 2; connection++) {
      const client = connect(source.port, '127.0.0.1');
      await new Promise<void>((resolve) => client.end(`${FAILED_LOGIN}\n${FAILED_LOGIN}\n${FAILED_LOGIN}\n`, () => resolve()));
      await new Promise((resolve) => client.once('close', resolve));
    }
    for (let i = 0; i < 100 && collected.length < 6; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(collected.map((raw) => raw.occurrence ?? 0)).toEqual([0, 1, 2, 0, 1, 2]);
  });
});
