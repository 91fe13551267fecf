/**
 * npm run bench:tap — what a tap costs the pipeline: `fortiems ingest` (syslog TCP → parse → OpenSearch) fed the same
 * corpus with no tap, with a tap on the parse stage whose reader never reads (a paused `fortiems tap | less`), and with
 * one that reads everything; the three interleaved, BENCH_ROUNDS times, each into a fresh namespace. Prints each run's
 * events/s, CPU seconds per million events, the tap's drops and the pipeline's unaccounted events, then the medians
 * and their ratios to the run without a tap. Asserts nothing.
 *
 * BENCH_EVENTS (default 60,000), BENCH_ROUNDS (default 2); OPENSEARCH_URL selects a cluster, else a managed node.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { provideOpenSearch } from '../../app/opensearch/target.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import { emsLines, percentile, scrapeMetrics, sumMetric } from './bench-support.js';
import { deleteNamespace, freshNamespace, pipelineEndToEnd } from './end-to-end.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 60_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const TOKEN = 'bench-tap-token-0123456789';

type Variant = 'no tap' | 'paused reader' | 'reading reader';
const VARIANTS: Variant[] = ['no tap', 'paused reader', 'reading reader'];

interface Run {
  variant: Variant;
  rate: number;
  cpuPerMillion: number;
  tapDropped: number;
  tapRead: number;
  unaccounted: number;
}

/** A tap on the parse stage: `read` false holds the response unread, as a pager that stopped does. */
async function openTap(httpUrl: string, read: boolean): Promise<{ records: () => number; close: () => void }> {
  const abort = new AbortController();
  const response = await fetch(`${httpUrl}/tap?component=parse`, {
    headers: { authorization: `Bearer ${TOKEN}` },
    signal: abort.signal,
  });
  if (response.status !== 200) throw new Error(`tap answered ${response.status}: ${await response.text()}`);
  let newlines = 0;
  const reader = response.body?.getReader();
  if (read && reader)
    void (async () => {
      for (;;) {
        const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
        if (done || !value) return;
        for (const byte of value) if (byte === 10) newlines += 1;
      }
    })();
  return { records: () => newlines, close: () => abort.abort() };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fortiems-bench-tap-'));
  const instanceDir = mkdtempSync(join(tmpdir(), 'fortiems-bench-opensearch-'));
  const opensearch = await provideOpenSearch({ instanceDir, port: 0, heap: '2g', log: (line) => console.log(line) });
  const client = createOpenSearchClient(opensearch);
  const namespaces: string[] = [];
  const runs: Run[] = [];
  try {
    console.log(
      `corpus: ${EVENTS} EMS lines, ${ROUNDS} rounds of ${VARIANTS.join(' / ')}; OpenSearch ${opensearch.url} (${opensearch.source})`,
    );
    const lines = await emsLines(EVENTS, 7);
    for (let round = 0; round < ROUNDS; round += 1)
      for (const variant of VARIANTS) {
        const namespace = freshNamespace('benchtap');
        namespaces.push(namespace);
        let tap: Awaited<ReturnType<typeof openTap>> | undefined;
        let tapDropped = 0;
        let unaccounted = 0;
        const result = await pipelineEndToEnd(dir, opensearch.url, lines, namespace, {
          onStarted: async (httpUrl) => {
            if (variant !== 'no tap') tap = await openTap(httpUrl, variant === 'reading reader');
          },
          onDelivered: async (httpUrl) => {
            const samples = await scrapeMetrics(httpUrl);
            tapDropped = sumMetric(samples, 'fortiems_tap_dropped_events_total');
            unaccounted = sumMetric(samples, 'fortiems_unaccounted_events');
          },
          tapToken: TOKEN,
        });
        const tapRead = tap?.records() ?? 0;
        tap?.close();
        const run = { variant, rate: result.rate, cpuPerMillion: (result.cpuSeconds / EVENTS) * 1e6, tapDropped, tapRead, unaccounted };
        runs.push(run);
        console.log(
          `round ${round + 1} ${variant.padEnd(14)} ${Math.round(run.rate)} events/s, ${run.cpuPerMillion.toFixed(1)} CPU-s per M events, tap read ${tapRead}, tap dropped ${tapDropped}, unaccounted ${unaccounted}`,
        );
      }
    const median = (variant: Variant, pick: (run: Run) => number) =>
      percentile(
        runs
          .filter((run) => run.variant === variant)
          .map(pick)
          .sort((a, b) => a - b),
        50,
      );
    const baseRate = median('no tap', (run) => run.rate);
    const baseCpu = median('no tap', (run) => run.cpuPerMillion);
    for (const variant of VARIANTS) {
      const rate = median(variant, (run) => run.rate);
      const cpu = median(variant, (run) => run.cpuPerMillion);
      console.log(
        `median ${variant.padEnd(14)} ${Math.round(rate)} events/s (×${(rate / baseRate).toFixed(2)} of no tap), ${cpu.toFixed(1)} CPU-s per M events (×${(cpu / baseCpu).toFixed(2)})`,
      );
    }
  } finally {
    for (const namespace of namespaces) await deleteNamespace(client, namespace);
    await client.close();
    await opensearch.release();
    rmSync(dir, { recursive: true, force: true });
    rmSync(instanceDir, { recursive: true, force: true });
  }
}

await main();
