/**
 * fortiems' own retention for its data streams, for clusters without the ISM plugin (the managed node) or when chosen:
 * one pass rolls each `logs-fortiems.*-<namespace>` stream over by age and size, then deletes the backing indices whose
 * age (retention-plan.ts) reached the retention, never a write index. A pass is idempotent (a second one finds nothing
 * left to do) and runs under the namespace's lease (retention-lease.ts), so several processes never act at once.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Client } from '@opensearch-project/opensearch';
import { RetentionLease } from './retention-lease.js';
import { type BackingIndex, type ExpiredIndex, expiredIndices, isFortiemsStream, type StreamIndices } from './retention-plan.js';

export interface RetentionSettings {
  namespace: string;
  retentionDays: number;
  /** `max_age` of the rollover condition (`1d`). */
  rolloverMaxAge: string;
  /** `max_size` of the rollover condition: the write index's primary store (one shard, so the shard's size). */
  rolloverMaxSize: string;
  leaseSeconds: number;
}

export const RETENTION_DEFAULTS = {
  retentionDays: 30,
  rolloverMaxAge: '1d',
  rolloverMaxSize: '25gb',
  leaseSeconds: 300,
  intervalSeconds: 600,
} as const;

/** What a pass did, reported by the metrics hooks (the scheduler counts them in /metrics). */
export interface RetentionEvents {
  leaseAcquired?(): void;
  leaseBusy?(): void;
  leaseLost?(): void;
  rolledOver?(stream: string): void;
  deleted?(index: ExpiredIndex): void;
  error?(stage: 'read' | 'rollover' | 'delete' | 'lease' | 'pass', error: unknown): void;
}

export interface RetentionRunOptions {
  /** Report what would be rolled over and deleted; change nothing and take no lease. */
  dryRun?: boolean;
  /** The clock ages are judged by (tests move it forward instead of waiting a month); the lease keeps the real one. */
  now?: () => number;
  /** This process's name in the lease (default host:pid:random). */
  holder?: string;
  log?: (line: string) => void;
  events?: RetentionEvents;
}

export interface RetentionReport {
  outcome: 'done' | 'dry-run' | 'lease-held' | 'lease-lost';
  /** lease-held: who holds it, until when. */
  holder?: string;
  leaseExpiresAt?: number;
  /** Streams rolled over (dry-run: whose conditions are met). */
  rolledOver: string[];
  /** Expired backing indices found after the rollovers. */
  expired: ExpiredIndex[];
  deleted: ExpiredIndex[];
  errors: string[];
}

// Host and pid for the operator; the random part because containers on one host name can all be pid 1.
const HOLDER = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

/** This process's name in the lease. */
export function defaultHolder(): string {
  return HOLDER;
}

function reason(error: unknown): string {
  const body = (error as { meta?: { body?: { error?: { type?: string; reason?: string } } } }).meta?.body;
  if (body?.error?.reason) return `${body.error.type}: ${body.error.reason}`;
  return (error as Error).message;
}

/** The namespace's fortiems data streams with their backing indices' creation and rollover times. */
export async function readStreams(client: Client, namespace: string): Promise<StreamIndices[]> {
  const response = await client.indices.getDataStream({ name: `logs-fortiems.*-${namespace}` }, { ignore: [404] });
  const listed = (response.body as { data_streams?: { name: string; indices: { index_name: string }[] }[] }).data_streams ?? [];
  const streams: StreamIndices[] = [];
  for (const stream of listed) {
    if (!isFortiemsStream(stream.name, namespace)) continue;
    const names = stream.indices.map((index) => index.index_name);
    const known = await indexTimes(client, stream.name, names);
    streams.push({ name: stream.name, indices: names.map((name) => known.get(name) ?? { name, createdAt: Date.now() }) });
  }
  return streams;
}

interface IndexMetadata {
  settings?: { index?: { creation_date?: string } };
  rollover_info?: Record<string, { time?: number }>;
}

async function indexTimes(client: Client, stream: string, names: string[]): Promise<Map<string, BackingIndex>> {
  const times = new Map<string, BackingIndex>();
  const filter = 'metadata.indices.*.settings.index.creation_date,metadata.indices.*.rollover_info';
  const state = await client.transport.request(
    { method: 'GET', path: `/_cluster/state/metadata/${names.map(encodeURIComponent).join(',')}`, querystring: { filter_path: filter } },
    { ignore: [401, 403] },
  );
  if (state.statusCode === 200) {
    const indices = (state.body as { metadata?: { indices?: Record<string, IndexMetadata> } }).metadata?.indices ?? {};
    for (const [name, meta] of Object.entries(indices)) {
      const rolledOverAt = meta.rollover_info?.[stream]?.time;
      times.set(name, { name, createdAt: Number(meta.settings?.index?.creation_date), ...(rolledOverAt ? { rolledOverAt } : {}) });
    }
    return times;
  }
  // No cluster monitor right: creation dates from the index settings; retention-plan.ts then ages by the next index.
  const settings = await client.indices.getSettings({ index: names.join(','), name: 'index.creation_date', expand_wildcards: 'all' });
  for (const [name, value] of Object.entries(settings.body as Record<string, { settings: IndexMetadata['settings'] }>))
    times.set(name, { name, createdAt: Number(value.settings?.index?.creation_date) });
  return times;
}

/** Rolls the stream over when its write index meets max_age or max_size; an empty write index is left alone. */
async function rollover(client: Client, stream: StreamIndices, settings: RetentionSettings, dryRun: boolean): Promise<boolean> {
  const write = stream.indices.at(-1);
  if (!write) return false;
  // An idle stream would otherwise get a new empty index (a shard) every max_age: 10 streams × 30 days of them.
  const count = await client.count({ index: write.name });
  if (count.body.count === 0) return false;
  const response = await client.indices.rollover({
    alias: stream.name,
    dry_run: dryRun,
    body: { conditions: { max_age: settings.rolloverMaxAge, max_size: settings.rolloverMaxSize } },
  } as never);
  const body = response.body as { rolled_over?: boolean; conditions?: Record<string, boolean> };
  return dryRun ? Object.values(body.conditions ?? {}).some(Boolean) : body.rolled_over === true;
}

/** One retention pass over the namespace's fortiems data streams (see the file's comment). */
export async function runRetention(
  client: Client,
  settings: RetentionSettings,
  options: RetentionRunOptions = {},
): Promise<RetentionReport> {
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => undefined);
  const events = options.events ?? {};
  const dryRun = options.dryRun ?? false;
  const report: RetentionReport = { outcome: dryRun ? 'dry-run' : 'done', rolledOver: [], expired: [], deleted: [], errors: [] };
  const fail = (stage: Parameters<NonNullable<RetentionEvents['error']>>[0], what: string, error: unknown) => {
    report.errors.push(`${what}: ${reason(error)}`);
    events.error?.(stage, error);
    log(`retention: ${what} failed: ${reason(error)}`);
  };

  let lease: RetentionLease | undefined;
  if (!dryRun) {
    lease = new RetentionLease(client, `retention-${settings.namespace}`, options.holder ?? defaultHolder(), settings.leaseSeconds * 1000);
    const taken = await lease.acquire(Date.now());
    if (!taken.acquired) {
      events.leaseBusy?.();
      log(
        `retention: ${taken.holder} holds the lease of namespace ${settings.namespace} until ${new Date(taken.expiresAt).toISOString()}; nothing done`,
      );
      return { ...report, outcome: 'lease-held', holder: taken.holder, leaseExpiresAt: taken.expiresAt };
    }
    events.leaseAcquired?.();
  }
  const stillHeld = async (): Promise<boolean> => {
    if (!lease || (await lease.renew(Date.now()))) return true;
    events.leaseLost?.();
    report.outcome = 'lease-lost';
    log(`retention: the lease of namespace ${settings.namespace} was taken over by another process; stopping this pass`);
    return false;
  };

  try {
    let streams = await readStreams(client, settings.namespace);
    for (const stream of streams) {
      try {
        if (await rollover(client, stream, settings, dryRun)) {
          report.rolledOver.push(stream.name);
          if (!dryRun) {
            events.rolledOver?.(stream.name);
            log(`retention: rolled ${stream.name} over (max_age ${settings.rolloverMaxAge}, max_size ${settings.rolloverMaxSize})`);
          }
        }
      } catch (error) {
        fail('rollover', `rollover of ${stream.name}`, error);
      }
    }
    // Read again: a rollover made a new write index, and the old one may now be a candidate.
    if (report.rolledOver.length > 0 && !dryRun) streams = await readStreams(client, settings.namespace);
    report.expired = expiredIndices(streams, now(), settings.retentionDays);
    if (dryRun) return report;
    for (const expired of report.expired) {
      if (!(await stillHeld())) break;
      try {
        // 404: already gone (deleted by hand, or by a previous pass that crashed before it could say so).
        await client.indices.delete({ index: expired.index }, { ignore: [404] });
        report.deleted.push(expired);
        events.deleted?.(expired);
        log(
          `retention: deleted ${expired.index} of ${expired.stream} (${expired.ageDays} days since ${expired.basis === 'created' ? 'created' : 'rollover'}, retention ${settings.retentionDays})`,
        );
      } catch (error) {
        fail('delete', `deleting ${expired.index}`, error);
      }
    }
  } catch (error) {
    fail('read', `reading the data streams of namespace ${settings.namespace}`, error);
  } finally {
    await lease?.release().catch((error: unknown) => fail('lease', 'releasing the lease', error));
  }
  return report;
}
