import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MemoryBuffer } from '../../ingest/buffers/memory-buffer.js';
import { createSearchSink } from '../../ingest/sinks/search/create-search-sink.js';
import { installMappings } from '../../ingest/sinks/search/install-mappings.js';
import type { Sink } from '../../ingest/sinks/sink.js';
import { CATALOGUE } from '../../mappings/index.js';
import { buildTemplates } from '../../mappings/opensearch/index.js';
import type { ParsedEvent } from '../../parsers/parse-line.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import { METRIC_NAMES } from '../../platform/telemetry/component-telemetry.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import { sampleEvents as baseSampleEvents, until } from '../support/sample-events.js';

const ROUNDS = 20;
const receivedAt = Date.now();

/** Sample events, all received at this file's instant: a replay of the same rounds yields the same ids. */
const sampleEvents = (namespace: string, rounds: number, firstRound = 0) => baseSampleEvents(namespace, rounds, firstRound, receivedAt);

describe('the OpenSearch sink on a real OpenSearch', () => {
  const url = inject('opensearchUrl');
  const client = createOpenSearchClient({ url });
  const suffix = randomUUID().slice(0, 8);
  // Namespaces of their own, so this file's data streams never meet another test's.
  const namespace = `sink${suffix}`;
  const dlqNamespace = `dlq${suffix}`;
  const incompatibleTemplate = `fortiems-it-incompatible-${dlqNamespace}`;
  const deadLetters = `fortiems-dead-letter-${dlqNamespace}`;
  const sinks: Sink[] = [];

  function startSink(ns: string) {
    const registry = new MetricsRegistry();
    const buffer = new MemoryBuffer(100_000_000);
    const sink = createSearchSink(
      'opensearch',
      { type: 'opensearch', url, namespace: ns, concurrency: 2, batch: { max_events: 40, max_bytes: 5_242_880, timeout_ms: 50 } },
      { buffer, registry, retry: { baseDelayMs: 50, maxDelayMs: 1000 } },
    );
    sinks.push(sink);
    const metric = (key: keyof typeof METRIC_NAMES) => registry.get(METRIC_NAMES[key])?.total() ?? 0;
    return { sink, buffer, metric };
  }

  const count = async (index: string, query?: Record<string, unknown>) => {
    await client.indices.refresh({ index });
    const response = await client.count({ index, ...(query ? { body: { query } } : {}) });
    return response.body.count;
  };

  beforeAll(async () => {
    await installMappings(client, { namespace });
    // Before dlq's data streams exist, so its client stream is created from it: the same components, but ems.devid a
    // long, which no EMS devid (FCT…) parses as.
    const base = buildTemplates().indexTemplates['logs-fortiems.client'];
    if (!base) throw new Error('no logs-fortiems.client template');
    await client.indices.putIndexTemplate({
      name: incompatibleTemplate,
      body: {
        ...base,
        index_patterns: [`logs-fortiems.client-${dlqNamespace}`],
        priority: 500,
        template: { mappings: { properties: { ems: { properties: { devid: { type: 'long' } } } } } },
      } as never,
    });
    await installMappings(client, { namespace: dlqNamespace });
  });

  afterAll(async () => {
    await Promise.all(sinks.map((sink) => sink.stop(5000)));
    for (const ns of [namespace, dlqNamespace]) await client.indices.deleteDataStream({ name: `logs-fortiems.*-${ns}` }, { ignore: [404] });
    await client.indices.delete({ index: deadLetters }, { ignore: [404] });
    await client.indices.deleteIndexTemplate({ name: incompatibleTemplate }, { ignore: [404] });
  });

  it('delivers events of every category into their data streams, and the same ids sent again add nothing (deduplicated)', async () => {
    const events = sampleEvents(namespace, ROUNDS);
    const first = startSink(namespace);
    expect(await first.sink.ready()).toBe(true);
    await first.sink.start();
    await first.sink.accept(events);
    await until(() => first.buffer.depth().events === 0, 'the first delivery');
    expect(first.metric('sentEvents')).toBe(events.length);
    expect(first.metric('deadLettered')).toBe(0);
    expect(await count(`logs-fortiems.*-${namespace}`)).toBe(events.length);
    for (const category of CATALOGUE) expect(await count(`logs-${category.dataset}-${namespace}`), category.name).toBe(ROUNDS);

    // The same events (the same ids) accepted again, as a resent request with its Idempotency-Key would be: 409s at the
    // first attempt, nothing new, counted as deduplicated rather than sent.
    const replay = startSink(namespace);
    await replay.sink.start();
    await replay.sink.accept(events);
    await until(() => replay.buffer.depth().events === 0, 'the replay');
    expect(replay.metric('sentEvents')).toBe(0);
    expect(replay.metric('deduplicated')).toBe(events.length);
    expect(replay.metric('deadLettered')).toBe(0);
    expect(await count(`logs-fortiems.*-${namespace}`)).toBe(events.length);

    const sample = events[0] as ParsedEvent;
    const found = await client.search({ index: `logs-fortiems.*-${namespace}`, body: { query: { ids: { values: [idOf(sample)] } } } });
    expect(found.body.hits.hits).toHaveLength(1);
    expect(found.body.hits.hits[0]?._id).toBe(idOf(sample));
  });

  it('dead-letters the category whose mapping refuses its documents while the others keep flowing', async () => {
    const events = sampleEvents(dlqNamespace, 10);
    const refused = events.filter((event) => event.dataset === 'fortiems.client');
    const { sink, buffer, metric } = startSink(dlqNamespace);
    await sink.start();
    await sink.accept(events);
    await until(() => buffer.depth().events === 0, 'every event settled');
    expect(metric('deadLettered')).toBe(refused.length);
    expect(metric('sentEvents')).toBe(events.length - refused.length);
    expect(await count(`logs-fortiems.*-${dlqNamespace}`)).toBe(events.length - refused.length);
    expect(await count(`logs-fortiems.client-${dlqNamespace}`)).toBe(0);

    expect(await count(deadLetters)).toBe(refused.length);
    expect(await count(deadLetters, { term: { 'error.type': 'mapper_parsing_exception' } })).toBe(refused.length);
    expect(await count(deadLetters, { term: { 'fortiems.dead_letter.target_index': `logs-fortiems.client-${dlqNamespace}` } })).toBe(
      refused.length,
    );
    const firstRefused = refused[0] as ParsedEvent;
    const letter = await client.get({ index: deadLetters, id: idOf(firstRefused) });
    const source = letter.body._source as {
      error: { message: string };
      event: { original: string };
      fortiems: { dead_letter: { document: string } };
    };
    expect(source.error.message).toMatch(/ems\.devid/);
    expect(source.event.original).toBe((firstRefused.document.event as { original: string }).original);
    expect(JSON.parse(source.fortiems.dead_letter.document)).toEqual(firstRefused.document);
    const mapping = await client.indices.getMapping({ index: deadLetters });
    expect(String(Object.values(mapping.body)[0]?.mappings.dynamic)).toBe('false');

    // Nothing is stuck behind the poison: later events still flow, and dead letters stay idempotent on a replay.
    const later = sampleEvents(dlqNamespace, 2, 10);
    await sink.accept([...later, ...refused]);
    await until(() => buffer.depth().events === 0, 'the later events');
    expect(await count(`logs-fortiems.*-${dlqNamespace}`)).toBe(events.length - refused.length + later.length - 2);
    expect(await count(deadLetters)).toBe(refused.length + 2);
  });
});

function idOf(event: ParsedEvent): string {
  return (event.document.event as { id: string }).id;
}
