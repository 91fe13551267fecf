import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfigFile } from '../../ingest/config/load-config.js';

// The Compose Specification's JSON schema, as shipped (current) inside the dclint package.
const require = createRequire(import.meta.url);
const { $schema: draft07, ...composeSchema } = JSON.parse(
  readFileSync(join(dirname(require.resolve('dclint/package.json')), 'schemas', 'compose.schema.json'), 'utf8'),
);

function validateCompose(document: unknown): string[] {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(composeSchema);
  return validate(document) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8'));

  it('is checked against the draft-07 schema Ajv implements', () => {
    expect(draft07).toMatch(/draft-07/);
  });

  it('is valid against the Compose Specification schema', () => {
    expect(validateCompose(compose)).toEqual([]);
  });

  it('runs OpenSearch, OpenSearch Dashboards (+ its one-shot import), Grafana and the pipeline, published on loopback only', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'fortiems',
      'grafana',
      'opensearch',
      'opensearch-dashboards',
      'opensearch-dashboards-import',
    ]);
    for (const service of Object.values(compose.services) as { ports?: string[] }[]) {
      for (const port of service.ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
    }
  });

  it('provisions Grafana and OpenSearch Dashboards from the files `fortiems dashboards export` writes', async () => {
    const { dashboardFiles } = await import('../../app/cli/dashboards-command.js');
    const { GRAFANA_DASHBOARDS_PATH } = await import('../../dashboards/grafana/index.js');
    const folders = new Set(
      (await dashboardFiles()).map((file) => `./dashboards/generated/${file.path.slice(0, file.path.lastIndexOf('/'))}`),
    );
    const grafana = compose.services.grafana as { volumes: string[]; environment: Record<string, string> };
    expect(grafana.environment.GF_INSTALL_PLUGINS).toContain('grafana-opensearch-datasource');
    expect(grafana.volumes).toContain(`./dashboards/generated/grafana:${GRAFANA_DASHBOARDS_PATH}:ro`);
    const mounted = [...grafana.volumes, ...(compose.services['opensearch-dashboards-import'].volumes as string[])]
      .map((volume) => volume.split(':')[0] as string)
      .filter((source) => source.startsWith('./dashboards/generated/'));
    expect(new Set(mounted)).toEqual(folders);
    const command = (compose.services['opensearch-dashboards-import'].command as string[]).join(' ');
    expect(command).toContain('/api/saved_objects/_import');
    expect(command).toContain('file=@/import/fortiems.ndjson');
  });

  it('runs the pipeline with a configuration that validates, listening where it publishes', () => {
    const command = (compose.services.fortiems.command as string[]).join(' ');
    const file = /--config \/app\/(\S+)/.exec(command)?.[1] as string;
    const config = loadConfigFile(fileURLToPath(new URL(`../../${file}`, import.meta.url)), { OPENSEARCH_URL: 'http://opensearch:9200' });
    expect(config.http?.address).toBe('0.0.0.0:8080');
    const published = (compose.services.fortiems.ports as string[]).map((port) => port.replace(/^127\.0\.0\.1:\d+:/, ''));
    expect(published.sort()).toEqual(['5514/tcp', '5514/udp', '6514/tcp', '8080/tcp']);
  });

  it('is checked by a schema that really rejects mistakes', () => {
    expect(validateCompose({ services: { opensearch: { image: 'x', ports: 'not-a-list', restart_policy: 1 } } })).not.toEqual([]);
  });
});

describe('docker-compose.scale.yml', () => {
  // YAML merge keys (`<<: *opensearch-node`) are how Compose files share a service's shape.
  const compose = parse(readFileSync(new URL('../../docker-compose.scale.yml', import.meta.url), 'utf8'), { merge: true });
  const configOf = (service: string) => {
    const command = (compose.services[service].command as string[]).join(' ');
    const file = /--config \/app\/(\S+)/.exec(command)?.[1] as string;
    return loadConfigFile(fileURLToPath(new URL(`../../${file}`, import.meta.url)), { FORTIEMS_INGEST_TOKEN: 'a-token-of-20-chars!' });
  };

  it('is valid against the Compose Specification schema', () => {
    expect(validateCompose(compose)).toEqual([]);
  });

  it('runs Kafka, a 3-node OpenSearch, one collector, two indexers, Grafana and OpenSearch Dashboards, published on loopback only', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'collector',
      'grafana',
      'indexer-1',
      'indexer-2',
      'kafka',
      'opensearch-1',
      'opensearch-2',
      'opensearch-3',
      'opensearch-dashboards',
      'opensearch-dashboards-import',
    ]);
    for (const service of Object.values(compose.services) as { ports?: string[] }[]) {
      for (const port of service.ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
    }
    const seeds = (compose.services['opensearch-2'].environment as Record<string, string>)['discovery.seed_hosts'];
    expect(seeds?.split(',')).toEqual(['opensearch-1', 'opensearch-2', 'opensearch-3']);
  });

  it('wires the collector to Kafka and the indexers from Kafka to every OpenSearch node, with configurations that validate', () => {
    const collector = configOf('collector');
    expect(Object.values(collector.sinks ?? {}).map((sink) => sink.type)).toEqual(['kafka']);
    expect(JSON.stringify(collector.sinks)).toContain('"kafka:9092"');
    expect(collector.http?.address).toBe('0.0.0.0:8080');
    for (const service of ['indexer-1', 'indexer-2']) {
      const indexer = configOf(service);
      expect(Object.values(indexer.sources ?? {}).map((source) => source.type)).toEqual(['kafka']);
      const sink = Object.values(indexer.sinks ?? {})[0] as { type: string; urls?: string[] };
      expect(sink.type).toBe('opensearch');
      expect(sink.urls?.map((url) => new URL(url).hostname).sort()).toEqual(['opensearch-1', 'opensearch-2', 'opensearch-3']);
    }
    expect(configOf('indexer-1')).toEqual(configOf('indexer-2'));
  });
});
