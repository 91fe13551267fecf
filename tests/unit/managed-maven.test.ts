import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureCached, type MavenCache, newestCached, resolverPom } from '../../app/managed/maven.js';

describe('the resolver pom both managed servers fetch with', () => {
  it('names each dependency, with a type only when asked, and pins the dependency plugin', () => {
    const pom = resolverPom('kafka', [
      { group: 'org.apache.kafka', artifact: 'kafka_2.13', version: '[4.1.0,4.2.0)' },
      { group: 'org.opensearch.distribution.integ-test-zip', artifact: 'opensearch', version: '2.19.6', type: 'zip' },
    ]);
    expect(pom).toContain('<artifactId>kafka-fetch</artifactId>');
    expect(pom).toMatch(/<artifactId>kafka_2\.13<\/artifactId>\s*<version>\[4\.1\.0,4\.2\.0\)<\/version>\s*<\/dependency>/);
    expect(pom).toMatch(/<artifactId>opensearch<\/artifactId>\s*<version>2\.19\.6<\/version>\s*<type>zip<\/type>/);
    expect(pom).toMatch(/maven-dependency-plugin<\/artifactId>\s*<version>3\.8\.1</);
  });
});

describe('the per-version cache', () => {
  const root = mkdtempSync(join(tmpdir(), 'fortiems-cache-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  for (const version of ['4.1.1', '4.1.10', '4.1.2', '4.10.0']) {
    mkdirSync(join(root, version));
    writeFileSync(join(root, version, 'ok'), version);
  }
  mkdirSync(join(root, '.fetch-abc'));
  mkdirSync(join(root, '4.1.9')); // unfinished: no entry
  const read = async (dir: string) => readFile(join(dir, 'ok'), 'utf8').catch(() => undefined);

  it('returns the newest complete entry of a line, numerically', async () => {
    expect(await newestCached(root, { kind: 'line', line: '4.1' }, read)).toBe('4.1.10');
    expect(await newestCached(root, { kind: 'line', line: '4' }, read)).toBe('4.10.0');
    expect(await newestCached(root, { kind: 'exact', version: '4.1.2' }, read)).toBe('4.1.2');
  });

  it('skips incomplete entries and finds nothing where nothing matches', async () => {
    expect(await newestCached(root, { kind: 'exact', version: '4.1.9' }, read)).toBeUndefined();
    expect(await newestCached(root, { kind: 'line', line: '3' }, read)).toBeUndefined();
    expect(await newestCached(join(root, 'absent'), { kind: 'line', line: '4' }, read)).toBeUndefined();
  });
});

describe('the cache a Maven fetch fills', () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'fortiems-cache-'));
  afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));
  const staged: string[] = [];
  const cache: MavenCache<{ version: string; sha512: string; dir: string }> = {
    folder: 'thing',
    entry: (dir, manifest) =>
      existsSync(join(dir, 'thing.jar')) ? { version: manifest.version, sha512: manifest.sha512, dir } : undefined,
    async stage(work, versionSpec) {
      staged.push(versionSpec);
      const folder = join(work, 'staged');
      mkdirSync(folder);
      writeFileSync(join(folder, 'thing.jar'), 'jar');
      return { folder, version: '1.2.3', sha512: 'abc', details: { jars: { 'thing.jar': 'abc' } }, summary: 'thing 1.2.3' };
    },
  };

  it('fetches once, records a manifest, then answers from the cache until asked to refresh', async () => {
    const lines: string[] = [];
    const request = { kind: 'line', line: '1.2' } as const;
    const first = await ensureCached(cache, { request, cacheDir, log: (line) => lines.push(line) });
    expect(first).toEqual({ version: '1.2.3', sha512: 'abc', dir: join(cacheDir, 'thing', '1.2.3') });
    expect(JSON.parse(await readFile(join(first.dir, 'fortiems-manifest.json'), 'utf8'))).toMatchObject({
      version: '1.2.3',
      sha512: 'abc',
      jars: { 'thing.jar': 'abc' },
    });
    expect(lines).toEqual([`thing 1.2.3, cached in ${first.dir}`]);
    expect(readdirSync(join(cacheDir, 'thing'))).toEqual(['1.2.3']); // the work folder is gone

    expect(await ensureCached(cache, { request, cacheDir })).toEqual(first);
    expect(staged).toHaveLength(1);
    expect(await ensureCached(cache, { request, cacheDir, refresh: true })).toEqual(first);
    expect(staged).toHaveLength(2);
  });
});
