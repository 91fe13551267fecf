/**
 * The parse workers (`pipeline.workers`): N worker_threads, each given one batch at a time. Batches wait here for a
 * free worker; results come back in whatever order the workers finish (the pipeline restores the order). A worker that
 * dies takes no batch with it: its batch is rejected with `WorkerCrashError` (the pipeline processes it itself) and a
 * fresh worker takes its place. A worker that does not answer a batch within `batchTimeoutMs` is treated the same way
 * (`WorkerTimeoutError`): terminated, its batch rejected, a fresh worker started; whatever it might still send is ignored.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EncodedBatch, EncoderRecipe } from '../sinks/sink-encoder.js';
import type { RawLine } from './raw-line.js';
import { type FromWorker, packLines, type ToWorker, unpackPayloads, type WorkerEnrichOptions } from './worker-protocol.js';

/** `pipeline.workers: auto`: one core stays for the event loop (sources, sinks, spool), at least one worker. */
export function defaultWorkerCount(): number {
  return Math.max(1, availableParallelism() - 1);
}

/** `pipeline.workers` → a count (0: parse on the event loop's thread). */
export function workerCount(setting: 'auto' | number | undefined): number {
  return setting === undefined || setting === 'auto' ? defaultWorkerCount() : setting;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A module a worker can load. Workers run compiled JavaScript: from a TypeScript source (tests under vitest) the
 * built copy in dist/ is used, so run `npm run build` first.
 */
export function runnableModule(url: string): string {
  if (!url.endsWith('.ts')) return url;
  const built = join(ROOT, 'dist', relative(ROOT, fileURLToPath(url)).replace(/\.ts$/, '.js'));
  if (!existsSync(built)) throw new Error(`parse workers run the built code, and ${built} is missing: run npm run build`);
  return pathToFileURL(built).href;
}

export class WorkerCrashError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerCrashError';
  }
}

/** A worker that did not answer its batch in time: the batch is processed elsewhere, the worker terminated. */
export class WorkerTimeoutError extends WorkerCrashError {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerTimeoutError';
  }
}

/**
 * How long a worker may hold a batch: a batch takes well under a second (inventory lookups wait at most their
 * `timeoutMs`, 200 ms by default), so 30 s is only reached by a worker that is stuck (a loop, a wedged dependency).
 * Counted from the hand-off, so it includes a (re)configure queued before the batch (GeoIP loading: a second or two).
 */
export const DEFAULT_WORKER_BATCH_TIMEOUT_MS = 30_000;

export interface WorkerBatchResult {
  /** Lines that became pipeline_error events. */
  failures: number;
  /** One per sink, in the order of the `sinks` the pool was configured with. */
  sinks: EncodedBatch[];
  /** Set when enrichment threw there: the events went on unenriched. */
  enrichFailure?: string;
}

export interface WorkerPoolOptions {
  size: number;
  namespace: string;
  enrich: WorkerEnrichOptions | undefined;
  sinks: readonly EncoderRecipe[];
  /** A worker died or timed out (its batch is rejected and a new worker started). */
  onCrash?: (error: Error) => void;
  /** How long a worker may hold a batch before it is taken for stuck (default `DEFAULT_WORKER_BATCH_TIMEOUT_MS`). */
  batchTimeoutMs?: number;
}

interface Job {
  seq: number;
  lines: readonly RawLine[];
  resolve: (result: WorkerBatchResult) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
  /** Fires when the job has waited too long for its answer. */
  timer: NodeJS.Timeout | undefined;
}

/**
 * Workers that die this many times in a row without finishing a batch are not started again until a reload (new
 * settings may cure them): meanwhile the pipeline parses itself. A batch a worker finishes resets the count.
 */
const CRASHES_BEFORE_GIVING_UP = 3;

export class ParseWorkerPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: Job[] = [];
  private configuration: Extract<ToWorker, { type: 'configure' }>;
  private seq = 0;
  private closing = false;
  private crashesInARow = 0;
  /** Enrichment counters summed over every worker's results; gauges as the last result said. */
  private readonly enrichTotals: Record<string, number> = {};
  private readonly script: string;

  constructor(private readonly options: WorkerPoolOptions) {
    this.script = runnableModule(new URL(`./parse-worker${extensionOf(import.meta.url)}`, import.meta.url).href);
    this.configuration = this.configureMessage(options.enrich, options.sinks);
    for (let i = 0; i < options.size; i++) this.slots.push(this.spawn());
  }

  /** False once workers kept dying: the pipeline then parses on its own thread. */
  get usable(): boolean {
    return !this.closing && this.crashesInARow < CRASHES_BEFORE_GIVING_UP;
  }

  /** New sinks or enrichment for the batches run from now on (the caller drains what is in flight first). */
  configure(change: { enrich?: WorkerEnrichOptions | undefined; sinks?: readonly EncoderRecipe[] }): void {
    const next = this.configureMessage(
      'enrich' in change ? change.enrich : (this.configuration.enrich ?? undefined),
      change.sinks ?? this.configuration.sinks,
    );
    this.configuration = next;
    if ('enrich' in change) for (const name of Object.keys(this.enrichTotals)) delete this.enrichTotals[name];
    if (this.gaveUp()) {
      // The workers kept dying, perhaps of the old settings (an encoder that cannot load): a reload tries them again
      // with the new ones. If they die three times in a row again, the pool gives up again; no batch is lost either way.
      this.crashesInARow = 0;
      for (let i = 0; i < this.options.size; i++) this.slots.push(this.spawn());
      return;
    }
    for (const slot of this.slots) slot.worker.postMessage(next);
  }

  run(lines: readonly RawLine[]): Promise<WorkerBatchResult> {
    if (!this.usable) return Promise.reject(new WorkerCrashError('the parse workers are stopped'));
    return new Promise<WorkerBatchResult>((resolve, reject) => {
      this.waiting.push({ seq: this.seq++, lines, resolve, reject });
      this.dispatch();
    });
  }

  /** The enrichment counters of all workers (`*_total` summed, gauges the latest). */
  enrichMetrics(): Record<string, number> {
    return { ...this.enrichTotals };
  }

  /** The workers holding a batch right now (tests kill one mid-batch). */
  busyWorkers(): Worker[] {
    return this.slots.filter((slot) => slot.job).map((slot) => slot.worker);
  }

  /** Terminates the workers; batches still waiting or running are rejected (the pipeline drains before it closes). */
  async close(): Promise<void> {
    this.closing = true;
    const error = new WorkerCrashError('the parse workers are stopped');
    for (const job of this.waiting.splice(0)) job.reject(error);
    await Promise.all(
      this.slots.map(async (slot) => {
        slot.job?.reject(error);
        slot.job = undefined;
        clearTimeout(slot.timer);
        await slot.worker.terminate();
      }),
    );
  }

  private configureMessage(
    enrich: WorkerEnrichOptions | undefined,
    sinks: readonly EncoderRecipe[],
  ): Extract<ToWorker, { type: 'configure' }> {
    return {
      type: 'configure',
      namespace: this.options.namespace,
      enrich: enrich ?? null,
      sinks: sinks.map((recipe) => ({ ...recipe, module: runnableModule(recipe.module) })),
    };
  }

  private spawn(): Slot {
    const worker = new Worker(new URL(this.script));
    const slot: Slot = { worker, job: undefined, timer: undefined };
    worker.unref();
    worker.postMessage(this.configuration);
    worker.on('message', (message: FromWorker) => {
      // A worker taken out (timed out) may still answer before it ends: its batch went elsewhere, so nothing it says counts.
      if (this.slots.includes(slot)) this.answered(slot, message);
    });
    let failure: Error | undefined;
    worker.on('error', (error) => {
      failure = error;
    });
    worker.on('exit', (code) => this.exited(slot, failure ?? new WorkerCrashError(`parse worker exited with code ${code}`)));
    return slot;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.waiting.length === 0) return;
      if (slot.job) continue;
      const job = this.waiting.shift() as Job;
      slot.job = job;
      slot.timer = setTimeout(() => this.timedOut(slot, job), this.options.batchTimeoutMs ?? DEFAULT_WORKER_BATCH_TIMEOUT_MS);
      slot.timer.unref();
      // A busy worker keeps the process alive (an idle one does not).
      slot.worker.ref();
      const { packed, transfer } = packLines(job.lines);
      slot.worker.postMessage({ type: 'batch', seq: job.seq, lines: packed } satisfies ToWorker, transfer);
    }
  }

  private answered(slot: Slot, message: FromWorker): void {
    if (message.type === 'metrics') {
      this.addEnrichMetrics(message.enrich);
      return;
    }
    const job = slot.job;
    if (!job || job.seq !== message.seq) return;
    slot.job = undefined;
    clearTimeout(slot.timer);
    slot.worker.unref();
    if (message.type === 'failed') {
      // A worker that cannot build its encoders fails every batch: counted like a death, so the pool gives up in time.
      const error = new WorkerCrashError(`parse worker could not process the batch: ${message.error}`);
      this.crashesInARow++;
      this.options.onCrash?.(error);
      job.reject(error);
      if (!this.usable) this.giveUp(error);
    } else {
      this.crashesInARow = 0;
      this.addEnrichMetrics(message.enrich);
      job.resolve({
        failures: message.failures,
        sinks: message.sinks.map(unpackPayloads),
        ...(message.enrichFailure !== undefined ? { enrichFailure: message.enrichFailure } : {}),
      });
    }
    this.dispatch();
  }

  private exited(slot: Slot, error: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    const crash = error instanceof WorkerCrashError ? error : new WorkerCrashError(`parse worker crashed: ${error.message}`);
    this.lost(slot, index, crash);
  }

  /** The worker holds its batch too long: it is stopped and replaced, and its batch goes back to the pipeline. */
  private timedOut(slot: Slot, job: Job): void {
    const index = this.slots.indexOf(slot);
    if (index < 0 || slot.job !== job) return;
    const ms = this.options.batchTimeoutMs ?? DEFAULT_WORKER_BATCH_TIMEOUT_MS;
    this.lost(slot, index, new WorkerTimeoutError(`parse worker did not answer its batch within ${ms} ms; terminated`));
    void slot.worker.terminate();
  }

  /** A worker is gone (died, or taken out): its batch is rejected, and a fresh worker replaces it unless the pool gives up. */
  private lost(slot: Slot, index: number, crash: WorkerCrashError): void {
    const job = slot.job;
    slot.job = undefined;
    clearTimeout(slot.timer);
    if (this.closing) return;
    this.crashesInARow++;
    this.options.onCrash?.(crash);
    job?.reject(crash);
    if (this.usable) {
      this.slots[index] = this.spawn();
      this.dispatch();
    } else {
      this.slots.splice(index, 1);
      this.giveUp(crash);
    }
  }

  private addEnrichMetrics(enrich: Record<string, number>): void {
    for (const [name, value] of Object.entries(enrich))
      this.enrichTotals[name] = name.endsWith('_total') ? (this.enrichTotals[name] ?? 0) + value : value;
  }

  private gaveUp(): boolean {
    return !this.closing && this.crashesInARow >= CRASHES_BEFORE_GIVING_UP;
  }

  /** Workers that cannot live (a broken build, no memory): the pipeline parses on its own thread until a reload. */
  private giveUp(error: Error): void {
    for (const waiting of this.waiting.splice(0)) waiting.reject(error);
    for (const other of this.slots.splice(0)) {
      other.job?.reject(error);
      other.job = undefined;
      clearTimeout(other.timer);
      void other.worker.terminate();
    }
  }
}

/** `.ts` under vitest, `.js` when built. */
function extensionOf(url: string): string {
  return url.endsWith('.ts') ? '.ts' : '.js';
}
