import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMaven } from '../../ingest/opensearch/maven.js';
import { dockerEngineReachable, provideOpenSearch, targetFromEnv } from '../../ingest/opensearch/target.js';

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
