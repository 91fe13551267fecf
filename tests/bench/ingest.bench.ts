/**
 * npm run bench:ingest — end-to-end events/s over TCP into a real OpenSearch, against the ceiling: a plain bulk load
 * of the same documents (already parsed, enriched and encoded; same batch size and concurrency as the sink), in the
 * same run and the same cluster. Prints both, their ratio, and the pipeline's peak RSS (VmHWM of the `fortiems
 * ingest` process). Asserts nothing.
 *
 * BENCH_EVENTS (default 200,000) sets the corpus; OPENSEARCH_URL selects a cluster, else a managed node is started
 * in a temporary folder and stopped at the end.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { provideOpenSearch } from '../../app/opensearch/target.js';
import { runSimulation } from '../../ems-core/simulation/runner.js';
import { Simulation } from '../../ems-core/simulation/simulation.js';
import { createEnrichStage } from '../../ingest/enrich/enrich-stage.js';
import { encodeBulkCreate } from '../../ingest/sinks/search/bulk-encoding.js';
import { installMappings } from '../../ingest/sinks/search/install-mappings.js';
import { parseLine } from '../../parsers/parse-line.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import { formatLine, openDestination } from '../../syslog/index.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);
const BATCH = 2000;
const CONCURRENCY = 2;
const CLI = join(import.meta.dirname, '..', '..', '..', 'bin', 'fortiems.js');

async function corpus(count: number): Promise<string[]> {
  const lines: string[] = [];
  const sim = new Simulation({ seed: 5, start: Date.now() - 86_400_000, endpoints: 2000 });
  await runSimulation(sim, (line) => void lines.push(formatLine(line, { format: 'rfc3164', hostname: 'ems01.corp.example.com' })), {
    count,
  });
  return lines;
}

/** The ceiling: the documents the pipeline would index, bulk-loaded directly with the sink's batch size and concurrency. */
async function plainBulk(url: string, lines: string[], namespace: string): Promise<number> {
  const enrich = createEnrichStage({ geoip: true });
  enrich.preload();
  const payloads: string[] = [];
  for (const line of lines) {
    const event = parseLine(line, { receivedAt: Date.now(), namespace });
    enrich.enrich(event);
    payloads.push(encodeBulkCreate(event));
  }
  const bodies: string[] = [];
  for (let i = 0; i < payloads.length; i += BATCH) bodies.push(payloads.slice(i, i + BATCH).join(''));
  const client = createOpenSearchClient({ url });
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++] as string;
        const response = await client.bulk({ body, filter_path: 'errors,items.*.status' } as never);
        if ((response.body as { errors?: boolean }).errors) throw new Error('the ceiling run had item errors');
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await client.close();
  return lines.length / seconds;
}

function peakRssMiB(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) / 1024;
}

async function metric(httpUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n'))
    if (line.startsWith(`${name}{`) && line.includes('component_kind="sink"')) sum += Number(line.split(' ').pop());
  return sum;
}

async function startPipeline(
  dir: string,
  url: string,
  namespace: string,
): Promise<{ child: ChildProcess; httpUrl: string; tcpPort: number }> {
  const config = join(dir, 'fortiems.yaml');
  writeFileSync(
    config,
    `data_dir: ${JSON.stringify(join(dir, 'data'))}
sources:
  syslog_tcp: { type: syslog, mode: tcp, address: "127.0.0.1:0" }
sinks:
  opensearch: { type: opensearch, url: ${JSON.stringify(url)}, namespace: ${namespace}, concurrency: ${CONCURRENCY}, batch: { max_events: ${BATCH} } }
http:
  address: "127.0.0.1:0"
`,
  );
  const child = spawn(process.execPath, [CLI, 'ingest', '--config', config], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, FORTIEMS_LOG_LEVEL: 'warn' },
  });
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const http = /http (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      const tcp = /syslog tcp:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (http && tcp) resolve({ child, httpUrl: http[1] as string, tcpPort: Number(tcp[1]) });
    });
    child.once('exit', (code) => reject(new Error(`fortiems ingest exited (${code}): ${output}`)));
  });
}

async function endToEnd(
  dir: string,
  url: string,
  lines: string[],
  namespace: string,
): Promise<{ rate: number; rssMiB: number; sendRate: number }> {
  const { child, httpUrl, tcpPort } = await startPipeline(dir, url, namespace);
  // The sink installs the templates before its first delivery: do it now, so it is not timed.
  const client = createOpenSearchClient({ url });
  await installMappings(client, { namespace });
  await client.close();
  const destination = openDestination(`tcp://127.0.0.1:${tcpPort}?framing=octet`, { maxQueuedMessages: 100_000, closeTimeoutMs: 300_000 });
  const started = performance.now();
  for (const line of lines) {
    const pushedBack = destination.write(line);
    if (pushedBack) await pushedBack;
  }
  await destination.close();
  const sendSeconds = (performance.now() - started) / 1000;
  let rssMiB = 0;
  while ((await metric(httpUrl, 'fortiems_component_sent_events_total')) < lines.length) {
    rssMiB = Math.max(rssMiB, peakRssMiB(child.pid as number));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const seconds = (performance.now() - started) / 1000;
  rssMiB = Math.max(rssMiB, peakRssMiB(child.pid as number));
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  return { rate: lines.length / seconds, rssMiB, sendRate: lines.length / sendSeconds };
}

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
  try {
    console.log(
      `corpus: ${EVENTS} EMS lines; OpenSearch ${opensearch.url} (${opensearch.source}); batch ${BATCH}, concurrency ${CONCURRENCY}`,
    );
    const lines = await corpus(EVENTS);
    const client = createOpenSearchClient(opensearch);
    for (const namespace of ['benchwarmup', 'benchceiling', 'benchceiling2']) await installMappings(client, { namespace });
    await client.close();
    // OpenSearch's JIT warms up over the first tens of thousands of documents: warm it, then measure the ceiling before
    // and after the pipeline's run and compare with the better of the two.
    await plainBulk(opensearch.url, lines.slice(0, 20_000), 'benchwarmup');
    const before = await plainBulk(opensearch.url, lines, 'benchceiling');
    console.log(`ceiling (plain bulk of the same documents), before: ${Math.round(before)} events/s`);
    const e2e = await endToEnd(dir, opensearch.url, lines, 'benche2e');
    console.log(
      `end to end (TCP → parse → enrich → spool → bulk):  ${Math.round(e2e.rate)} events/s (sender finished at ${Math.round(e2e.sendRate)} lines/s)`,
    );
    const after = await plainBulk(opensearch.url, lines, 'benchceiling2');
    console.log(`ceiling, after:                                   ${Math.round(after)} events/s`);
    const ceiling = Math.max(before, after);
    console.log(`ratio: ${((e2e.rate / ceiling) * 100).toFixed(1)}% of the ceiling`);
    console.log(`pipeline peak RSS: ${e2e.rssMiB.toFixed(0)} MiB`);
  } finally {
    await opensearch.release();
    rmSync(dir, { recursive: true, force: true });
    rmSync(instanceDir, { recursive: true, force: true });
  }
}

await main();
