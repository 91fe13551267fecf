import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import { countDocuments, metricSum, parseMetrics, sendLines, startPipeline } from '../support/ingest-harness.js';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', '..', 'bin', 'fortiems.js');

/** A failed admin login, byte for byte the same each time: what a brute-force rule counts. */
const failedLogin = (marker: string) =>
  `<132>Dec  1 09:00:00 ems01 ems-authentication: dtime="2026-12-01 09:00:00" type=event subtype=admin level=warning emsserial=FCTEMS8822000123 msg="Admin login failed ${marker}" user="admin" srcip=203.0.113.7 emshostname="ems01" vd="default"`;
const filler = (i: number) =>
  `<134>Dec  1 09:00:00 ems01 ems-event: dtime="2026-12-01 09:00:00" type=event subtype=system level=notice emsserial=FCTEMS8822000123 msg="filler ${i}" emshostname="ems01" vd="default"`;

describe.each([1, 2])('event identity on a real OpenSearch: every received event is one document (pipeline.workers: %i)', (workers) => {
  const url = inject('opensearchUrl');
  const client = createOpenSearchClient({ url });
  const namespace = `ident${randomUUID().slice(0, 8)}`;
  const streams = `logs-fortiems.*-${namespace}`;
  let pipeline: Awaited<ReturnType<typeof startPipeline>>;

  beforeAll(async () => {
    pipeline = await startPipeline({ opensearchUrl: url, namespace, workers });
  });

  afterAll(async () => {
    await pipeline?.stop();
    await client.indices.deleteDataStream({ name: streams }, { ignore: [404] });
  });

  const metrics = async () => parseMetrics(await (await fetch(`${pipeline.service.httpUrl}/metrics`)).text());
  const sink = { component_id: 'opensearch' };
  /** Waits until the sink holds nothing and every received event has a fate. */
  async function atRest(): Promise<Map<string, number>> {
    const end = Date.now() + 60_000;
    for (;;) {
      const values = await metrics();
      const settled =
        metricSum(values, 'fortiems_buffer_events', sink) === 0 &&
        metricSum(values, 'fortiems_pipeline_queue_events') === 0 &&
        metricSum(values, 'fortiems_component_received_events_total', { component_kind: 'source' }) ===
          metricSum(values, 'fortiems_component_sent_events_total', sink) +
            metricSum(values, 'fortiems_component_deduplicated_events_total', sink) +
            metricSum(values, 'fortiems_component_dead_lettered_events_total', sink) +
            metricSum(values, 'fortiems_component_discarded_events_total');
      if (settled || Date.now() > end) return values;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  const byMarker = (marker: string) => countDocuments(client, streams, { match_phrase: { message: `Admin login failed ${marker}` } });

  it('the same line over three TCP connections, three UDP sockets, two HTTP requests, and 1,100 lines apart on one connection', async () => {
    const marker = randomUUID();
    const line = failedLogin(marker);
    for (let i = 0; i < 3; i++) await sendLines(`tcp://127.0.0.1:${pipeline.ports.syslog_tcp}?framing=octet`, [line]);
    for (let i = 0; i < 3; i++) await sendLines(`udp://127.0.0.1:${pipeline.ports.syslog_udp}`, [line]);
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${pipeline.service.httpUrl}/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: JSON.stringify(line),
      });
      expect(await response.json()).toEqual({ accepted: 1 });
    }
    const apart = [line, ...Array.from({ length: 1100 }, (_, i) => filler(i)), line];
    await sendLines(`tcp://127.0.0.1:${pipeline.ports.syslog_tcp}?framing=octet`, apart);

    const values = await atRest();
    expect(await byMarker(marker)).toBe(3 + 3 + 2 + 2);
    const documents = await countDocuments(client, streams);
    expect(documents).toBe(3 + 3 + 2 + 1102);
    expect(metricSum(values, 'fortiems_component_sent_events_total', sink)).toBe(documents);
    expect(metricSum(values, 'fortiems_component_deduplicated_events_total', sink)).toBe(0);
    expect(metricSum(values, 'fortiems_unaccounted_events')).toBe(0);
  }, 120_000);

  it('replay --dedupe of a file twice into HTTP stores it once; the second pass is counted as deduplicated', async () => {
    const marker = randomUUID();
    // Repeats inside the file stay distinct events: the id counts the occurrence.
    const lines = [...Array.from({ length: 300 }, (_, i) => failedLogin(`${marker} ${i % 100}`)), failedLogin(marker)];
    const file = join(pipeline.dataDir, 'dedupe.log');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const before = await atRest();
    const sentBefore = metricSum(before, 'fortiems_component_sent_events_total', sink);
    for (let pass = 0; pass < 2; pass++) {
      const { stderr } = await run(process.execPath, [CLI, 'replay', file, '--to', pipeline.service.httpUrl as string, '--dedupe']);
      expect(stderr).toMatch(/replay: 301 lines/);
      await atRest();
    }
    const values = await atRest();
    expect(await byMarker(marker)).toBe(301);
    expect(metricSum(values, 'fortiems_component_sent_events_total', sink) - sentBefore).toBe(301);
    expect(metricSum(values, 'fortiems_component_deduplicated_events_total', sink)).toBe(301);
    expect(metricSum(values, 'fortiems_unaccounted_events')).toBe(0);
    expect(await countDocuments(client, streams)).toBe(metricSum(values, 'fortiems_component_sent_events_total', sink));
  }, 120_000);
});
