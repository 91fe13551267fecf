import type { ParsedEvent } from '../../parsers/parse-line.js';
import { ActionableError } from '../../platform/errors.js';
import { ENDPOINT_CONTEXT_DEFAULTS, EndpointContextEnricher, type EndpointContextOptions } from './endpoint-context.js';
import { type GeoIp, sharedGeoIp } from './geoip.js';

/**
 * The enrichment stage the pipeline calls between parsing and the sinks. For parsed events: the country and AS of
 * public `source.ip`/`destination.ip` and, when an EMS inventory API is configured, the endpoint's EMS context
 * (`fortiems.endpoint.*`); pipeline errors pass unchanged (`event.id` is set before, from the received line).
 * GeoIP is synchronous; the inventory is asynchronous, cached, and bounded by its timeout.
 */

export interface EnrichStageOptions {
  /** The EMS core inventory API; without it no endpoint context is added. */
  inventory?: Omit<EndpointContextOptions, 'now'>;
  /** GeoIP for public addresses (default true); a GeoIp instance to use instead of the shared one (tests). */
  geoip?: boolean | GeoIp;
}

export interface EnrichStage {
  /** Enriches one event in place; synchronous unless it has to wait for the inventory (at most its timeout). */
  enrich(event: ParsedEvent): Promise<void> | void;
  /** Enriches a batch in place: inventory lookups in parallel, cache first; waits at most the inventory timeout. */
  enrichBatch(events: readonly ParsedEvent[]): Promise<void>;
  /** Loads the GeoIP databases now (~0.5 s) rather than at the first public address. */
  preload(): void;
  /** Counters (`enrich_*_total`) and gauges, for the metrics endpoint. */
  metrics(): Record<string, number>;
}

const INTEGER_LIMITS = {
  timeoutMs: [1, 60_000],
  cacheSize: [1, 10_000_000],
  ttlMs: [1, 7 * 24 * 3_600_000],
  negativeTtlMs: [1, 7 * 24 * 3_600_000],
  maxConcurrentRequests: [1, 1024],
  failureThreshold: [1, 1000],
  backoffMs: [1, 3_600_000],
  maxBackoffMs: [1, 24 * 3_600_000],
} as const satisfies Record<string, readonly [number, number]>;

const INVENTORY_KEYS = new Set(['url', 'token', 'fetch', ...Object.keys(INTEGER_LIMITS)]);

function invalid(message: string): ActionableError {
  return new ActionableError(`enrichment: ${message}`, 'fix the enrichment settings (inventory url, token, timeouts, cache size)');
}

/** Checks the inventory settings; throws an ActionableError naming the first bad one. */
export function validateInventoryOptions(options: EnrichStageOptions['inventory']): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null) throw invalid('inventory must be an object');
  for (const key of Object.keys(options)) if (!INVENTORY_KEYS.has(key)) throw invalid(`unknown inventory setting '${key}'`);
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw invalid(`inventory.url is not a URL: ${JSON.stringify(options.url)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(`inventory.url must be http(s), got ${url.protocol}`);
  if (url.username !== '' || url.password !== '') throw invalid('inventory.url must not carry credentials: the API takes a bearer token');
  if (typeof options.token !== 'string' || options.token.trim() === '')
    throw invalid('inventory.token is required (the EMS admin API token)');
  for (const [name, [min, max]] of Object.entries(INTEGER_LIMITS)) {
    const value = (options as Record<string, unknown>)[name];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw invalid(`inventory.${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
    }
  }
  const backoff = options.backoffMs ?? ENDPOINT_CONTEXT_DEFAULTS.backoffMs;
  const maxBackoff = options.maxBackoffMs ?? ENDPOINT_CONTEXT_DEFAULTS.maxBackoffMs;
  if (maxBackoff < backoff) throw invalid(`inventory.maxBackoffMs (${maxBackoff}) is below backoffMs (${backoff})`);
}

export function createEnrichStage(options: EnrichStageOptions = {}): EnrichStage {
  validateInventoryOptions(options.inventory);
  if (options.geoip !== undefined && typeof options.geoip !== 'boolean' && typeof options.geoip?.lookup !== 'function') {
    throw invalid('geoip must be true, false or a GeoIp');
  }
  const endpoints = options.inventory ? new EndpointContextEnricher(options.inventory) : undefined;
  const geoip = options.geoip === false ? undefined : options.geoip === undefined || options.geoip === true ? sharedGeoIp() : options.geoip;
  const counts = { events: 0, geoEnriched: 0 };

  /** Everything synchronous: GeoIP for parsed events. True when the event may get endpoint context. */
  function enrichSynchronously(event: ParsedEvent): boolean {
    counts.events++;
    if (event.kind !== 'event') return false;
    if (geoip?.enrichDocument(event.document)) counts.geoEnriched++;
    return true;
  }

  return {
    enrich(event) {
      if (!enrichSynchronously(event) || !endpoints) return;
      return endpoints.enrich(event);
    },

    async enrichBatch(events) {
      let parsed = 0;
      for (const event of events) if (enrichSynchronously(event)) parsed++;
      if (endpoints && parsed > 0) await endpoints.enrichBatch(events);
    },

    preload() {
      geoip?.preload();
    },

    metrics() {
      const inventory = endpoints?.counters();
      return {
        enrich_events_total: counts.events,
        enrich_geoip_enriched_total: counts.geoEnriched,
        enrich_geoip_unavailable: geoip?.loadError ? 1 : 0,
        enrich_lookups_total: inventory?.lookups ?? 0,
        enrich_cache_hits_total: inventory?.hits ?? 0,
        enrich_cache_misses_total: inventory?.misses ?? 0,
        enrich_requests_total: inventory?.requests ?? 0,
        enrich_not_found_total: inventory?.notFound ?? 0,
        enrich_timeouts_total: inventory?.timeouts ?? 0,
        enrich_errors_total: inventory?.errors ?? 0,
        enrich_skipped_total: inventory?.skipped ?? 0,
        enrich_late_total: inventory?.late ?? 0,
        enrich_endpoint_enriched_total: inventory?.enriched ?? 0,
        enrich_backoff_active: endpoints?.backingOff ? 1 : 0,
      };
    },
  };
}
