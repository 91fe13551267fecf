import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

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

  it('runs OpenSearch, OpenSearch Dashboards and Grafana, published on loopback only', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['grafana', 'opensearch', 'opensearch-dashboards']);
    for (const service of Object.values(compose.services) as { ports: string[] }[]) {
      for (const port of service.ports) expect(port).toMatch(/^127\.0\.0\.1:/);
    }
  });

  it('is checked by a schema that really rejects mistakes', () => {
    expect(validateCompose({ services: { opensearch: { image: 'x', ports: 'not-a-list', restart_policy: 1 } } })).not.toEqual([]);
  });
});
