import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { installMappings } from '../../ingest/sinks/search/install-mappings.js';
import { categoryByName } from '../../mappings/index.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import {
  countDocuments,
  countsByDataset,
  metricSum,
  parseMetrics,
  sendLines,
  startPipeline,
  waitForCount,
} from '../support/ingest-harness.js';
import { emsCorpus } from '../support/parser-corpus.js';

const run = promisify(execFile);

// The parse workers must lose nothing and keep the accounting exact, with one worker (the default on 2 cores) and with
// several racing (a smaller corpus: the file runs twice).
describe.each([
  { workers: 1, events: 100_000 },
  { workers: 2, events: 40_000 },
])('the pipeline end to end on a real OpenSearch (pipeline.workers: $workers)', ({ workers, events }) => {
  const url = inject('opensearchUrl');
  const client = createOpenSearchClient({ url });
  const namespace = `e2e${randomUUID().slice(0, 8)}`;
  const streams = `logs-fortiems.*-${namespace}`;
  let pipeline: Awaited<ReturnType<typeof startPipeline>>;

  beforeAll(async () => {
    pipeline = await startPipeline({ opensearchUrl: url, namespace, workers });
  });

  afterAll(async () => {
    await pipeline?.stop();
    await client.indices.deleteDataStream({ name: streams }, { ignore: [404] });
  });

  it(`indexes ${events.toLocaleString('en')} EMS events sent over TCP and TLS: every one, once, in its category`, async () => {
    const corpus = await emsCorpus({ seed: 11, count: events, start: Date.now() - 86_400_000 });
    // The corpus has byte-identical lines (same message, same second): each is a received event of its own, so a
    // document of its own.
    const lines = corpus.map((entry) => entry.line);
    const tcp = lines.slice(0, lines.length / 2);
    const tls = lines.slice(lines.length / 2);
    await Promise.all([
      sendLines(`tcp://127.0.0.1:${pipeline.ports.syslog_tcp}?framing=octet`, tcp),
      sendLines(`tls://127.0.0.1:${pipeline.ports.syslog_tls}?insecure=1&framing=octet`, tls),
    ]);
    const count = await waitForCount(client, streams, corpus.length, 180_000);
    expect(count).toBe(corpus.length);

    const expected: Record<string, number> = {};
    for (const entry of corpus) {
      const dataset = categoryByName(entry.source.category)?.dataset as string;
      expected[dataset] = (expected[dataset] ?? 0) + 1;
    }
    expect(Object.keys(expected)).toHaveLength(10);
    expect(await countsByDataset(client, streams)).toEqual(expected);

    // Late duplicates would show as a count above the corpus: give retries a moment to betray themselves.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await countDocuments(client, streams)).toBe(corpus.length);
  }, 300_000);

  it('takes lines from a real syslog sender (logger over TCP with octet counting and over UDP)', async () => {
    const body = (i: number, via: string) =>
      `dtime="2026-12-01 09:00:00" type=event subtype=system level=notice emsserial=FCTEMS8822000123 msg="logger ${via} ${i}" emshostname="ems01" vd="default"`;
    const file = join(pipeline.dataDir, 'logger-lines.txt');
    writeFileSync(file, `${Array.from({ length: 200 }, (_, i) => body(i, 'tcp')).join('\n')}\n`);
    await run('logger', [
      '--tcp',
      '--octet-count',
      '-n',
      '127.0.0.1',
      '-P',
      String(pipeline.ports.syslog_tcp),
      '-t',
      'ems-event',
      '--rfc3164',
      '-f',
      file,
    ]);
    for (let i = 0; i < 20; i++) {
      await run('logger', [
        '--udp',
        '-n',
        '127.0.0.1',
        '-P',
        String(pipeline.ports.syslog_udp),
        '-t',
        'ems-event',
        '--rfc3164',
        body(i, 'udp'),
      ]);
    }
    const index = `logs-fortiems.event-${namespace}`;
    const query = (via: string) => ({ match_phrase: { message: `logger ${via}` } });
    const end = Date.now() + 60_000;
    while (
      Date.now() < end &&
      ((await countDocuments(client, index, query('tcp'))) < 200 || (await countDocuments(client, index, query('udp'))) < 20)
    )
      await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await countDocuments(client, index, query('tcp'))).toBe(200);
    expect(await countDocuments(client, index, query('udp'))).toBe(20);
    const search = await client.search({ index, body: { query: { match_phrase: { message: 'logger tcp 7' } } } });
    const hit = search.body.hits.hits[0]?._source as Record<string, Record<string, unknown>>;
    expect(hit.event?.dataset).toBe('fortiems.event');
    expect(hit.log).toMatchObject({ syslog: { appname: 'ems-event' } });
  });

  it('indexes other hosts’ syslog as fortiems.syslog events, what it cannot parse as pipeline errors, and reconciles', async () => {
    const garbage = ['not syslog at all', '\u0000\u0001binary'];
    const syslog = [
      // A PRI alone makes a syslog message (RFC 3164 §4.3.3): its MSG is whatever follows.
      `<13>${'x'.repeat(300)}`,
      // RFC 5424 §6.5, example 3: structured data, then a BOM-marked MSG.
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] \uFEFFAn application event log entry...',
    ];
    // The node is shared: another checkout's install may have replaced the templates since beforeAll, and the
    // syslog data stream takes its mapping from whatever template is there when its first document arrives.
    await installMappings(client, { namespace });
    await sendLines(`tcp://127.0.0.1:${pipeline.ports.syslog_tcp}?framing=newline`, [...garbage, ...syslog]);
    const unparsed = `logs-fortiems.unparsed-${namespace}`;
    expect(await waitForCount(client, unparsed, 2, 60_000)).toBe(2);
    const generic = `logs-fortiems.syslog-${namespace}`;
    expect(await waitForCount(client, generic, 2, 60_000)).toBe(2);
    // The header is searchable: APP-NAME, MSGID, a structured-data value (inside the one flat_object), the MSG.
    const found = await client.search({
      index: generic,
      body: {
        query: {
          bool: {
            filter: [
              { term: { 'process.name': 'evntslog' } },
              { term: { 'log.syslog.msgid': 'ID47' } },
              { term: { 'log.syslog.structured_data.exampleSDID@32473.eventSource': 'Application' } },
              { match_phrase: { message: 'application event log entry' } },
            ],
          },
        },
      },
    });
    const hits = found.body.hits.hits as { _source: Record<string, Record<string, unknown>> }[];
    expect(hits).toHaveLength(1);
    expect(hits[0]?._source.event).toMatchObject({ kind: 'event', dataset: 'fortiems.syslog' });
    expect(hits[0]?._source.host).toMatchObject({ hostname: 'mymachine.example.com' });
    const mapping = await client.indices.getMapping({ index: generic });
    const properties = (Object.values(mapping.body)[0] as { mappings: { properties: Record<string, unknown> } }).mappings.properties;
    expect(JSON.stringify(properties)).not.toContain('exampleSDID');

    const metrics = parseMetrics(await (await fetch(`${pipeline.service.httpUrl}/metrics`)).text());
    const received = metricSum(metrics, 'fortiems_component_received_events_total', { component_kind: 'source' });
    const sent = metricSum(metrics, 'fortiems_component_sent_events_total', { component_id: 'opensearch' });
    const deadLettered = metricSum(metrics, 'fortiems_component_dead_lettered_events_total', { component_id: 'opensearch' });
    const discarded = metricSum(metrics, 'fortiems_component_discarded_events_total');
    const buffered = metricSum(metrics, 'fortiems_buffer_events', { component_id: 'opensearch' });
    expect(received).toBe(events + 220 + 4);
    expect(received).toBe(sent + deadLettered + discarded + buffered);
    expect(buffered).toBe(0);
    expect(metricSum(metrics, 'fortiems_unaccounted_events')).toBe(0);
    expect(await countDocuments(client, streams)).toBe(sent);
  });
});
