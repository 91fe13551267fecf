import { LRUCache } from 'lru-cache';
import type { ParsedEvent } from '../../parsers/parse-line.js';
import { Semaphore } from '../../platform/concurrency/semaphore.js';
import { waitAtMost } from '../../platform/concurrency/wait-at-most.js';
import { definedOnly } from '../../platform/defined-only.js';
import { EmsApiUnavailableError } from '../../platform/ems-client/ems-api-client.js';
import { BackoffBreaker } from './backoff-breaker.js';
import { type EndpointKey, InventoryClient, type InventoryEndpoint } from './inventory-client.js';

/**
 * Endpoint context from the EMS inventory: which groups, Zero Trust tags, owner, status and policy EMS has for the
 * endpoint an event is about (by `host.id`, the FortiClient UID, else by `host.hostname`).
 *
 * Enrichment is best effort and must never stall ingestion. Answers are cached (hits for `ttlMs`, "no such
 * endpoint" for the shorter `negativeTtlMs`); concurrent questions about one endpoint share one request; requests
 * are limited in number; each event waits at most `timeoutMs` and then goes on without context; and after a few
 * consecutive failures a back-off stops asking a dead API for a few seconds. Every outcome is counted.
 */

export interface EndpointContextOptions {
  /** The EMS admin API: `http://host:8090` (or with `/api/v1`). */
  url: string;
  /** Its admin bearer token. */
  token: string;
  /** How long an event waits for its lookup, and the request's own timeout. Default 200 ms. */
  timeoutMs?: number;
  /** Endpoints remembered. Default 10 000. */
  cacheSize?: number;
  /** How long a found endpoint is remembered. Default 5 minutes. */
  ttlMs?: number;
  /** How long "no such endpoint" is remembered. Default 30 s (or ttlMs if shorter). */
  negativeTtlMs?: number;
  /** Requests in flight at once. Default 8. */
  maxConcurrentRequests?: number;
  /** Consecutive failures (timeouts, errors) that start a back-off. Default 3. */
  failureThreshold?: number;
  /** First back-off; doubled after each failed trial up to maxBackoffMs. Defaults 5 s and 60 s. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** For tests. */
  fetch?: typeof fetch;
  now?: () => number;
}

/** What is added to an event (the inventory's `user` is the endpoint's owner). */
export interface EndpointContext {
  groups: readonly string[];
  tags: readonly string[];
  owner: string;
  status: string;
  policy: string;
  osFull: string;
  osType: string;
}

export interface EndpointContextCounters {
  /** Events that asked (had a host.id or host.hostname). */
  lookups: number;
  /** Answered from the cache (found or known absent). */
  hits: number;
  /** Not in the cache: a request was made, joined, or skipped. */
  misses: number;
  /** HTTP requests sent to the inventory API. */
  requests: number;
  /** Requests whose answer was: no such endpoint. */
  notFound: number;
  /** Requests that ran out of time. */
  timeouts: number;
  /** Requests that failed otherwise: refused connection, HTTP error, unexpected answer. */
  errors: number;
  /** Lookups not attempted: back-off in force, or too many requests waiting. */
  skipped: number;
  /** Events passed on un-enriched because their lookup had not answered within timeoutMs. */
  late: number;
  /** Events that got endpoint context. */
  enriched: number;
}

export const ENDPOINT_CONTEXT_DEFAULTS = {
  timeoutMs: 200,
  cacheSize: 10_000,
  ttlMs: 5 * 60_000,
  negativeTtlMs: 30_000,
  maxConcurrentRequests: 8,
  failureThreshold: 3,
  backoffMs: 5_000,
  maxBackoffMs: 60_000,
} as const;

/** Room for a large batch of distinct endpoints; beyond it, lookups are skipped rather than queued without bound. */
const MAX_WAITING_REQUESTS = 1024;

/** Undefined: not known (lookup failed or skipped); null: the inventory has no such endpoint. */
type Answer = EndpointContext | null | undefined;

function contextOf(endpoint: InventoryEndpoint): EndpointContext {
  return {
    groups: Object.freeze([...endpoint.groups]),
    tags: Object.freeze([...endpoint.tags]),
    owner: endpoint.user,
    status: endpoint.status,
    policy: endpoint.policy,
    osFull: endpoint.os,
    osType: endpoint.osFamily,
  };
}

function objectAt(parent: Record<string, unknown>, name: string): Record<string, unknown> {
  const value = parent[name];
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  const created: Record<string, unknown> = {};
  parent[name] = created;
  return created;
}

/** The inventory key an event's document names: its UID (case-insensitive, as EMS compares), else its hostname. */
export function endpointKeyOf(document: Record<string, unknown>): EndpointKey | undefined {
  const host = document.host as Record<string, unknown> | undefined;
  if (typeof host !== 'object' || host === null) return undefined;
  if (typeof host.id === 'string' && host.id !== '') return { by: 'uid', value: host.id.toUpperCase() };
  if (typeof host.hostname === 'string' && host.hostname !== '') return { by: 'hostname', value: host.hostname.toLowerCase() };
  return undefined;
}

/** Adds `fortiems.endpoint.*`, and `host.os.full`/`host.os.type` where the event has none. */
export function applyEndpointContext(document: Record<string, unknown>, context: EndpointContext): void {
  const endpoint: Record<string, unknown> = { groups: [...context.groups], tags: [...context.tags] };
  if (context.owner !== '') endpoint.owner = context.owner;
  if (context.status !== '') endpoint.status = context.status;
  if (context.policy !== '') endpoint.policy = context.policy;
  objectAt(document, 'fortiems').endpoint = endpoint;
  if (context.osFull === '' && context.osType === '') return;
  const os = objectAt(objectAt(document, 'host'), 'os');
  if (context.osFull !== '') os.full ??= context.osFull;
  if (context.osType !== '') os.type ??= context.osType;
}

export class EndpointContextEnricher {
  private readonly client: InventoryClient;
  private readonly cache: LRUCache<string, CachedAnswer>;
  private readonly inFlight = new Map<string, Promise<Answer>>();
  private readonly limit: Semaphore;
  private readonly breaker: BackoffBreaker;
  private readonly timeoutMs: number;
  private readonly ttlMs: number;
  private readonly negativeTtlMs: number;
  private readonly counts: EndpointContextCounters = {
    lookups: 0,
    hits: 0,
    misses: 0,
    requests: 0,
    notFound: 0,
    timeouts: 0,
    errors: 0,
    skipped: 0,
    late: 0,
    enriched: 0,
  };

  constructor(options: EndpointContextOptions) {
    const settings = { ...ENDPOINT_CONTEXT_DEFAULTS, ...definedOnly(options) };
    this.timeoutMs = settings.timeoutMs;
    this.ttlMs = settings.ttlMs;
    this.negativeTtlMs = Math.min(options.negativeTtlMs ?? settings.negativeTtlMs, settings.ttlMs);
    this.client = new InventoryClient({ url: options.url, token: options.token, timeoutMs: settings.timeoutMs, fetch: options.fetch });
    this.cache = answerCache(settings.cacheSize, options.now);
    this.limit = new Semaphore(settings.maxConcurrentRequests, MAX_WAITING_REQUESTS);
    this.breaker = new BackoffBreaker({
      failureThreshold: settings.failureThreshold,
      openMs: settings.backoffMs,
      maxOpenMs: settings.maxBackoffMs,
      now: options.now,
    });
  }

  /** Adds context to one event: synchronously when the cache knows the endpoint, else within timeoutMs. */
  enrich(event: ParsedEvent): Promise<void> | void {
    return this.enrichBatch([event]);
  }

  /**
   * Adds context to every event of a batch: cache first, then one request per distinct unknown endpoint, all in
   * parallel (within the request limit), and the whole batch waits at most timeoutMs. Returns undefined when the
   * cache answered everything. Never rejects.
   */
  enrichBatch(events: readonly ParsedEvent[]): Promise<void> | undefined {
    const pending: Array<{ document: Record<string, unknown>; answer: Promise<Answer> }> = [];
    for (const event of events) {
      if (event.kind !== 'event') continue;
      const key = endpointKeyOf(event.document);
      if (!key) continue;
      const answer = this.answerFor(key);
      if (answer instanceof Promise) pending.push({ document: event.document, answer });
      else if (answer) this.apply(event.document, answer);
    }
    return pending.length > 0 ? this.awaitWithinDeadline(pending) : undefined;
  }

  counters(): Readonly<EndpointContextCounters> {
    return { ...this.counts };
  }

  /** True while the back-off keeps requests from going out. */
  get backingOff(): boolean {
    return this.breaker.isOpen;
  }

  private apply(document: Record<string, unknown>, context: EndpointContext): void {
    applyEndpointContext(document, context);
    this.counts.enriched++;
  }

  private async awaitWithinDeadline(pending: Array<{ document: Record<string, unknown>; answer: Promise<Answer> }>): Promise<void> {
    // After the deadline the pipeline owns the documents again: a late answer fills the cache, never the document.
    let expired = false;
    let unanswered = pending.length;
    const answered = Promise.all(
      pending.map(({ document, answer }) =>
        answer.then((context) => {
          if (expired) return;
          unanswered--;
          if (context) this.apply(document, context);
        }),
      ),
    );
    await waitAtMost(answered, this.timeoutMs);
    expired = true;
    this.counts.late += unanswered;
  }

  /** The cached answer (synchronously), or a promise of it: a request in flight for the key is joined, not repeated. */
  private answerFor(key: EndpointKey): Answer | Promise<Answer> {
    this.counts.lookups++;
    const cacheKey = `${key.by}:${key.value}`;
    const cached = this.cache.get(cacheKey);
    if (cached) {
      this.counts.hits++;
      return cached.context;
    }
    this.counts.misses++;
    const joined = this.inFlight.get(cacheKey);
    if (joined) return joined;
    if (this.breaker.isOpen) {
      this.counts.skipped++;
      return undefined;
    }
    const request = this.limit.run(() => this.request(key, cacheKey));
    if (!request) {
      this.counts.skipped++;
      return undefined;
    }
    const answer = request.finally(() => this.inFlight.delete(cacheKey));
    this.inFlight.set(cacheKey, answer);
    return answer;
  }

  private async request(key: EndpointKey, cacheKey: string): Promise<Answer> {
    // Checked again here: a lookup may have waited for a slot while the API was found dead.
    if (!this.breaker.tryAcquire()) {
      this.counts.skipped++;
      return undefined;
    }
    this.counts.requests++;
    try {
      const endpoint = await this.client.lookup(key);
      this.breaker.succeeded();
      if (!endpoint) {
        this.counts.notFound++;
        this.cache.set(cacheKey, { context: null }, { ttl: this.negativeTtlMs });
        return null;
      }
      const context = contextOf(endpoint);
      this.cache.set(cacheKey, { context }, { ttl: this.ttlMs });
      return context;
    } catch (error) {
      this.breaker.failed();
      if (error instanceof EmsApiUnavailableError && error.timedOut) this.counts.timeouts++;
      else this.counts.errors++;
      return undefined;
    }
  }
}

// lru-cache holds no null, so a known-absent endpoint is cached as { context: null }.
type CachedAnswer = { context: EndpointContext | null };

/**
 * The answers remembered: least recently used out first when full, each entry with its own TTL (a hit lives longer
 * than a "no such endpoint"). On the real clock lru-cache reuses a reading for 1 ms (TTLs are seconds; it saves a
 * clock read per get); an injected `now` (tests) is read on every get, so it is obeyed exactly.
 */
export function answerCache(maxEntries: number, now?: () => number): LRUCache<string, CachedAnswer> {
  return new LRUCache<string, CachedAnswer>({ max: maxEntries, ...(now ? { perf: { now }, ttlResolution: 0 } : {}) });
}
