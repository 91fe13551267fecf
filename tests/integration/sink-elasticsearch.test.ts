import { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBuffer } from '../../ingest/buffers/memory-buffer.js';
import { createSearchSink } from '../../ingest/sinks/search/create-search-sink.js';
import type { Sink } from '../../ingest/sinks/sink.js';
import { CATALOGUE } from '../../mappings/index.js';
import type { ParsedEvent } from '../../parsers/parse-line.js';
import { METRIC_NAMES } from '../../platform/telemetry/component-telemetry.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import { type ElasticsearchNode, startElasticsearchNode } from '../support/elasticsearch-node.js';
import { sampleEvents as baseSampleEvents, until } from '../support/sample-events.js';

const ROUNDS = 20;
const receivedAt = Date.now();
// The node is this file's alone, so fixed namespaces meet no other test's data streams.
const NAMESPACE = 'esit';
const DLQ_NAMESPACE = 'esdlq';
const DEAD_LETTERS = `fortiems-dead-letter-${DLQ_NAMESPACE}`;

/** Sample events, all received at this file's instant: a replay of the same rounds yields the same ids. */
const sampleEvents = (namespace: string, rounds: number, firstRound = 0) => baseSampleEvents(namespace, rounds, firstRound, receivedAt);

const idOf = (event: ParsedEvent) => (event.document.event as { id: string }).id;

describe('the Elasticsearch sink on a real Elasticsearch', () => {
  let node: ElasticsearchNode;
  let client: Client;
  const sinks: Sink[] = [];

  function startSink(namespace: string) {
    const registry = new MetricsRegistry();
    const buffer = new MemoryBuffer(100_000_000);
    const sink = createSearchSink(
      'elasticsearch',
      { type: 'elasticsearch', url: node.url, namespace, concurrency: 2, batch: { max_events: 40, max_bytes: 5_242_880, timeout_ms: 50 } },
      { buffer, registry, retry: { baseDelayMs: 50, maxDelayMs: 1000 } },
    );
    sinks.push(sink);
    const metric = (key: keyof typeof METRIC_NAMES) => registry.get(METRIC_NAMES[key])?.total() ?? 0;
    return { sink, buffer, metric };
  }

  const count = async (index: string, query?: Record<string, unknown>) => {
    await client.indices.refresh({ index });
    return (await client.count({ index, ...(query ? { query } : {}) })).count;
  };

  /** The data streams (not plain indices) a pattern resolves to; `_resolve/index` is in the server itself. */
  const dataStreams = async (pattern: string) => {
    const resolved = await client.indices.resolveIndex({ name: pattern });
    expect(resolved.indices.map((index) => index.name)).toEqual([]);
    return resolved.data_streams.map((stream) => stream.name).sort();
  };

  beforeAll(async () => {
    node = await startElasticsearchNode({ heap: '512m', log: (line) => console.log(line) });
    client = new Client({ node: node.url, maxRetries: 0 });
    // A full Elasticsearch turns logs-*-* into data streams with its built-in `logs` template (priority 100), which the
    // sink relies on. The integ-test-zip lacks the module that installs it (x-pack-stack), so stand in for it: same
    // pattern, same priority, a data stream, and the parts of its logs@mappings / logs@settings this distribution can
    // express (its constant_keyword, ILM policy and ingest pipeline come from modules the zip does not have either).
    // Against a full distribution the built-in template is used as is.
    if (!(await client.indices.existsIndexTemplate({ name: 'logs' }))) {
      await client.indices.putIndexTemplate({
        name: 'fortiems-it-logs',
        index_patterns: ['logs-*-*'],
        priority: 100,
        data_stream: {},
        template: { settings: { 'index.mapping.ignore_malformed': true }, mappings: { date_detection: false } },
      });
    }
    // Above it for one stream of the dead-letter namespace only: ems.devid a long, which no EMS devid (FCT…) parses as.
    // Templates do not merge, so this stream also loses `ignore_malformed` (with it, the value would be dropped into
    // `_ignored` and the document indexed): the refusal a strict or custom mapping gives a real cluster.
    await client.indices.putIndexTemplate({
      name: `fortiems-it-incompatible-${DLQ_NAMESPACE}`,
      index_patterns: [`logs-fortiems.client-${DLQ_NAMESPACE}`],
      priority: 500,
      data_stream: {},
      template: { mappings: { properties: { ems: { properties: { devid: { type: 'long' } } } } } },
    });
  });

  afterAll(async () => {
    await Promise.all(sinks.map((sink) => sink.stop(5000)));
    await client?.close();
    // Throws when any of the node's processes outlives SIGKILL.
    await node?.stop();
  });

  it('delivers events of every category into their data streams, and the same ids sent again add nothing (deduplicated)', async () => {
    const events = sampleEvents(NAMESPACE, ROUNDS);
    const first = startSink(NAMESPACE);
    // No `ready()` check here, unlike on OpenSearch: the driver pings `HEAD /`, which the integ-test-zip does not serve
    // (its rest-root module is missing; it answers 405).
    await first.sink.start();
    await first.sink.accept(events);
    await until(() => first.buffer.depth().events === 0, 'the first delivery');
    expect(first.metric('sentEvents')).toBe(events.length);
    expect(first.metric('deadLettered')).toBe(0);

    // Every category in its own data stream, created by the template on the first bulk `create`.
    expect(await dataStreams(`logs-fortiems.*-${NAMESPACE}`)).toEqual(CATALOGUE.map((c) => `logs-${c.dataset}-${NAMESPACE}`).sort());
    expect(await count(`logs-fortiems.*-${NAMESPACE}`)).toBe(events.length);
    for (const category of CATALOGUE) expect(await count(`logs-${category.dataset}-${NAMESPACE}`), category.name).toBe(ROUNDS);
    // ignore_malformed would hide a value its stream's mapping cannot take: none was dropped. (`_ignored` also lists
    // the dynamic `.keyword` sub-fields of strings longer than their ignore_above, event.original for one: harmless.)
    const ignored = await client.search<unknown, { fields: { buckets: { key: string }[] } }>({
      index: `logs-fortiems.*-${NAMESPACE}`,
      size: 0,
      aggs: { fields: { terms: { field: '_ignored', size: 1000 } } },
    });
    const dropped = ignored.aggregations?.fields.buckets.map((bucket) => bucket.key).filter((field) => !field.endsWith('.keyword'));
    expect(dropped).toEqual([]);

    // The same events (the same ids) accepted again, as a resent request with its Idempotency-Key would be: 409s at the
    // first attempt, nothing new, counted as deduplicated rather than sent.
    const replay = startSink(NAMESPACE);
    await replay.sink.start();
    await replay.sink.accept(events);
    await until(() => replay.buffer.depth().events === 0, 'the replay');
    expect(replay.metric('sentEvents')).toBe(0);
    expect(replay.metric('deduplicated')).toBe(events.length);
    expect(replay.metric('deadLettered')).toBe(0);
    expect(await count(`logs-fortiems.*-${NAMESPACE}`)).toBe(events.length);

    const sample = events[0] as ParsedEvent;
    const found = await client.search({ index: `logs-fortiems.*-${NAMESPACE}`, query: { ids: { values: [idOf(sample)] } } });
    expect(found.hits.hits).toHaveLength(1);
    expect(found.hits.hits[0]?._id).toBe(idOf(sample));
    expect(found.hits.hits[0]?._index).toMatch(new RegExp(`^\\.ds-logs-${sample.dataset.replace('.', '\\.')}-${NAMESPACE}-`));
  });

  it('dead-letters the category whose mapping refuses its documents while the others keep flowing', async () => {
    const events = sampleEvents(DLQ_NAMESPACE, 10);
    const refused = events.filter((event) => event.dataset === 'fortiems.client');
    const { sink, buffer, metric } = startSink(DLQ_NAMESPACE);
    await sink.start();
    await sink.accept(events);
    await until(() => buffer.depth().events === 0, 'every event settled');
    expect(metric('deadLettered')).toBe(refused.length);
    expect(metric('sentEvents')).toBe(events.length - refused.length);
    expect(await count(`logs-fortiems.*-${DLQ_NAMESPACE}`)).toBe(events.length - refused.length);
    expect(await count(`logs-fortiems.client-${DLQ_NAMESPACE}`)).toBe(0);

    expect(await count(DEAD_LETTERS)).toBe(refused.length);
    // Elasticsearch 8 calls a value its mapping refuses document_parsing_exception (OpenSearch: mapper_parsing_exception).
    expect(await count(DEAD_LETTERS, { term: { 'error.type': 'document_parsing_exception' } })).toBe(refused.length);
    expect(await count(DEAD_LETTERS, { term: { 'fortiems.dead_letter.target_index': `logs-fortiems.client-${DLQ_NAMESPACE}` } })).toBe(
      refused.length,
    );
    const firstRefused = refused[0] as ParsedEvent;
    const letter = await client.get<{
      error: { message: string };
      event: { original: string };
      fortiems: { dead_letter: { document: string; attempts: number } };
    }>({ index: DEAD_LETTERS, id: idOf(firstRefused) });
    const source = letter._source;
    expect(source?.error.message).toMatch(/ems\.devid/);
    expect(source?.event.original).toBe((firstRefused.document.event as { original: string }).original);
    expect(JSON.parse(source?.fortiems.dead_letter.document ?? 'null')).toEqual(firstRefused.document);
    // A plain index with the sink's own mapping, not a data stream or a dynamically mapped guess.
    const resolved = await client.indices.resolveIndex({ name: DEAD_LETTERS });
    expect({ indices: resolved.indices.map((i) => i.name), dataStreams: resolved.data_streams }).toEqual({
      indices: [DEAD_LETTERS],
      dataStreams: [],
    });
    const mapping = await client.indices.getMapping({ index: DEAD_LETTERS });
    expect(String(mapping[DEAD_LETTERS]?.mappings.dynamic)).toBe('false');

    // Nothing is stuck behind the poison: later events still flow, and dead letters stay idempotent on a replay.
    const later = sampleEvents(DLQ_NAMESPACE, 2, 10);
    await sink.accept([...later, ...refused]);
    await until(() => buffer.depth().events === 0, 'the later events');
    expect(await count(`logs-fortiems.*-${DLQ_NAMESPACE}`)).toBe(events.length - refused.length + later.length - 2);
    expect(await count(DEAD_LETTERS)).toBe(refused.length + 2);
  });
});
