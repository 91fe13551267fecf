import { Client } from '@elastic/elasticsearch';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBuffer } from '../../ingest/buffers/memory-buffer.js';
import type { SearchSinkConfig } from '../../ingest/config/types.js';
import { ILM_MISSING_WARNING, installElasticsearchMappings } from '../../ingest/sinks/search/install-elasticsearch-mappings.js';
import { elasticsearchSinkFactory } from '../../ingest/sinks/search/search-sink-component.js';
import {
  buildTemplates,
  CATALOGUE,
  dataStreamName,
  elasticsearchTemplates,
  ILM_POLICY_ID,
  INDEX_SETTINGS,
  ilmPolicy,
  SETTINGS_COMPONENT,
} from '../../mappings/index.js';
import { ActionableError } from '../../platform/errors.js';
import { silentLogger } from '../../platform/logging/logger.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import { startFakeBulkServer } from '../support/fake-bulk-server.js';
import { type FakeJsonServer, type RecordedRequest, startFakeJsonServer } from '../support/fake-json-server.js';
import { sampleEvents, until } from '../support/sample-events.js';

const ELASTIC = { 'x-elastic-product': 'Elasticsearch' };

interface Tree {
  [key: string]: Tree | string | undefined;
}
/** The value at a dotted path of a JSON body. */
const at = (value: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Tree)[key] : undefined), value);

describe('the Elasticsearch templates', () => {
  it('are the OpenSearch ones with flattened for flat_object, and leave those untouched', () => {
    const opensearch = buildTemplates();
    const elastic = elasticsearchTemplates();
    expect(JSON.stringify(elastic)).not.toContain('flat_object');
    expect(JSON.stringify(elastic).replaceAll('"flattened"', '"flat_object"')).toBe(JSON.stringify(opensearch));
    expect(JSON.stringify(buildTemplates())).toContain('"flat_object"');
    const ecs = elastic.componentTemplates['fortiems-ecs@mappings']?.template.mappings?.properties;
    expect(at(ecs, 'fortiems.properties.extra')).toEqual({ type: 'flattened' });
    expect(at(ecs, 'log.properties.syslog.properties.structured_data')).toEqual({ type: 'flattened' });
  });

  it('sit above the built-in logs template (priority 100)', () => {
    for (const [name, template] of Object.entries(elasticsearchTemplates().indexTemplates))
      expect(template.priority, name).toBeGreaterThan(100);
  });

  it('name the ILM policy in the settings only when asked', () => {
    expect(elasticsearchTemplates().componentTemplates[SETTINGS_COMPONENT]?.template.settings).toEqual(INDEX_SETTINGS);
    const settings = elasticsearchTemplates({ lifecyclePolicy: ILM_POLICY_ID }).componentTemplates[SETTINGS_COMPONENT]?.template.settings;
    expect(settings).toEqual({ index: { ...INDEX_SETTINGS.index, lifecycle: { name: ILM_POLICY_ID } } });
  });
});

describe('the ILM policy', () => {
  it('rolls over at 1 day or 25 GB and deletes after the retention, like the ISM policy', () => {
    expect(ilmPolicy({ retentionDays: 7 }).policy.phases).toEqual({
      hot: { min_age: '0ms', actions: { rollover: { max_age: '1d', max_primary_shard_size: '25gb' } } },
      delete: { min_age: '7d', actions: { delete: {} } },
    });
    expect(ilmPolicy().policy.phases.delete.min_age).toBe('30d');
    expect(() => ilmPolicy({ retentionDays: 0 })).toThrow(/retention days/);
  });
});

describe('installElasticsearchMappings', () => {
  let fake: FakeJsonServer | undefined;
  let client: Client | undefined;
  afterEach(async () => {
    await client?.close();
    await fake?.close();
  });

  /** A scripted Elasticsearch: ILM or not, a stored policy or not, the data stream API or not. */
  async function cluster(options: { ilm: boolean; storedPolicy?: unknown; dataStreamApi?: boolean; root?: unknown; product?: boolean }) {
    fake = await startFakeJsonServer((request: RecordedRequest) => {
      const headers = options.product === false ? {} : ELASTIC;
      if (request.method === 'GET' && request.path === '/') return { headers, body: options.root ?? { version: { number: '8.15.0' } } };
      if (request.path === '/_ilm/status')
        return options.ilm ? { headers, body: { operation_mode: 'RUNNING' } } : { status: 400, headers, body: {} };
      if (request.method === 'GET' && request.path === `/_ilm/policy/${ILM_POLICY_ID}`)
        return options.storedPolicy ? { headers, body: { [ILM_POLICY_ID]: options.storedPolicy } } : { status: 404, headers, body: {} };
      if (request.path.startsWith('/_data_stream/'))
        return options.dataStreamApi === false
          ? { status: 405, headers, body: { error: 'Incorrect HTTP method' } }
          : { headers, body: { acknowledged: true } };
      if (request.method === 'HEAD') return { status: 404, headers };
      return { headers, body: { acknowledged: true } };
    });
    client = new Client({ node: fake.url, maxRetries: 0 });
    return fake;
  }
  const puts = (server: FakeJsonServer) => server.requests.filter((r) => r.method === 'PUT').map((r) => r.path);

  it('with ILM: stores the policy before the templates, names it in the settings, creates the data streams', async () => {
    const server = await cluster({ ilm: true });
    const result = await installElasticsearchMappings(client as Client, { namespace: 'unit', retentionDays: 10 });
    expect(result.ilm).toEqual({ status: 'created', policyId: ILM_POLICY_ID, retentionDays: 10 });
    expect(result.warnings).toEqual([]);
    const paths = puts(server);
    expect(paths[0]).toBe(`/_ilm/policy/${ILM_POLICY_ID}`);
    expect(paths.findIndex((p) => p.startsWith('/_component_template/'))).toBeGreaterThan(0);
    const policy = server.requests.find((r) => r.path === `/_ilm/policy/${ILM_POLICY_ID}` && r.method === 'PUT');
    expect(policy?.body).toEqual({ policy: ilmPolicy({ retentionDays: 10 }).policy });
    const settings = server.requests.find((r) => r.path === `/_component_template/${encodeURIComponent(SETTINGS_COMPONENT)}`);
    expect(at(settings?.body, 'template.settings.index.lifecycle')).toEqual({ name: ILM_POLICY_ID });
    const ecs = server.requests.find((r) => r.path === `/_component_template/${encodeURIComponent('fortiems-ecs@mappings')}`);
    expect(JSON.stringify(ecs?.body)).toContain('"flattened"');
    expect(result.dataStreams).toEqual(CATALOGUE.map((c) => ({ name: dataStreamName(c.name, 'unit'), created: true })));
  });

  it('leaves an unchanged policy alone', async () => {
    const server = await cluster({ ilm: true, storedPolicy: { version: 3, policy: ilmPolicy().policy } });
    const result = await installElasticsearchMappings(client as Client);
    expect(result.ilm.status).toBe('unchanged');
    expect(puts(server)).not.toContain(`/_ilm/policy/${ILM_POLICY_ID}`);
  });

  it('without ILM: a warning, no lifecycle in the settings; without the data stream API: streams left to the first event', async () => {
    const server = await cluster({ ilm: false, dataStreamApi: false });
    const result = await installElasticsearchMappings(client as Client);
    expect(result.ilm).toMatchObject({ status: 'skipped', reason: ILM_MISSING_WARNING });
    expect(result.warnings).toEqual([ILM_MISSING_WARNING]);
    expect(puts(server).some((p) => p.startsWith('/_ilm/'))).toBe(false);
    const settings = server.requests.find((r) => r.path === `/_component_template/${encodeURIComponent(SETTINGS_COMPONENT)}`);
    expect(at(settings?.body, 'template.settings.index.lifecycle')).toBeUndefined();
    expect(result.dataStreams.every((stream) => stream.created === undefined)).toBe(true);
  });

  it('refuses, with what to change, a server that is not Elasticsearch', async () => {
    await cluster({ ilm: false, product: false, root: { version: { number: '2.19.6', distribution: 'opensearch' } } });
    const error = await installElasticsearchMappings(client as Client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActionableError);
    expect((error as ActionableError).fix).toMatch(/type to opensearch/);
  });
});

describe('the elasticsearch sink component', () => {
  it('installs the templates and data streams of its namespace before its first bulk request', async () => {
    const server = await startFakeBulkServer({ flavor: 'elasticsearch' });
    const buffer = new MemoryBuffer(10_000_000);
    const config = { type: 'elasticsearch', url: server.url, namespace: 'unitns', batch: { max_events: 100, timeout_ms: 10 } };
    const sink = await elasticsearchSinkFactory.create('es', config as SearchSinkConfig, {
      buffer,
      registry: new MetricsRegistry(),
      dataDir: '/nonexistent',
      logger: silentLogger(),
    });
    try {
      await sink.start();
      await sink.accept(sampleEvents('unitns', 1));
      await until(() => buffer.depth().events === 0, 'the delivery');
      const paths = server.requests.map((request) => `${request.method} ${request.path}`);
      const firstBulk = paths.findIndex((path) => path.endsWith('/_bulk'));
      expect(firstBulk).toBeGreaterThan(0);
      const before = paths.slice(0, firstBulk);
      expect(before).toContain(`PUT /_index_template/logs-fortiems.client`);
      expect(before).toContain(`PUT /_data_stream/logs-fortiems.client-unitns`);
      const settings = server.requests.find((r) => r.path === `/_component_template/${encodeURIComponent(SETTINGS_COMPONENT)}`);
      expect(settings).toBeDefined();
    } finally {
      await sink.stop(2000);
      await server.close();
    }
  });
});
