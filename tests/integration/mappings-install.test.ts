import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hasIsmPlugin, type InstallMappingsResult, installMappings } from '../../ingest/sinks/search/install-mappings.js';
import { CATALOGUE, dataStreamName } from '../../mappings/index.js';
import { buildTemplates, flattenProperties, mergedMappingFor, toIndexDocument } from '../../mappings/opensearch/index.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import { SAMPLE_RECORDS } from '../support/sample-records.js';

describe('fortiems mappings on a real OpenSearch', () => {
  const client = createOpenSearchClient({ url: inject('opensearchUrl') });
  // A namespace of its own, so the data streams of this file never meet another test's.
  const namespace = `it${randomUUID().slice(0, 8)}`;
  const allStreams = `logs-fortiems.*-${namespace}`;
  const logLines: string[] = [];
  let first: InstallMappingsResult;
  let second: InstallMappingsResult;

  const search = async (index: string, query: Record<string, unknown>) => {
    const response = await client.search({ index, body: { query }, size: 20 });
    return response.body.hits.hits.map((hit) => hit._source as Record<string, unknown>);
  };
  const ems = (source: Record<string, unknown> | undefined) => source?.ems as Record<string, unknown> | undefined;

  beforeAll(async () => {
    first = await installMappings(client, { namespace, log: (line) => logLines.push(line) });
    second = await installMappings(client, { namespace, log: (line) => logLines.push(line) });
    const body = CATALOGUE.flatMap((category) => {
      const unknown = category.name === 'ems-client' ? { unknown: { pcdomain: 'corp.example', fgtserial: 'FGT60F0000000001' } } : {};
      const document = toIndexDocument(category.name, SAMPLE_RECORDS[category.name], {
        timestamp: new Date(),
        ingested: new Date(),
        original: `ems line of ${category.name}`,
        namespace,
        ...unknown,
      });
      return [{ create: { _index: dataStreamName(category.name, namespace) } }, document];
    });
    const bulk = await client.bulk({ body });
    const failed = bulk.body.items.filter((item) => item.create?.error);
    expect(failed, JSON.stringify(failed)).toEqual([]);
    await client.indices.refresh({ index: allStreams });
  });

  afterAll(async () => {
    await client.indices.deleteDataStream({ name: allStreams }, { ignore: [404] });
  });

  it('installs the templates and creates the ten data streams, and a second run changes nothing', async () => {
    expect(first.componentTemplates).toHaveLength(14);
    expect(first.indexTemplates).toHaveLength(12);
    expect(first.dataStreams.map((stream) => stream.created)).toEqual(Array(10).fill(true));
    expect(second.dataStreams.map((stream) => stream.created)).toEqual(Array(10).fill(false));
    expect(second.dataStreams.map((stream) => stream.name)).toEqual(first.dataStreams.map((stream) => stream.name));
    expect(second.warnings).toEqual(first.warnings);

    const streams = await client.indices.getDataStream({ name: allStreams });
    expect(streams.body.data_streams.map((stream) => stream.name).sort()).toEqual(
      CATALOGUE.map((category) => dataStreamName(category.name, namespace)).sort(),
    );
    for (const stream of streams.body.data_streams) expect(stream.template).toBe(stream.name.replace(`-${namespace}`, ''));

    const installed = await client.indices.getIndexTemplate({ name: 'logs-fortiems.vpn' });
    const template = installed.body.index_templates[0]?.index_template;
    expect(template?.composed_of).toEqual(buildTemplates().indexTemplates['logs-fortiems.vpn']?.composed_of);
    expect(template?._meta).toMatchObject({ managed_by: 'fortiems', category: 'ems-vpn' });
  });

  it('gives every data stream exactly the generated mapping, aliases included', async () => {
    for (const category of CATALOGUE) {
      const name = dataStreamName(category.name, namespace);
      const response = await client.indices.getMapping({ index: name });
      const [backing] = Object.values(response.body);
      const actual = new Map(
        flattenProperties((backing?.mappings.properties ?? {}) as never).map(([path, mapping]) => [path, mapping.type]),
      );
      const expected = flattenProperties(mergedMappingFor(category.name).properties);
      for (const [path, mapping] of expected) expect(actual.get(path), `${name} ${path}`).toBe(mapping.type);
      expect(actual.size, name).toBe(expected.length);
      expect(String(backing?.mappings.dynamic)).toBe('false');
    }
  });

  it('finds the event of every category by raw field names (aliases) and by ECS names', async () => {
    for (const category of CATALOGUE) {
      const record = SAMPLE_RECORDS[category.name] as Record<string, unknown>;
      const index = dataStreamName(category.name, namespace);
      const byRaw = await search(index, {
        bool: {
          filter: [
            { term: { type: 'event' } },
            { term: { subtype: record.subtype } },
            { term: { msg: record.msg } },
            { term: { emsserial: 'FCTEMS8822001975' } },
            { term: { dtime: record.dtime } },
          ],
        },
      });
      expect(byRaw, `${category.name} by raw names`).toHaveLength(1);
      expect(ems(byRaw[0])?.msg).toBe(record.msg);

      const byEcs = await search(allStreams, {
        bool: {
          filter: [
            { term: { 'event.dataset': category.dataset } },
            { term: { 'observer.serial_number': 'FCTEMS8822001975' } },
            { term: { 'data_stream.namespace': namespace } },
            { exists: { field: 'event.action' } },
          ],
        },
      });
      expect(byEcs, `${category.name} by ECS names`).toHaveLength(1);
      expect(ems(byEcs[0])?.subtype).toBe(record.subtype);
    }
  });

  it('searches typed raw and ECS fields: keyword, ip ranges, numbers, the ems-only names', async () => {
    const endpointCategories = CATALOGUE.filter((category) => 'hostname' in SAMPLE_RECORDS[category.name]).map((c) => c.name);
    const byHostname = await search(allStreams, { term: { hostname: 'PC-FIN-0042' } });
    const byHostHostname = await search(allStreams, { term: { 'host.hostname': 'PC-FIN-0042' } });
    expect(byHostname).toHaveLength(endpointCategories.length);
    expect(byHostHostname).toHaveLength(endpointCategories.length);

    expect(await search(allStreams, { term: { deviceip: '10.20.30.0/24' } })).toHaveLength(endpointCategories.length);
    expect(await search(allStreams, { term: { 'host.mac': 'A1-B2-C3-4D-38-A6' } })).toHaveLength(endpointCategories.length);
    expect(await search(allStreams, { term: { devicemac: 'a1-b2-c3-4d-38-a6' } })).toHaveLength(endpointCategories.length);

    const vpn = await search(allStreams, {
      bool: { filter: [{ term: { gateway: '203.0.113.0/24' } }, { term: { 'event.outcome': 'failure' } }] },
    });
    expect(vpn.map((source) => ems(source)?.vpnuser)).toEqual(['amartin']);
    expect(await search(allStreams, { term: { 'source.ip': '198.51.100.77' } })).toHaveLength(1);
    expect(await search(allStreams, { term: { 'related.ip': '203.0.113.10' } })).toHaveLength(1);

    const bigSyncs = await search(allStreams, { range: { users: { gte: 1000 } } });
    expect(bigSyncs.map((source) => ems(source)?.domain)).toEqual(['corp.example']);
    expect(await search(allStreams, { range: { taskid: { gt: 2 ** 32 } } })).toHaveLength(1);

    // `user`, `service`, `group` and `server` belong to ECS: the raw values are under ems.*.
    expect(await search(allStreams, { term: { 'ems.user': 'alice.martin' } })).toHaveLength(endpointCategories.length);
    expect(await search(allStreams, { term: { 'user.name': 'alice.martin' } })).toHaveLength(endpointCategories.length);
    expect(await search(allStreams, { term: { 'ems.service': 'fcems_dbop' } })).toHaveLength(1);
    expect(await search(allStreams, { term: { 'service.name': 'fcems_dbop' } })).toHaveLength(1);
    expect(await search(allStreams, { term: { 'event.severity': 2 } })).toHaveLength(1);
  });

  it('keeps unknown keys searchable inside fortiems.extra without creating a field for them', async () => {
    const hits = await search(allStreams, { term: { 'fortiems.extra.pcdomain': 'corp.example' } });
    expect(hits).toHaveLength(1);
    expect(ems(hits[0])?.hostname).toBe('PC-FIN-0042');
    expect(await search(allStreams, { term: { 'fortiems.extra.pcdomain': 'other.example' } })).toHaveLength(0);

    const mapping = await client.indices.getMapping({ index: dataStreamName('ems-client', namespace) });
    const text = JSON.stringify(mapping.body);
    expect(text).not.toContain('pcdomain');
    expect(text).not.toContain('fgtserial');
  });

  it('reports the ISM part as this cluster allows: skipped with a warning when the plugin is missing', async () => {
    if (await hasIsmPlugin(client)) {
      expect(['created', 'updated', 'unchanged']).toContain(first.ism.status);
      expect(second.ism.status).toBe('unchanged');
      return;
    }
    for (const result of [first, second]) {
      expect(result.ism).toMatchObject({ status: 'skipped', policyId: 'fortiems-logs', retentionDays: 30 });
      expect(result.warnings).toEqual([
        expect.stringMatching(/^ISM plugin not installed: no ISM retention policy; a running fortiems enforces retention itself/),
      ]);
    }
    expect(logLines.filter((line) => line.includes('ISM plugin not installed'))).toHaveLength(2);
  });

  it('rejects a plain index where a data stream belongs, with a fix', async () => {
    const otherNamespace = `${namespace}x`;
    const squatter = dataStreamName('ems-error', otherNamespace);
    // What a writer does before the templates exist: an ordinary index under a data stream's name. Our templates
    // refuse plain indices, so a short-lived higher-priority template without data_stream lets us create one.
    await client.indices.putIndexTemplate({ name: `squat-${namespace}`, body: { index_patterns: [squatter], priority: 500 } });
    try {
      await client.indices.create({ index: squatter });
    } finally {
      await client.indices.deleteIndexTemplate({ name: `squat-${namespace}` });
    }
    try {
      await expect(installMappings(client, { namespace: otherNamespace })).rejects.toThrow(/exists as a plain index/);
    } finally {
      await client.indices.delete({ index: squatter }, { ignore: [404] });
      await client.indices.deleteDataStream({ name: `logs-fortiems.*-${otherNamespace}` }, { ignore: [404] });
    }
  });
});
