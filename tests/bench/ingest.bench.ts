/**
 * npm run bench:ingest — end-to-end events/s over TCP into a real OpenSearch, against the ceiling: a plain bulk load
 * of the same documents (already parsed, enriched and encoded; same batch size and concurrency as the sink), in the
 * same run and the same cluster. Prints both, their ratio, and the pipeline's peak RSS (VmHWM of the `fortiems
 * ingest` process). Asserts nothing.
 *
 * BENCH_EVENTS (default 200,000) sets the corpus; OPENSEARCH_URL selects a cluster, else a managed node is started
 * in a temporary folder and stopped at the end. Each run writes into fresh namespaces and deletes them at the end, so
 * it can run any number of times against the same cluster.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { provideOpenSearch } from '../../app/opensearch/target.js';
import { installMappings } from '../../ingest/sinks/search/install-mappings.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import { emsLines } from './bench-support.js';
import { BATCH, CONCURRENCY, deleteNamespace, freshNamespace, pipelineEndToEnd, plainBulk } from './end-to-end.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fortiems-bench-ingest-'));
  // A folder of its own: as root the node runs as an unprivileged user, who owns its instance folder and nothing else.
  const instanceDir = mkdtempSync(join(tmpdir(), 'fortiems-bench-opensearch-'));
  const opensearch = await provideOpenSearch({
    instanceDir,
    port: 0,
    heap: '2g',
    log: (line) => console.log(line),
  });
  // Fresh namespaces each run (the ids are deterministic: a second run into the same ones would get 409s), deleted at the end.
  const namespaces = {
    warmup: freshNamespace('benchwarmup'),
    before: freshNamespace('benchceiling'),
    e2e: freshNamespace('benche2e'),
    after: freshNamespace('benchceiling2'),
  };
  const client = createOpenSearchClient(opensearch);
  try {
    console.log(
      `corpus: ${EVENTS} EMS lines; OpenSearch ${opensearch.url} (${opensearch.source}); batch ${BATCH}, concurrency ${CONCURRENCY}`,
    );
    const lines = await emsLines(EVENTS, 5);
    for (const namespace of [namespaces.warmup, namespaces.before, namespaces.after]) await installMappings(client, { namespace });
    // OpenSearch's JIT warms up over the first tens of thousands of documents: warm it, then measure the ceiling before
    // and after the pipeline's run and compare with the better of the two.
    await plainBulk(opensearch.url, lines.slice(0, 20_000), namespaces.warmup);
    const before = await plainBulk(opensearch.url, lines, namespaces.before);
    console.log(`ceiling (plain bulk of the same documents), before: ${Math.round(before)} events/s`);
    const e2e = await pipelineEndToEnd(dir, opensearch.url, lines, namespaces.e2e);
    console.log(
      `end to end (TCP → parse → enrich → spool → bulk):  ${Math.round(e2e.rate)} events/s (sender finished at ${Math.round(e2e.sendRate)} lines/s)`,
    );
    const after = await plainBulk(opensearch.url, lines, namespaces.after);
    console.log(`ceiling, after:                                   ${Math.round(after)} events/s`);
    const ceiling = Math.max(before, after);
    console.log(`ratio: ${((e2e.rate / ceiling) * 100).toFixed(1)}% of the ceiling`);
    console.log(`pipeline peak RSS: ${e2e.rssMiB.toFixed(0)} MiB`);
  } finally {
    for (const namespace of Object.values(namespaces)) await deleteNamespace(client, namespace);
    await client.close();
    await opensearch.release();
    rmSync(dir, { recursive: true, force: true });
    rmSync(instanceDir, { recursive: true, force: true });
  }
}

await main();
