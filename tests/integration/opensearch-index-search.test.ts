import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';

describe('the real OpenSearch from the global setup', () => {
  const client = createOpenSearchClient({ url: inject('opensearchUrl') });
  const index = `fortiems-it-${randomUUID()}`;

  afterAll(async () => {
    await client.indices.delete({ index }, { ignore: [404] });
  });

  it('answers with its version', async () => {
    const info = await client.info();
    expect(info.body.version.distribution).toBe('opensearch');
    expect(info.body.version.number).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('indexes documents and finds them by full text and by keyword', async () => {
    const docs = [
      { hostname: 'pc-finance-01', user: 'alice', msg: 'endpoint registered' },
      { hostname: 'pc-finance-02', user: 'bob', msg: 'endpoint quarantined' },
      { hostname: 'mac-dev-07', user: 'carol', msg: 'endpoint registered' },
    ];
    const body = docs.flatMap((doc, i) => [{ index: { _index: index, _id: String(i) } }, doc]);
    const bulk = await client.bulk({ body, refresh: 'true' });
    expect(bulk.body.errors).toBe(false);

    const registered = await client.search({ index, body: { query: { match: { msg: 'registered' } } } });
    const hosts = registered.body.hits.hits.map((hit) => (hit._source as { hostname: string }).hostname).sort();
    expect(hosts).toEqual(['mac-dev-07', 'pc-finance-01']);

    const bob = await client.search({ index, body: { query: { term: { 'user.keyword': 'bob' } } } });
    expect(bob.body.hits.hits).toHaveLength(1);
    expect(bob.body.hits.hits[0]?._source).toMatchObject({ msg: 'endpoint quarantined' });
  });
});
