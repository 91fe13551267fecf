import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBuffer } from '../../../ingest/buffers/memory-buffer.js';
import { encodeBulkCreate } from '../../../ingest/sinks/search/bulk-encoding.js';
import { createSearchSink } from '../../../ingest/sinks/search/create-search-sink.js';
import { deadLetterEntry } from '../../../ingest/sinks/search/dead-letter.js';
import { installElasticsearchMappings } from '../../../ingest/sinks/search/install-elasticsearch-mappings.js';
import { elasticsearchTemplates } from '../../../mappings/index.js';
import type { ParsedEvent } from '../../../parsers/parse-line.js';
import { METRIC_NAMES } from '../../../platform/telemetry/component-telemetry.js';
import { MetricsRegistry } from '../../../platform/telemetry/metrics-registry.js';
import type { ElasticsearchNode } from '../../support/elasticsearch-node.js';
import { runDeadLetterCli } from '../../support/run-dead-letter-cli.js';
import { sampleEvents, until } from '../../support/sample-events.js';

/**
 * Issue 19's re-drive acceptance for an elasticsearch sink, on the real Elasticsearch (Maven Central's integ-test-zip,
 * as elasticsearch/sink.ts): a category's mapping broken, its events dead-lettered into the
 * cluster's `fortiems-dead-letter-<ns>`; the template fixed and the stream rolled over; `fortiems dead-letter replay
 * --sink` stores every one exactly once by id through the elasticsearch driver and empties the letters; a second replay
 * does nothing.
 */
/** Re-drive on Elasticsearch, on the node tests/integration/elasticsearch.test.ts starts for this folder. */
export function deadLetterReplayTests(nodeOf: () => ElasticsearchNode): void {
  describe('fortiems dead-letter list|show|replay for an elasticsearch sink on a real Elasticsearch', () => {
    // The node is elasticsearch.test.ts's, shared only with sink.ts, whose namespaces differ from this one.
    const namespace = 'esredrive';
    const brokenTemplate = `fortiems-it-broken-${namespace}`;
    const deadLetters = `fortiems-dead-letter-${namespace}`;
    const clientStream = `logs-fortiems.client-${namespace}`;
    const dir = mkdtempSync(join(tmpdir(), 'fortiems-es-redrive-'));
    const configFile = join(dir, 'fortiems.yaml');
    let node: ElasticsearchNode;
    let client: Client;

    const count = async (index: string, query?: Record<string, unknown>) => {
      await client.indices.refresh({ index });
      return (await client.count({ index, ...(query ? { query } : {}) })).count;
    };

    beforeAll(async () => {
      node = nodeOf();
      client = new Client({ node: node.url, maxRetries: 0 });
      await installElasticsearchMappings(client, { namespace });
      // ems.devid a long for this namespace's client stream: no EMS devid (FCT…) parses as one, so every client event is refused.
      await client.indices.putIndexTemplate({
        name: brokenTemplate,
        ...base(),
        index_patterns: [clientStream],
        priority: 500,
        template: { mappings: { properties: { ems: { properties: { devid: { type: 'long' } } } } } },
      } as never);
      writeFileSync(
        configFile,
        `data_dir: ${JSON.stringify(join(dir, 'data'))}\nsinks:\n` +
          `  es:\n    type: elasticsearch\n    url: ${node.url}\n    namespace: ${namespace}\n`,
      );
    });

    afterAll(async () => {
      await client?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('stores every dead-lettered event exactly once after the mapping is fixed, empties the letters, and a second replay does nothing', async () => {
      const events = sampleEvents(namespace, 12);
      const refused = events.filter((event) => event.dataset === 'fortiems.client');
      expect(refused.length).toBeGreaterThan(0);
      const registry = new MetricsRegistry();
      const buffer = new MemoryBuffer(100_000_000);
      const sink = createSearchSink(
        'es',
        { type: 'elasticsearch', url: node.url, namespace, batch: { max_events: 50, max_bytes: 5_242_880, timeout_ms: 50 } },
        { buffer, registry, retry: { baseDelayMs: 50, maxDelayMs: 500 } },
      );
      await sink.start();
      await sink.accept(events);
      await until(() => buffer.depth().events === 0, 'every event settled');
      await sink.stop(5000);
      expect(registry.get(METRIC_NAMES.deadLettered)?.total()).toBe(refused.length);
      expect(await count(deadLetters)).toBe(refused.length);
      expect(await count(clientStream)).toBe(0);

      // Before the fix a replay is refused again: every letter stays, with its reason, and the exit code says so.
      const early = await runDeadLetterCli(['replay', '--config', configFile, '--sink', 'es', '--dataset', 'fortiems.client']);
      expect(early.code).toBe(1);
      expect(early.out).toMatch(
        new RegExp(`${refused.length} matched, ${refused.length} replayed, 0 stored, ${refused.length} still failing`),
      );
      expect(await count(deadLetters)).toBe(refused.length);
      const again = await client.get<{ fortiems: { dead_letter: { replays: number } } }>({
        index: deadLetters,
        id: idOf(refused[0] as ParsedEvent),
      });
      expect(again._source?.fortiems.dead_letter.replays).toBe(1);

      // Elasticsearch 8 calls the refusal document_parsing_exception (OpenSearch: mapper_parsing_exception). Without
      // --sink the first search sink is taken, this elasticsearch one.
      const listed = await runDeadLetterCli(['list', '--config', configFile]);
      expect(listed.err).toBe('');
      expect(listed.code).toBe(0);
      expect(listed.out).toContain(`${refused.length} dead letters in ${deadLetters} (sink es)`);
      expect(listed.out).toMatch(new RegExp(`${refused.length}\\t"document_parsing_exception"`));
      expect(listed.out).toMatch(new RegExp(`${refused.length}\\t"fortiems.client"`));
      const shown = await runDeadLetterCli(['show', idOf(refused[0] as ParsedEvent), '--config', configFile, '--sink', 'es']);
      expect(shown.code).toBe(0);
      expect(JSON.parse(shown.out)).toMatchObject({
        id: idOf(refused[0] as ParsedEvent),
        reason: 'document_parsing_exception',
        dataset: 'fortiems.client',
        targetIndex: clientStream,
        replays: 1,
      });

      // The fix: the template (in use by the stream, so replaced rather than deleted) as generated, and a new backing
      // index made from it.
      await client.indices.putIndexTemplate({ name: brokenTemplate, ...base(), index_patterns: [clientStream], priority: 500 } as never);
      await client.indices.rollover({ alias: clientStream });

      const replay = await runDeadLetterCli(['replay', '--config', configFile, '--sink', 'es']);
      expect(replay.err).toBe('');
      expect(replay.code).toBe(0);
      expect(replay.out).toContain(
        `${refused.length} matched, ${refused.length} replayed, ${refused.length} stored, 0 still failing, 0 not parsable, ${refused.length} deleted`,
      );
      expect(await count(deadLetters)).toBe(0);
      // Exactly once each, by event id, across the data stream's backing indices.
      expect(await count(clientStream)).toBe(refused.length);
      const ids = refused.map(idOf);
      const byId = await client.search({
        index: clientStream,
        size: 0,
        query: { ids: { values: ids } },
        aggs: { ids: { terms: { field: 'event.id', size: 1000 } } },
      });
      const buckets = (byId.aggregations as { ids: { buckets: { key: string; doc_count: number }[] } }).ids.buckets;
      expect(buckets.map((bucket) => bucket.key).sort()).toEqual([...ids].sort());
      expect(buckets.every((bucket) => bucket.doc_count === 1)).toBe(true);
      // Parsed again, the same event: its original line and reception time.
      const stored = await client.search({ index: clientStream, query: { ids: { values: [ids[0] as string] } } });
      const document = stored.hits.hits[0]?._source as { event: { original: string; ingested: string } };
      const first = (refused[0] as ParsedEvent).document.event as { original: string; ingested: string };
      expect(document.event.original).toBe(first.original);
      expect(document.event.ingested).toBe(first.ingested);

      const second = await runDeadLetterCli(['replay', '--config', configFile, '--sink', 'es']);
      expect(second.code).toBe(0);
      expect(second.out).toContain('0 matched, 0 replayed, 0 stored, 0 still failing, 0 not parsable, 0 deleted');
      expect(await count(clientStream)).toBe(refused.length);
    });

    it('a letter whose event is already stored in an older backing index is deleted, not stored twice', async () => {
      // After the test above the client stream takes client events; round 50 makes ids no other test used.
      const event = sampleEvents(namespace, 1, 50).find((candidate) => candidate.dataset === 'fortiems.client') as ParsedEvent;
      const payload = encodeBulkCreate(event);
      const bulk = await client.bulk({ operations: payload as never, refresh: true });
      expect(bulk.errors).toBe(false);
      await client.indices.rollover({ alias: clientStream });
      const letter = deadLetterEntry(
        { record: { seq: 0, payload, bytes: payload.length }, errorType: 'it_crashed_before_delete', error: 'x', attempts: 1 },
        namespace,
        new Date(),
      );
      await client.bulk({ operations: Buffer.from(letter.payload) as never, refresh: true });

      const replay = await runDeadLetterCli(['replay', '--config', configFile, '--sink', 'es', '--reason', 'it_crashed_before_delete']);
      expect(replay.code).toBe(0);
      expect(replay.out).toContain('1 matched, 1 replayed, 1 stored, 0 still failing, 0 not parsable, 1 deleted');
      expect(await count(clientStream, { ids: { values: [idOf(event)] } })).toBe(1);
      expect(await count(deadLetters, { term: { 'error.type': 'it_crashed_before_delete' } })).toBe(0);
    });
  });

  function base() {
    const template = elasticsearchTemplates().indexTemplates['logs-fortiems.client'];
    if (!template) throw new Error('no logs-fortiems.client template');
    return template;
  }

  function idOf(event: ParsedEvent): string {
    return (event.document.event as { id: string }).id;
  }
}
