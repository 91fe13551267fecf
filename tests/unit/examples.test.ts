/** Every configuration in examples/ is one `fortiems validate` accepts as it is (the defaults of its ${ENV} references). */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../ingest/config/load-config.js';

const folder = new URL('../../examples/', import.meta.url).pathname;
const cli = new URL('../../bin/fortiems.js', import.meta.url).pathname;
const files = readdirSync(folder).filter((name) => name.endsWith('.yaml'));
// The examples must not depend on the tester's environment.
const env = { PATH: process.env.PATH ?? '' };

describe('examples/', () => {
  it('holds the collector and the indexer of the Kafka tier', () => {
    expect(files).toEqual(expect.arrayContaining(['collector.yaml', 'indexer.yaml']));
  });

  it.each(files)('%s passes fortiems validate', (name) => {
    const result = spawnSync(process.execPath, [cli, 'validate', join(folder, name)], { encoding: 'utf8', env });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(': valid (');
  });

  it('wires the roles: syslog and HTTP into a kafka sink; a kafka source into OpenSearch', () => {
    const collector = loadConfigFile(join(folder, 'collector.yaml'), {});
    expect(Object.values(collector.sources ?? {}).map((source) => source.type)).toEqual(['syslog', 'syslog', 'syslog', 'http']);
    expect(Object.values(collector.sinks ?? {}).map((sink) => sink.type)).toEqual(['kafka']);
    const indexer = loadConfigFile(join(folder, 'indexer.yaml'), {});
    expect(Object.values(indexer.sources ?? {}).map((source) => source.type)).toEqual(['kafka']);
    expect(Object.values(indexer.sinks ?? {}).map((sink) => sink.type)).toEqual(['opensearch']);
    expect(indexer.sources?.kafka).toMatchObject({ topics: ['fortiems-raw'], group: 'fortiems-indexers' });
    expect(collector.sinks?.kafka).toMatchObject({ topic: 'fortiems-raw', partition_key: 'sender' });
  });
});
