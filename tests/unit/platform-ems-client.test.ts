import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EmsApiClient, EmsApiUnavailableError, emsApiBase } from '../../platform/ems-client/ems-api-client.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

interface Seen {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A loopback server that answers every request with `status` and `body` (after `delayMs`), remembering what it saw. */
async function answering(status: number, body: string, delayMs = 0): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => (text += chunk));
    request.on('end', () => {
      seen.push({ method: request.method, url: request.url, headers: request.headers, body: text });
      setTimeout(() => response.writeHead(status, { 'content-type': 'application/json' }).end(body), delayMs);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe('EMS admin-API client', () => {
  it('names the API by its root or by /api/v1, ignoring a trailing slash, a query and a fragment', () => {
    for (const url of [
      'http://ems:8090',
      'http://ems:8090/',
      'http://ems:8090/api/v1',
      'http://ems:8090/api/v1/',
      'http://ems:8090/?x=1#y',
    ])
      expect(emsApiBase(url).href).toBe('http://ems:8090/api/v1');
    expect(emsApiBase('https://proxy/ems').href).toBe('https://proxy/ems/api/v1');
    expect(new EmsApiClient({ url: 'http://ems:8090/', token: 't' }).url('/inventory/endpoints', { uid: 'A', limit: '2' }).href).toBe(
      'http://ems:8090/api/v1/inventory/endpoints?uid=A&limit=2',
    );
    expect(() => new EmsApiClient({ url: 'not a url', token: 't' })).toThrow(TypeError);
  });

  it('sends the bearer token, JSON and the audit name, and reads the answer as JSON whatever its status', async () => {
    const ems = await answering(400, '{"problems":["retentionDays must be ≥ 1"]}');
    const client = new EmsApiClient({ url: ems.url, token: 'secret' });
    const reply = await client.request('PATCH', '/log-settings', { body: { retentionDays: 0 }, admin: 'alice' });
    expect(reply).toMatchObject({ status: 400, json: { problems: ['retentionDays must be ≥ 1'] } });
    expect(reply.url.pathname).toBe('/api/v1/log-settings');
    expect(ems.seen[0]).toMatchObject({ method: 'PATCH', url: '/api/v1/log-settings', body: '{"retentionDays":0}' });
    expect(ems.seen[0]?.headers).toMatchObject({
      authorization: 'Bearer secret',
      accept: 'application/json',
      'content-type': 'application/json',
      'x-fortiems-admin': 'alice',
    });
  });

  it('keeps a body that is not JSON as text only', async () => {
    const proxy = await answering(502, '<html>bad gateway</html>');
    const reply = await new EmsApiClient({ url: proxy.url, token: 't' }).request('GET', '/volume');
    expect(reply).toMatchObject({ status: 502, text: '<html>bad gateway</html>', json: undefined });
    expect(proxy.seen[0]?.headers['content-type']).toBeUndefined();
  });

  it('reports no answer as EmsApiUnavailableError: refused with its code, too slow as timed out', async () => {
    const closed = await answering(200, '{}');
    await new Promise((resolve) => servers.pop()?.close(resolve));
    const refused = await new EmsApiClient({ url: closed.url, token: 't' }).request('GET', '/volume').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(EmsApiUnavailableError);
    expect(refused).toMatchObject({ code: 'ECONNREFUSED', timedOut: false, base: `${closed.url}/api/v1` });
    expect((refused as Error).message).toBe(`the EMS core admin API at ${closed.url}/api/v1 did not answer (ECONNREFUSED)`);

    const slow = await answering(200, '{}', 2_000);
    const late = await new EmsApiClient({ url: slow.url, token: 't', timeoutMs: 50 })
      .request('GET', '/volume')
      .catch((error: unknown) => error);
    expect(late).toBeInstanceOf(EmsApiUnavailableError);
    expect(late).toMatchObject({ timedOut: true });
  });
});
