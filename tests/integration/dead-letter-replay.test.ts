import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MemoryBuffer } from '../../ingest/buffers/memory-buffer.js';
import { encodeBulkCreate } from '../../ingest/sinks/search/bulk-encoding.js';
import { createSearchSink } from '../../ingest/sinks/search/create-search-sink.js';
import { deadLetterEntry } from '../../ingest/sinks/search/dead-letter.js';
import { installMappings } from '../../ingest/sinks/search/install-mappings.js';
import { buildTemplates } from '../../mappings/opensearch/index.js';
import type { ParsedEvent } from '../../parsers/parse-line.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import { METRIC_NAMES } from '../../platform/telemetry/component-telemetry.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import { runDeadLetterCli } from '../support/run-dead-letter-cli.js';
import { sampleEvents, until } from '../support/sample-events.js';

/**
 * Issue 19's re-drive acceptance: a category's mapping broken, its events dead-lettered; the mapping fixed (the right
 * template, a rollover to a new backing index); `fortiems dead-letter replay` stores every one exactly once and empties
 * the dead letters; a second replay does nothing.
 */
describe('fortiems dead-letter replay on a real OpenSearch', () => {
  const url = inject('opensearchUrl');
  const client = createOpenSearchClient({ url });
  const namespace = `redrive${randomUUID().slice(0, 8)}`;
  const brokenTemplate = `fortiems-it-broken-${namespace}`;
  const deadLetters = `fortiems-dead-letter-${namespace}`;
  const clientStream = `logs-fortiems.client-${namespace}`;
  const dir = mkdtempSync(join(tmpdir(), 'fortiems-redrive-'));
  const configFile = join(dir, 'fortiems.yaml');

  const count = async (index: string, query?: Record<string, unknown>) => {
    await client.indices.refresh({ index });
    return (await client.count({ index, ...(query ? { body: { query } } : {}) })).body.count;
  };

  beforeAll(async () => {
    // ems.devid a long for this namespace's client stream: no EMS devid (FCT…) parses as one, so every client event is refused.
    await client.indices.putIndexTemplate({
      name: brokenTemplate,
      body: {
        ...base(),
        index_patterns: [clientStream],
        priority: 500,
        template: { mappings: { properties: { ems: { properties: { devid: { type: 'long' } } } } } },
      } as never,
    });
    await installMappings(client, { namespace });
    writeFileSync(
      configFile,
      `data_dir: ${JSON.stringify(join(dir, 'data'))}\nsinks:\n  opensearch:\n    type: opensearch\n    url: ${url}\n    namespace: ${namespace}\n`,
    );
  });

  afterAll(async () => {
    await client.indices.deleteDataStream({ name: `logs-fortiems.*-${namespace}` }, { ignore: [404] });
    await client.indices.delete({ index: deadLetters }, { ignore: [404] });
    await client.indices.deleteIndexTemplate({ name: brokenTemplate }, { ignore: [404] });
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores every dead-lettered event exactly once after the mapping is fixed, empties the letters, and a second replay does nothing', async () => {
    const events = sampleEvents(namespace, 12);
    const refused = events.filter((event) => event.dataset === 'fortiems.client');
    const registry = new MetricsRegistry();
    const buffer = new MemoryBuffer(100_000_000);
    const sink = createSearchSink(
      'opensearch',
      { type: 'opensearch', url, namespace, batch: { max_events: 50, max_bytes: 5_242_880, timeout_ms: 50 } },
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
    const early = await runDeadLetterCli(['replay', '--config', configFile, '--dataset', 'fortiems.client']);
    expect(early.code).toBe(1);
    expect(early.out).toMatch(
      new RegExp(`${refused.length} matched, ${refused.length} replayed, 0 stored, ${refused.length} still failing`),
    );
    expect(await count(deadLetters)).toBe(refused.length);
    const again = await client.get({ index: deadLetters, id: idOf(refused[0] as ParsedEvent) });
    expect((again.body._source as { fortiems: { dead_letter: { replays: number } } }).fortiems.dead_letter.replays).toBe(1);

    const listed = await runDeadLetterCli(['list', '--config', configFile]);
    expect(listed.code).toBe(0);
    expect(listed.out).toContain(`${refused.length} dead letters in ${deadLetters}`);
    expect(listed.out).toMatch(new RegExp(`${refused.length}\\t"mapper_parsing_exception"`));
    expect(listed.out).toMatch(new RegExp(`${refused.length}\\t"fortiems.client"`));

    // The fix: the template (in use by the stream, so replaced rather than deleted) as generated, and a new backing
    // index made from it.
    await client.indices.putIndexTemplate({
      name: brokenTemplate,
      body: { ...base(), index_patterns: [clientStream], priority: 500 } as never,
    });
    await client.indices.rollover({ alias: clientStream });

    const replay = await runDeadLetterCli(['replay', '--config', configFile]);
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
      body: { size: 0, query: { ids: { values: ids } }, aggs: { ids: { terms: { field: 'event.id', size: 1000 } } } } as never,
    });
    const buckets = (byId.body.aggregations as { ids: { buckets: { key: string; doc_count: number }[] } }).ids.buckets;
    expect(buckets.map((bucket) => bucket.key).sort()).toEqual([...ids].sort());
    expect(buckets.every((bucket) => bucket.doc_count === 1)).toBe(true);
    // Parsed again, the same event: its original line and reception time.
    const stored = await client.search({ index: clientStream, body: { query: { ids: { values: [ids[0]] } } } as never });
    const document = stored.body.hits.hits[0]?._source as { event: { original: string; ingested: string } };
    const first = (refused[0] as ParsedEvent).document.event as { original: string; ingested: string };
    expect(document.event.original).toBe(first.original);
    expect(document.event.ingested).toBe(first.ingested);

    const second = await runDeadLetterCli(['replay', '--config', configFile]);
    expect(second.code).toBe(0);
    expect(second.out).toContain('0 matched, 0 replayed, 0 stored, 0 still failing, 0 not parsable, 0 deleted');
    expect(await count(clientStream)).toBe(refused.length);
  });

  it('a letter whose event is already stored in an older backing index (a replay that crashed before its delete, a rollover since) is deleted, not stored twice', async () => {
    // After the test above the client stream takes client events; round 50 makes ids no other test used.
    const event = sampleEvents(namespace, 1, 50).find((candidate) => candidate.dataset === 'fortiems.client') as ParsedEvent;
    const payload = encodeBulkCreate(event);
    const bulk = await client.bulk({ body: payload, refresh: true } as never);
    expect((bulk.body as { errors: boolean }).errors).toBe(false);
    await client.indices.rollover({ alias: clientStream });
    const letter = deadLetterEntry(
      { record: { seq: 0, payload, bytes: payload.length }, errorType: 'it_crashed_before_delete', error: 'x', attempts: 1 },
      namespace,
      new Date(),
    );
    await client.bulk({ body: letter.payload, refresh: true } as never);

    const replay = await runDeadLetterCli(['replay', '--config', configFile, '--reason', 'it_crashed_before_delete']);
    expect(replay.code).toBe(0);
    expect(replay.out).toContain('1 matched, 1 replayed, 1 stored, 0 still failing, 0 not parsable, 1 deleted');
    expect(await count(clientStream, { ids: { values: [idOf(event)] } })).toBe(1);
    expect(await count(deadLetters, { term: { 'error.type': 'it_crashed_before_delete' } })).toBe(0);
  });

  it('leaves a letter it cannot parse again, says why and exits 1', async () => {
    await client.index({
      index: deadLetters,
      id: 'no-line-1',
      refresh: true,
      body: { '@timestamp': new Date().toISOString(), error: { type: 'it_no_line', message: 'x' }, event: { id: 'no-line-1' } },
    });
    const shown = await runDeadLetterCli(['show', 'no-line-1', '--config', configFile]);
    expect(JSON.parse(shown.out)).toMatchObject({ id: 'no-line-1', reason: 'it_no_line' });
    const replay = await runDeadLetterCli(['replay', '--config', configFile, '--reason', 'it_no_line']);
    expect(replay.code).toBe(1);
    expect(replay.out).toContain('1 matched, 0 replayed, 0 stored, 0 still failing, 1 not parsable, 0 deleted');
    expect(replay.err).toContain('no event.original');
    expect(await count(deadLetters, { term: { 'error.type': 'it_no_line' } })).toBe(1);
  });
});

function base() {
  const template = buildTemplates().indexTemplates['logs-fortiems.client'];
  if (!template) throw new Error('no logs-fortiems.client template');
  return template;
}

function idOf(event: ParsedEvent): string {
  return (event.document.event as { id: string }).id;
}
