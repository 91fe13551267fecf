import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEmsAdminServer } from '../../ems-core/api/admin-api.js';
import type { Endpoint } from '../../ems-core/fleet/endpoint.js';
import { Simulation } from '../../ems-core/simulation/simulation.js';
import { createEnrichStage } from '../../ingest/enrich/enrich-stage.js';
import { GeoIp, loadShippedGeoIpDatabases } from '../../ingest/enrich/geoip.js';
import { parseLine } from '../../parsers/parse-line.js';
import { ActionableError } from '../../platform/errors.js';

const START = Date.parse('2026-11-23T08:00:00Z');
const TOKEN = 't';

let api: FastifyInstance;
let sim: Simulation;
let url: string;
let geoip: GeoIp;

beforeAll(async () => {
  sim = new Simulation({ seed: 1, start: START });
  api = buildEmsAdminServer({ sim, adminToken: TOKEN });
  await api.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
  const databases = loadShippedGeoIpDatabases();
  geoip = new GeoIp(() => databases);
});
afterAll(() => api.close());

function fortigateLine(uid: string, srcip: string, dstip: string): string {
  return `date=2026-11-23 time=08:00:01 logid="0107045057" type="event" subtype="endpoint" level="information" vd="root" fctuid="${uid}" srcip=${srcip} dstip=${dstip} msg="Add a FortiClient"`;
}

describe('the enrichment stage', () => {
  it('gives a parsed event the GeoIP of its public addresses and its EMS endpoint context, in one batch', async () => {
    const endpoint = sim.ems.fleet[0] as Endpoint;
    const stage = createEnrichStage({ inventory: { url, token: TOKEN }, geoip });
    const line = fortigateLine(endpoint.uid, '8.8.8.8', '10.10.0.1');
    const event = parseLine(line, { receivedAt: START });
    expect(event.producer).toBe('fortigate');

    await stage.enrichBatch([event]);

    const document = event.document;
    // The id is the pipeline's (set from the received line before enrichment), never the enricher's.
    expect((document.event as Record<string, unknown>).id).toBeUndefined();
    expect(document.source).toMatchObject({ ip: '8.8.8.8', geo: { country_iso_code: 'US' }, as: { number: 15169 } });
    expect(document.destination).toEqual({ ip: '10.10.0.1' });
    expect((document.fortiems as Record<string, unknown>).endpoint).toMatchObject({ groups: endpoint.groups, owner: endpoint.user });
    expect(stage.metrics()).toMatchObject({
      enrich_events_total: 1,
      enrich_geoip_enriched_total: 1,
      enrich_lookups_total: 1,
      enrich_requests_total: 1,
      enrich_endpoint_enriched_total: 1,
      enrich_timeouts_total: 0,
      enrich_errors_total: 0,
      enrich_backoff_active: 0,
    });
  });

  it('leaves a pipeline error as it is', async () => {
    const stage = createEnrichStage({ inventory: { url, token: TOKEN }, geoip });
    const error = parseLine('relay 8.8.8.8 said hello', { receivedAt: START });
    expect(error.kind).toBe('pipeline_error');
    const before = structuredClone(error.document);

    await stage.enrichBatch([error]);
    expect(stage.enrich(error)).toBeUndefined();

    expect(error.document).toEqual(before);
    expect(stage.metrics()).toMatchObject({ enrich_events_total: 2, enrich_lookups_total: 0, enrich_geoip_enriched_total: 0 });
  });

  it('works without an inventory and without GeoIP, synchronously', () => {
    const stage = createEnrichStage({ geoip: false });
    const event = parseLine(fortigateLine(sim.ems.fleet[0]?.uid as string, '8.8.8.8', '1.1.1.1'), { receivedAt: START });
    expect(stage.enrich(event)).toBeUndefined();
    expect(event.document.source).toEqual({ ip: '8.8.8.8' });
    expect((event.document.fortiems as Record<string, unknown>).endpoint).toBeUndefined();
    expect(stage.metrics()).toMatchObject({ enrich_events_total: 1, enrich_lookups_total: 0 });
  });

  it('refuses invalid settings with an actionable error naming the setting', () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ url: 'ftp://ems', token: TOKEN }, /http\(s\)/],
      [{ url: 'not a url', token: TOKEN }, /not a URL/],
      [{ url: 'http://admin:secret@ems', token: TOKEN }, /credentials/],
      [{ url, token: '' }, /token is required/],
      [{ url, token: TOKEN, timeoutMs: 0 }, /timeoutMs must be an integer from 1/],
      [{ url, token: TOKEN, cacheSize: 1.5 }, /cacheSize/],
      [{ url, token: TOKEN, ttlMs: '60000' }, /ttlMs/],
      [{ url, token: TOKEN, backoffMs: 10_000, maxBackoffMs: 5_000 }, /maxBackoffMs/],
      [{ url, token: TOKEN, timeout: 100 }, /unknown inventory setting 'timeout'/],
    ];
    for (const [inventory, message] of bad) {
      const create = () => createEnrichStage({ inventory: inventory as never, geoip: false });
      expect(create, JSON.stringify(inventory)).toThrow(ActionableError);
      expect(create, JSON.stringify(inventory)).toThrow(message);
    }
    expect(() => createEnrichStage({ inventory: { url, token: TOKEN, timeoutMs: 500, cacheSize: 100, ttlMs: 60_000 } })).not.toThrow();
  });
});
