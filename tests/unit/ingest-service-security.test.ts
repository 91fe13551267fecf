/** The pipeline's HTTP server as the configuration builds it: the console password banner, /metrics, trust_proxy. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IngestService } from '../../app/service/ingest-service.js';
import { parseConfig } from '../../ingest/config/load-config.js';
import { silentLogger } from '../../platform/logging/logger.js';
import { type FakeBulkServer, startFakeBulkServer } from '../support/fake-bulk-server.js';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

const configYaml = (dir: string, sinkUrl: string, http = '') => `data_dir: ${JSON.stringify(dir)}
pipeline:
  enrich: { geoip: false }
sinks:
  search: { type: elasticsearch, url: ${JSON.stringify(sinkUrl)}, buffer: { type: memory } }
http:
  address: "127.0.0.1:0"
${http}`;

describe('the ingest service HTTP server', () => {
  let fake: FakeBulkServer | undefined;
  const services: IngestService[] = [];
  const dirs: string[] = [];

  afterEach(async () => {
    for (const service of services.splice(0)) await service.stop();
    await fake?.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  async function start(http = '', dir?: string): Promise<{ service: IngestService; dir: string }> {
    fake ??= await startFakeBulkServer({ flavor: 'elasticsearch' });
    const dataDir = dir ?? mkdtempSync(join(tmpdir(), 'fortiems-service-'));
    if (!dir) dirs.push(dataDir);
    // The console reads from the default target when no OpenSearch sink names one.
    const service = new IngestService({ dataDir, logger: silentLogger(), target: { url: fake.url, source: 'OPENSEARCH_URL' } });
    services.push(service);
    await service.start(parseConfig(configYaml(dataDir, fake.url, http)));
    return { service, dir: dataDir };
  }

  it('shows a generated console password once: a second start names the file, not the secret', async () => {
    const first = await start();
    const file = join(first.dir, 'console-admin-password');
    const password = readFileSync(file, 'utf8').trim();
    const banner = first.service.listening().join('\n');
    expect(banner).toContain(`console ${first.service.httpUrl}/console/ (user admin, password ${password} (generated; kept in ${file}))`);
    await first.service.stop();
    services.splice(0);

    const second = await start('', first.dir);
    const again = second.service.listening().join('\n');
    expect(again).toContain(`(user admin, password in ${file})`);
    expect(again).not.toContain(password);
    expect(readFileSync(file, 'utf8').trim()).toBe(password);
  });

  it('http.metrics_token: /metrics answers 401 without it or with a wrong one, 200 with it; /health stays open', async () => {
    const { service } = await start(`  metrics_token: ${JSON.stringify(METRICS_TOKEN)}\n`);
    const url = `${service.httpUrl}/metrics`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Bearer ${METRICS_TOKEN.toUpperCase()}` } })).status).toBe(401);
    const scraped = await fetch(url, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('fortiems_component_');
    expect((await fetch(`${service.httpUrl}/health`)).status).toBe(200);
  });

  it('without http.metrics_token /metrics stays open, as before', async () => {
    const { service } = await start();
    expect((await fetch(`${service.httpUrl}/metrics`)).status).toBe(200);
  });

  it('http.trust_proxy: the console cookie is Secure when the trusted proxy says X-Forwarded-Proto: https', async () => {
    const login = async (service: IngestService, dir: string) => {
      const password = readFileSync(join(dir, 'console-admin-password'), 'utf8').trim();
      const response = await fetch(`${service.httpUrl}/console/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7' },
        body: JSON.stringify({ user: 'admin', password }),
      });
      expect(response.status).toBe(200);
      return response.headers.getSetCookie();
    };
    const behindProxy = await start('  trust_proxy: "127.0.0.1"\n');
    for (const cookie of await login(behindProxy.service, behindProxy.dir)) expect(cookie).toMatch(/; HttpOnly; Secure; SameSite=Strict$/);
    const direct = await start();
    for (const cookie of await login(direct.service, direct.dir)) expect(cookie).not.toMatch(/Secure/);
  });
});
