/**
 * A parse worker (worker_threads): per batch, parse (+ ids) → enrich → for each sink, filter + encode, and send back
 * only the payloads' bytes. Messages are handled one at a time, in order, so a `configure` applies exactly between
 * the batches sent before and after it.
 */
import { parentPort } from 'node:worker_threads';
import { createEnrichStage, type EnrichStage } from '../enrich/enrich-stage.js';
import type { SinkEncoder } from '../sinks/sink-encoder.js';
import { parseAndEnrich } from './process-stage.js';
import { type FromWorker, packPayloads, type ToWorker, unpackLines } from './worker-protocol.js';

interface State {
  namespace: string;
  enrich: EnrichStage | undefined;
  /** What the enrichment counters were at the last result: results carry the difference. */
  reported: Record<string, number>;
  encoders: SinkEncoder[];
}

let state: State | undefined;

async function configure(message: Extract<ToWorker, { type: 'configure' }>): Promise<void> {
  const encoders: SinkEncoder[] = [];
  for (const recipe of message.sinks) {
    const module = (await import(recipe.module)) as Record<string, unknown>;
    const build = module[recipe.name];
    if (typeof build !== 'function') throw new Error(`${recipe.module} exports no encoder builder '${recipe.name}'`);
    encoders.push((build as (id: string, config: unknown) => SinkEncoder)(recipe.id, recipe.config));
  }
  const enrich = message.enrich ? createEnrichStage(message.enrich) : undefined;
  // Loaded now rather than at the first public address, as the main thread does at start.
  enrich?.preload();
  state = { namespace: message.namespace, enrich, reported: {}, encoders };
}

function enrichDelta(current: State): Record<string, number> {
  const now = current.enrich?.metrics() ?? {};
  const delta: Record<string, number> = {};
  for (const [name, value] of Object.entries(now)) {
    if (name.endsWith('_total')) {
      delta[name] = value - (current.reported[name] ?? 0);
      current.reported[name] = value;
    } else delta[name] = value;
  }
  return delta;
}

async function handle(message: ToWorker): Promise<void> {
  if (message.type === 'configure') {
    try {
      await configure(message);
    } catch (error) {
      // Every batch until the next configure is answered `failed`: the pipeline processes it itself.
      state = undefined;
      configureError = error instanceof Error ? error.message : String(error);
    }
    return;
  }
  const current = state;
  if (!current) {
    post({ type: 'failed', seq: message.seq, error: configureError ?? 'the worker was not configured' }, []);
    return;
  }
  try {
    const { events, failures, enrichFailure } = await parseAndEnrich(unpackLines(message.lines), current.namespace, current.enrich);
    const transfer: ArrayBuffer[] = [];
    const sinks = current.encoders.map((encoder) => {
      const packed = packPayloads(encoder, events);
      transfer.push(...packed.transfer);
      return packed.packed;
    });
    post(
      { type: 'result', seq: message.seq, failures, sinks, enrich: enrichDelta(current), ...(enrichFailure ? { enrichFailure } : {}) },
      transfer,
    );
  } catch (error) {
    // Answered, never left unanswered (the pipeline waits for every batch in order): the pipeline processes it itself.
    post({ type: 'failed', seq: message.seq, error: error instanceof Error ? error.message : String(error) }, []);
  }
}

let configureError: string | undefined;

function post(message: FromWorker, transfer: ArrayBuffer[]): void {
  parentPort?.postMessage(message, transfer);
}

/** Counters that move after a batch (a late inventory answer) reach the metrics while the pipeline is idle too. */
const METRICS_INTERVAL_MS = 5000;
setInterval(() => {
  const current = state;
  if (!current?.enrich) return;
  const delta = enrichDelta(current);
  if (Object.entries(delta).some(([name, value]) => name.endsWith('_total') && value !== 0)) post({ type: 'metrics', enrich: delta }, []);
}, METRICS_INTERVAL_MS).unref();

let chain: Promise<void> = Promise.resolve();
parentPort?.on('message', (message: ToWorker) => {
  chain = chain.then(() => handle(message));
});
