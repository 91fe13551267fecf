import v8 from 'node:v8';
import { DEFAULT_CACHE_BYTES } from '../../ingest/buffers/disk-spool.js';
import type { FortiemsConfig } from '../../ingest/config/types.js';
import { DEFAULT_QUEUE_BYTES } from '../../ingest/pipeline/pipeline.js';
import { ActionableError } from '../../platform/errors.js';

/**
 * How far V8 lets the old generation grow past what survived the last full collection before it collects again
 * (`FORTIEMS_HEAP_GROWTH_PERCENT`). 0, the default, leaves it to V8's own heuristic (up to 4× when collections look
 * cheap). A bound trades CPU for memory: measured end to end with one parse worker (200k EMS lines into OpenSearch,
 * interleaved runs), 50% cut peak RSS from 385–447 MiB to 327–334 MiB but raised the process's CPU from 46–51 to
 * 60–72 µs per event, and 100% gave 337–343 MiB for 60–63 µs. On a host where the pipeline shares the CPU with
 * OpenSearch, CPU is throughput, so the default spends memory; a memory-tight host sets 50.
 */
export const DEFAULT_HEAP_GROWTH_PERCENT = 0;
const MAX_HEAP_GROWTH_PERCENT = 400;

/** What the process holds apart from the events: the module graph, the GeoIP/ASN tables, the HTTP server (measured ~45 MiB). */
const BASE_HEAP_MIB = 64;
const MiB = 1024 * 1024;
const DEFAULT_BATCH_BYTES = 5 * MiB;
const DEFAULT_SINK_CONCURRENCY = 2;
/** A batch in flight is held as its payloads, the joined bulk body and the client's request: three copies. */
const COPIES_PER_BATCH = 3;
/** A queued line costs its characters, its object and its id: about twice its text for EMS lines. */
const QUEUE_OVERHEAD = 2;

/** `FORTIEMS_HEAP_GROWTH_PERCENT` (an integer, 0 = V8's own heuristic), or the default. */
export function heapGrowthPercent(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.FORTIEMS_HEAP_GROWTH_PERCENT?.trim();
  if (raw === undefined || raw === '') return DEFAULT_HEAP_GROWTH_PERCENT;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value > MAX_HEAP_GROWTH_PERCENT)
    throw new ActionableError(
      `FORTIEMS_HEAP_GROWTH_PERCENT=${raw} is not an integer from 0 to ${MAX_HEAP_GROWTH_PERCENT}`,
      `unset it for the default (${DEFAULT_HEAP_GROWTH_PERCENT}), or set 0 to leave heap growth to V8`,
    );
  return value;
}

/**
 * The heap (MiB) the configuration's bounds can fill at once: the queue, each sink's spool cache and batches in flight,
 * on top of the fixed base. An estimate from sizes, not a measurement: what the heap limit must leave room for.
 */
export function configuredHeapMiB(config: FortiemsConfig): number {
  let bytes = BASE_HEAP_MIB * MiB + (config.pipeline?.queue_bytes ?? DEFAULT_QUEUE_BYTES) * QUEUE_OVERHEAD;
  for (const sink of Object.values(config.sinks ?? {})) {
    if ((sink.buffer?.type ?? 'disk') === 'disk') bytes += Math.min(DEFAULT_CACHE_BYTES, sink.buffer?.max_bytes ?? DEFAULT_CACHE_BYTES);
    bytes += (sink.batch?.max_bytes ?? DEFAULT_BATCH_BYTES) * (sink.concurrency ?? DEFAULT_SINK_CONCURRENCY) * COPIES_PER_BATCH;
  }
  return Math.ceil(bytes / MiB);
}

/**
 * Applies the heap growth setting and refuses to start when V8's heap limit (`--max-old-space-size`, e.g. through
 * NODE_OPTIONS) is below what the configuration can hold: a clear error now rather than an out-of-memory crash at the
 * first burst. Returns the growth applied and the two sizes, for the start-up log.
 */
export function applyHeapSettings(
  config: FortiemsConfig,
  env: NodeJS.ProcessEnv = process.env,
  heapLimitMiB = v8.getHeapStatistics().heap_size_limit / MiB,
): { growthPercent: number; neededMiB: number; limitMiB: number } {
  const growthPercent = heapGrowthPercent(env);
  const neededMiB = configuredHeapMiB(config);
  const limitMiB = Math.floor(heapLimitMiB);
  if (limitMiB < neededMiB)
    throw new ActionableError(
      `the JavaScript heap limit (${limitMiB} MiB) is below what this configuration can hold (~${neededMiB} MiB: pipeline.queue_bytes, each sink's spool cache, batch.max_bytes × concurrency)`,
      `raise the limit (NODE_OPTIONS=--max-old-space-size=${neededMiB * 2}) or lower those settings`,
    );
  // V8 reads this flag at every full collection, so setting it at run time takes effect (unlike the heap size limits).
  if (growthPercent > 0) v8.setFlagsFromString(`--heap-growing-percent=${growthPercent}`);
  return { growthPercent, neededMiB, limitMiB };
}
