import { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBuffer } from '../../../ingest/buffers/memory-buffer.js';
import { createSearchSink } from '../../../ingest/sinks/search/create-search-sink.js';
import { installElasticsearchMappings } from '../../../ingest/sinks/search/install-elasticsearch-mappings.js';
import type { Sink } from '../../../ingest/sinks/sink.js';
import { CATALOGUE, elasticsearchTemplates, ILM_POLICY_ID } from '../../../mappings/index.js';
import type { ParsedEvent } from '../../../parsers/parse-line.js';
import { METRIC_NAMES } from '../../../platform/telemetry/component-telemetry.js';
import { MetricsRegistry } from '../../../platform/telemetry/metrics-registry.js';
import type { ElasticsearchNode } from '../../support/elasticsearch-node.js';
import { sampleEvents as baseSampleEvents, until } from '../../support/sample-events.js';

const ROUNDS = 20;
const receivedAt = Date.now();
// The node is elasticsearch.test.ts's, shared only with dead-letter-replay.ts, whose namespace differs from these.
const NAMESPACE = 'esit';
const DLQ_NAMESPACE = 'esdlq';
const DEAD_LETTERS = `fortiems-dead-letter-${DLQ_NAMESPACE}`;

/** Sample events, all received at this file's instant: a replay of the same rounds yields the same ids. */
const sampleEvents = (namespace: string, rounds: number, firstRound = 0) => baseSampleEvents(namespace, rounds, firstRound, receivedAt);

const idOf = (event: ParsedEvent) => (event.document.event as { id: string }).id;

/** The elasticsearch sink's tests, on the node tests/integration/elasticsearch.test.ts starts for this folder. */
export function sinkTests(nodeOf: () => ElasticsearchNode): void {
  describe('the Elasticsearch sink on a real Elasticsearch', () => {
    let node: ElasticsearchNode;
    let client: Client;
    const sinks: Sink[] = [];
    const installs: Awaited<ReturnType<typeof installElasticsearchMappings>>[] = [];

    function startSink(namespace: string) {
      const registry = new MetricsRegistry();
      const buffer = new MemoryBuffer(100_000_000);
      const sink = createSearchSink(
        'elasticsearch',
        {
          type: 'elasticsearch',
          url: node.url,
          namespace,
          concurrency: 2,
          batch: { max_events: 40, max_bytes: 5_242_880, timeout_ms: 50 },
        },
        {
          buffer,
          registry,
          retry: { baseDelayMs: 50, maxDelayMs: 1000 },
          // What the elasticsearch sink component runs before its first delivery.
          setup: async () => {
            installs.push(await installElasticsearchMappings(client, { namespace }));
          },
        },
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
      node = nodeOf();
      client = new Client({ node: node.url, maxRetries: 0 });
      // A full Elasticsearch turns logs-*-* into data streams with its built-in `logs` template (priority 100) and guesses
      // every field. The integ-test-zip lacks the module that installs it (x-pack-stack), so stand in for it: same
      // pattern, same priority, a data stream, and the parts of its logs@mappings / logs@settings this distribution can
      // express. Our templates (priority 200) must win over it for our data streams.
      if (!(await client.indices.existsIndexTemplate({ name: 'logs' }))) {
        await client.indices.putIndexTemplate({
          name: 'fortiems-it-logs',
          index_patterns: ['logs-*-*'],
          priority: 100,
          data_stream: {},
          template: { settings: { 'index.mapping.ignore_malformed': true }, mappings: { date_detection: false } },
        });
      }
      // Our client template for one stream of the dead-letter namespace, with ems.devid a long, which no EMS devid (FCT…)
      // parses as: the refusal a changed mapping gives a real cluster, as in the OpenSearch sink's test. Its components
      // must exist first.
      await installElasticsearchMappings(client, { namespace: DLQ_NAMESPACE });
      const base = elasticsearchTemplates().indexTemplates['logs-fortiems.client'];
      if (!base) throw new Error('no logs-fortiems.client template');
      await client.indices.putIndexTemplate({
        name: `fortiems-it-incompatible-${DLQ_NAMESPACE}`,
        ...base,
        index_patterns: [`logs-fortiems.client-${DLQ_NAMESPACE}`],
        priority: 500,
        template: { mappings: { properties: { ems: { properties: { devid: { type: 'long' } } } } } },
      } as never);
    });

    afterAll(async () => {
      await Promise.all(sinks.map((sink) => sink.stop(5000)));
      await client?.close();
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
      // Nothing the mapping could not take was dropped into `_ignored` (the stand-in's ignore_malformed does not apply to
      // our streams, and our keyword fields' ignore_above is far above any sample value).
      const ignored = await client.search<unknown, { fields: { buckets: { key: string }[] } }>({
        index: `logs-fortiems.*-${NAMESPACE}`,
        size: 0,
        aggs: { fields: { terms: { field: '_ignored', size: 1000 } } },
      });
      expect(ignored.aggregations?.fields.buckets.map((bucket) => bucket.key)).toEqual([]);

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

    it('installs our typed templates above the built-in logs template: declared types, flattened, lifecycle when there is ILM', async () => {
      const [install] = installs;
      if (!install) throw new Error('the sink ran no setup');
      const templates = elasticsearchTemplates();
      expect(install.indexTemplates.sort()).toEqual(Object.keys(templates.indexTemplates).sort());
      const stored = await client.indices.getIndexTemplate({ name: 'logs-fortiems.client' });
      expect(stored.index_templates[0]?.index_template).toMatchObject({
        index_patterns: ['logs-fortiems.client-*'],
        priority: 200,
        composed_of: ['fortiems@settings', 'fortiems-ecs@mappings', 'fortiems-ems@mappings', 'fortiems-client@mappings'],
      });
      // What Elasticsearch chose for a new stream of ours: our template, not the built-in one.
      const simulated = await client.indices.simulateIndexTemplate({ name: `logs-fortiems.client-${NAMESPACE}` });
      expect(simulated.overlapping?.map((template) => template.name)).toContain('fortiems-it-logs');

      // The stream the sink created: the declared types, where the built-in template would have guessed text + keyword.
      const stream = `logs-fortiems.client-${NAMESPACE}`;
      const fields = await client.indices.getFieldMapping({
        index: stream,
        fields: ['host.ip', 'ems.devid', 'event.severity', 'fortiems.extra', 'event.original', 'hostname'],
      });
      const [backing] = Object.values(fields);
      const typeOf = (field: string) => {
        const mapping = backing?.mappings[field]?.mapping ?? {};
        return Object.values(mapping)[0] as Record<string, unknown> | undefined;
      };
      expect(typeOf('host.ip')).toEqual({ type: 'ip' });
      expect(typeOf('ems.devid')).toEqual({ type: 'keyword', ignore_above: 1024 });
      expect(typeOf('event.severity')).toEqual({ type: 'long' });
      expect(typeOf('fortiems.extra')).toMatchObject({ type: 'flattened' });
      expect(typeOf('event.original')).toMatchObject({ type: 'keyword', index: false, doc_values: false });
      expect(typeOf('hostname')).toEqual({ type: 'alias', path: 'ems.hostname' });
      const mapping = await client.indices.getMapping({ index: stream });
      expect(String(Object.values(mapping)[0]?.mappings.dynamic)).toBe('false');

      // Retention: ILM where the cluster has it (the policy stored, and named by the backing indices), a warning where
      // it has not. The integ-test-zip is core only (no x-pack-ilm module), so it takes the second path.
      const ilm = await client.transport.request({ method: 'GET', path: '/_ilm/status' }, { meta: true, ignore: [400, 404, 405] });
      const settings = await client.indices.getSettings({ index: stream, flat_settings: true });
      const lifecycle = Object.values(settings)[0]?.settings?.['index.lifecycle.name' as never];
      if (ilm.statusCode === 200) {
        expect(install.ilm.status).not.toBe('skipped');
        const policy = await client.ilm.getLifecycle({ name: ILM_POLICY_ID });
        expect(policy[ILM_POLICY_ID]?.policy.phases.delete?.min_age).toBe('30d');
        expect(lifecycle).toBe(ILM_POLICY_ID);
      } else {
        expect(install.ilm).toMatchObject({ status: 'skipped', policyId: ILM_POLICY_ID });
        expect(install.warnings.join('\n')).toMatch(/no index lifecycle management/);
        expect(lifecycle).toBeUndefined();
      }
      // Without the `_data_stream` API the streams are made by their first event, from our template.
      const api = await client.transport.request({ method: 'GET', path: '/_data_stream' }, { meta: true, ignore: [400, 404, 405] });
      expect(install.dataStreams.every((s) => s.created === (api.statusCode === 200 ? true : undefined))).toBe(true);

      // Installing again changes nothing and fails nothing.
      const again = await installElasticsearchMappings(client, { namespace: NAMESPACE });
      expect(again.warnings.filter((w) => !/lifecycle/.test(w))).toEqual([]);
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
}
