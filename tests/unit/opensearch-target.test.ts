import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMaven } from '../../app/managed/maven.js';
import { dockerEngineReachable, loadTestcontainers, provideOpenSearch } from '../../app/opensearch/target.js';
import { ActionableError } from '../../platform/errors.js';
import { targetFromEnv } from '../../platform/opensearch/target.js';

describe('OPENSEARCH_URL', () => {
  it('is absent unless set', () => {
    expect(targetFromEnv({})).toBeUndefined();
    expect(targetFromEnv({ OPENSEARCH_URL: '  ' })).toBeUndefined();
  });

  it('takes inline credentials out of the URL', () => {
    expect(targetFromEnv({ OPENSEARCH_URL: 'https://ops:s%40cret@search.example.org:9200/' })).toEqual({
      url: 'https://search.example.org:9200',
      username: 'ops',
      password: 's@cret',
      source: 'OPENSEARCH_URL',
    });
  });

  it('takes credentials and a CA from their own variables', () => {
    expect(
      targetFromEnv({
        OPENSEARCH_URL: 'https://search:9200',
        OPENSEARCH_USERNAME: 'u',
        OPENSEARCH_PASSWORD: 'p',
        OPENSEARCH_CA_CERT: '/etc/ca.pem',
      }),
    ).toEqual({ url: 'https://search:9200', username: 'u', password: 'p', caFile: '/etc/ca.pem', source: 'OPENSEARCH_URL' });
  });

  it('takes several nodes of one cluster, separated by commas: the first is `url`, all are `urls`', () => {
    expect(targetFromEnv({ OPENSEARCH_URL: 'http://127.0.0.1:9211, http://127.0.0.1:9212/,http://127.0.0.1:9213,' })).toEqual({
      url: 'http://127.0.0.1:9211',
      urls: ['http://127.0.0.1:9211', 'http://127.0.0.1:9212', 'http://127.0.0.1:9213'],
      source: 'OPENSEARCH_URL',
    });
    // One login for the client: given inline once (or the same in each URL), or in the variables.
    expect(targetFromEnv({ OPENSEARCH_URL: 'https://ops:pw@a:9200,https://b:9200' })).toMatchObject({
      urls: ['https://a:9200', 'https://b:9200'],
      username: 'ops',
      password: 'pw',
    });
    expect(() => targetFromEnv({ OPENSEARCH_URL: 'https://ops:pw@a:9200,https://other:pw@b:9200' })).toThrow(/different credentials/);
    expect(() => targetFromEnv({ OPENSEARCH_URL: 'http://a:9200,http://a:9200/' })).toThrow(/names a node twice/);
    expect(() => targetFromEnv({ OPENSEARCH_URL: 'http://a:9200,b:9200' })).toThrow(/http or https|not a URL/);
    expect(targetFromEnv({ OPENSEARCH_URL: ' , ' })).toBeUndefined();
  });

  it('rejects a malformed URL or another scheme with the fix', () => {
    expect(() => targetFromEnv({ OPENSEARCH_URL: 'not a url' })).toThrow(/not a URL/);
    expect(() => targetFromEnv({ OPENSEARCH_URL: 'ftp://search:21' })).toThrow(/http or https/);
  });

  it('is preferred over starting anything', async () => {
    const provided = await provideOpenSearch({ env: { OPENSEARCH_URL: 'http://127.0.0.1:1' } });
    expect(provided.source).toBe('OPENSEARCH_URL');
    expect(provided.url).toBe('http://127.0.0.1:1');
    await provided.release();
  });
});

describe('Docker engine detection', () => {
  it('is false when no engine answers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fortiems-docker-'));
    expect(await dockerEngineReachable({ DOCKER_HOST: `unix://${join(dir, 'docker.sock')}` })).toBe(false);
    expect(await dockerEngineReachable({ DOCKER_HOST: 'ssh://somewhere' })).toBe(false);
  });
});

describe('testcontainers, a development dependency', () => {
  const root = new URL('../../', import.meta.url).pathname;

  it('a missing @testcontainers/opensearch is an actionable error, not a module trace', async () => {
    const missing = Object.assign(new Error("Cannot find package '@testcontainers/opensearch'"), { code: 'ERR_MODULE_NOT_FOUND' });
    const failure = await loadTestcontainers(() => Promise.reject(missing)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ActionableError);
    expect((failure as ActionableError).message).toMatch(/@testcontainers\/opensearch is not installed/);
    expect((failure as ActionableError).fix).toMatch(/OPENSEARCH_URL/);
    // Any other failure of the module is not disguised as a missing one.
    const broken = new Error('boom');
    await expect(loadTestcontainers(() => Promise.reject(broken))).rejects.toBe(broken);
  });

  it('is a devDependency, and only the testcontainers loader of target.ts imports it (dynamically)', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    expect(manifest.devDependencies?.['@testcontainers/opensearch']).toBeDefined();
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies'])
      expect(manifest[field]?.['@testcontainers/opensearch'], field).toBeUndefined();
    const importers: string[] = [];
    for (const folder of ['app', 'platform', 'syslog', 'ingest', 'parsers', 'mappings', 'ems-core', 'dashboards', 'detections', 'bin'])
      for (const entry of readdirSync(join(root, folder), { recursive: true, withFileTypes: true })) {
        if (!entry.isFile() || !/\.(ts|js)$/.test(entry.name)) continue;
        const path = join(entry.parentPath, entry.name);
        for (const line of readFileSync(path, 'utf8').split('\n'))
          if (/['"]@testcontainers\//.test(line) && /\bimport\b|require\(/.test(line))
            importers.push(`${relative(root, path)}: ${line.trim()}`);
      }
    expect(importers).toEqual([
      "app/opensearch/target.ts: type TestcontainersModule = typeof import('@testcontainers/opensearch');",
      "app/opensearch/target.ts: load: () => Promise<TestcontainersModule> = () => import('@testcontainers/opensearch'),",
    ]);
  });
});

describe('Maven', () => {
  it('missing: the error names the package to install', async () => {
    await expect(runMaven(['-v'], tmpdir(), { ...process.env, FORTIEMS_MVN: '/nonexistent/mvn' })).rejects.toThrow(
      /Maven .* is not installed/,
    );
    await expect(runMaven(['-v'], tmpdir(), { ...process.env, FORTIEMS_MVN: '/nonexistent/mvn' })).rejects.toMatchObject({
      fix: expect.stringMatching(/apt-get install maven/),
    });
  });
});
