import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avro from 'avsc';
import { afterAll, describe, expect, it } from 'vitest';
import { runningOpenSearchTarget } from '../../app/cli/mappings-command.js';
import { CATALOGUE } from '../../mappings/index.js';
import { ActionableError } from '../../platform/errors.js';
import { SAMPLE_RECORDS } from '../support/sample-records.js';

const scratch = mkdtempSync(join(tmpdir(), 'fortiems-mappings-cli-'));
// The built CLI, as a user runs it (`npm test` builds first; `npm run build` before running this file alone).
const bin = new URL('../../bin/fortiems.js', import.meta.url).pathname;
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

describe('fortiems mappings export', () => {
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('writes the templates, the ISM policy, the alias list and one .avsc per category', () => {
    const out = join(scratch, 'export');
    const run = cli('mappings', 'export', '--out', out, '--retention-days', '14');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^wrote 38 files to /);

    expect(readdirSync(join(out, 'index-templates')).sort()).toEqual(
      [...CATALOGUE.map((c) => `logs-${c.dataset}.json`), 'logs-fortiems.forticlient.json', 'logs-fortiems.other.json'].sort(),
    );
    expect(readdirSync(join(out, 'component-templates'))).toHaveLength(14);
    expect(readdirSync(join(out, 'component-templates'))).toContain('fortiems-ecs@mappings.json');
    const vpnTemplate = JSON.parse(readFileSync(join(out, 'index-templates', 'logs-fortiems.vpn.json'), 'utf8'));
    expect(vpnTemplate).toMatchObject({ index_patterns: ['logs-fortiems.vpn-*'], data_stream: {}, priority: 200 });

    const policy = JSON.parse(readFileSync(join(out, 'ism-policies', 'fortiems-logs.json'), 'utf8'));
    expect(policy.policy.states[0].transitions[0].conditions).toEqual({ min_index_age: '14d' });

    const aliases = JSON.parse(readFileSync(join(out, 'raw-field-aliases.json'), 'utf8'));
    expect(aliases.aliased).toContain('hostname');
    expect(aliases.emsOnly).toContain('user');

    expect(readdirSync(join(out, 'avro')).sort()).toEqual(CATALOGUE.map((c) => `${c.name}.avsc`).sort());
    for (const category of CATALOGUE) {
      const type = avro.Type.forSchema(JSON.parse(readFileSync(join(out, 'avro', `${category.name}.avsc`), 'utf8')));
      expect(type.name, category.name).toBe(`fortiems.ems.${category.schema.name}`);
      // The exported schema still accepts a real record of its category (optional fields absent = null).
      const record = Object.fromEntries(
        (category.schema.fields as readonly { name: string }[]).map((field) => [
          field.name,
          (SAMPLE_RECORDS[category.name] as Record<string, unknown>)[field.name] ?? null,
        ]),
      );
      expect(type.isValid(record), category.name).toBe(true);
    }
  });

  it('refuses a nonsense retention before writing anything', () => {
    const out = join(scratch, 'never');
    const run = cli('mappings', 'export', '--out', out, '--retention-days', '0');
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/retention days must be a whole number/);
    expect(() => readdirSync(out)).toThrow();
  });
});

describe('fortiems mappings install target', () => {
  it('uses OPENSEARCH_URL without looking for a managed node', async () => {
    const target = await runningOpenSearchTarget(join(scratch, 'no-node'), { OPENSEARCH_URL: 'http://search.example:9200' });
    expect(target).toMatchObject({ url: 'http://search.example:9200', source: 'OPENSEARCH_URL' });
  });

  it('never starts a node: without OPENSEARCH_URL and a running node it says what to do', async () => {
    const attempt = runningOpenSearchTarget(join(scratch, 'no-node'), {});
    await expect(attempt).rejects.toBeInstanceOf(ActionableError);
    await expect(attempt).rejects.toMatchObject({ fix: expect.stringContaining('fortiems opensearch start') });
  });
});
