/**
 * npm run bench:peers — fortiems side by side with syslog-ng on the same machine, the same lines and the same OpenSearch
 * node, in one run, interleaved (A/B, B/A, … for BENCH_ROUNDS rounds, default 3); prints every round, then the median
 * and min–max of each figure. Asserts nothing; not part of `npm test`.
 *
 * (a) parse: CPU seconds (user + system, from the child's rusage via /usr/bin/time) per million lines of
 *     `fortiems parse FILE > /dev/null` (the built CLI) and of syslog-ng reading the same file on stdin with `kv-parser`
 *     and a `format-json` file destination; BENCH_PARSE_LINES lines (default 300,000).
 * (b) end to end into OpenSearch, BENCH_EVENTS lines (default 200,000): `fortiems ingest` (syslog TCP in, octet
 *     counted), syslog-ng (`network()` TCP in, `kv-parser`, `http()` to `_bulk` with `flags(flow-control)`), and the
 *     plain bulk ceiling of our own documents (as `bench:ingest`). Each run writes into a fresh namespace / index,
 *     checks the count that landed, and deletes it.
 * (c) peak RSS (VmHWM) of each process, and the CPU seconds each process spent end to end.
 *
 * The corpus is EMS core lines from `fortiems ems simulate --to file:///… --count N --seed 1`. syslog-ng comes from
 * Debian's syslog-ng-core and syslog-ng-mod-http, extracted (not installed) into SYSLOG_NG_HOME (default
 * ~/.cache/fortiems/syslog-ng) by tests/bench/fetch-syslog-ng.sh, which this runs when they are missing.
 * OPENSEARCH_URL selects a cluster, else a managed node is started in a temporary folder and stopped at the end.
 */
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { closeSync, createReadStream, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { availableParallelism, cpus, homedir, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { provideOpenSearch } from '../../app/opensearch/target.js';
import { installMappings } from '../../ingest/sinks/search/install-mappings.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import {
  BATCH,
  CLI,
  CONCURRENCY,
  cpuSeconds,
  deleteNamespace,
  freshNamespace,
  peakRssMiB,
  pipelineEndToEnd,
  plainBulk,
  sendLines,
} from './end-to-end.js';

const PARSE_LINES = Number(process.env.BENCH_PARSE_LINES ?? 300_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RUN_TIMEOUT_MS = 30 * 60_000;
const ROOT = join(import.meta.dirname, '..', '..', '..');
const SYSLOG_NG_HOME = process.env.SYSLOG_NG_HOME ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'fortiems', 'syslog-ng');
const execFileAsync = promisify(execFile);

// ---------------------------------------------------------------------------------------------------------------------
// syslog-ng, extracted

interface SyslogNg {
  exe: string;
  ctl: string;
  modules: string;
  env: NodeJS.ProcessEnv;
  version: string;
}

function syslogNgModules(): string | undefined {
  const libs = join(SYSLOG_NG_HOME, 'usr', 'lib', 'syslog-ng');
  const version = existsSync(libs) ? readdirSync(libs).find((name) => /^\d+\.\d+$/.test(name)) : undefined;
  return version ? join(libs, version) : undefined;
}

function syslogNg(): SyslogNg {
  const exe = join(SYSLOG_NG_HOME, 'usr', 'sbin', 'syslog-ng');
  let modules = syslogNgModules();
  if (!existsSync(exe) || !modules || !existsSync(join(modules, 'libhttp.so'))) {
    console.log(`syslog-ng with its http() module is not extracted in ${SYSLOG_NG_HOME}: running tests/bench/fetch-syslog-ng.sh`);
    const fetched = spawnSync('bash', [join(ROOT, 'tests', 'bench', 'fetch-syslog-ng.sh')], {
      stdio: 'inherit',
      env: { ...process.env, SYSLOG_NG_HOME },
      timeout: 600_000,
    });
    modules = syslogNgModules();
    if (fetched.status !== 0 || !modules) throw new Error('tests/bench/fetch-syslog-ng.sh failed');
  }
  const env = {
    ...process.env,
    LD_LIBRARY_PATH: [join(SYSLOG_NG_HOME, 'usr', 'lib', 'syslog-ng'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
  };
  const version = spawnSync(exe, ['--version'], { env, encoding: 'utf8' }).stdout.split('\n')[0]?.trim() ?? '?';
  return { exe, ctl: join(SYSLOG_NG_HOME, 'usr', 'sbin', 'syslog-ng-ctl'), modules, env, version };
}

const OPTIONS = 'options { keep-hostname(yes); chain-hostnames(no); use-dns(no); dns-cache(no); stats-freq(0); log-msg-size(262144); };';
/** The key=value pairs of the message, plus the header's time and host: the bare map syslog-ng indexes. */
const JSON_TEMPLATE = `$(format-json --key .kv.* --rekey .kv.* --shift 4 @timestamp=\${ISODATE} host=\${HOST})`;

function syslogNgArgs(ng: SyslogNg, dir: string, config: string): string[] {
  return [
    '-F',
    '--no-caps',
    '-f',
    config,
    `--module-path=${ng.modules}`,
    '-p',
    join(dir, 'syslog-ng.pid'),
    '-R',
    join(dir, 'syslog-ng.persist'),
    '-c',
    join(dir, 'syslog-ng.ctl'),
    '--stderr',
  ];
}

// ---------------------------------------------------------------------------------------------------------------------
// processes: every one started is killed at the end, whatever happens

const children = new Set<ChildProcess>();

/** The /usr/bin/time wrappers run detached, in a process group of their own: killing the group reaches the command too. */
function kill(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.spawnargs[0] === '/usr/bin/time' && child.pid) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // already gone
  }
}

process.once('exit', () => {
  for (const child of children) kill(child, 'SIGKILL');
});
/** What an interrupted run still has to undo (the managed OpenSearch, the temp folders), set once main() has it. */
let undo: (() => Promise<void>) | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    for (const child of children) kill(child, 'SIGKILL');
    void Promise.race([undo?.(), sleep(60_000)]).finally(() => process.exit(130));
  });

function track(child: ChildProcess): Promise<number | null> {
  children.add(child);
  return new Promise((resolve) => {
    child.once('error', () => {
      children.delete(child);
      resolve(null);
    });
    child.once('exit', (code) => {
      children.delete(child);
      resolve(code);
    });
  });
}

async function stop(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if (!(await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]))) {
    child.kill('SIGKILL');
    await exited;
  }
}

async function withTimeout<T>(what: string, promise: Promise<T>, child: ChildProcess): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      kill(child, 'SIGKILL');
      reject(new Error(`${what} did not finish in ${RUN_TIMEOUT_MS / 1000} s`));
    }, RUN_TIMEOUT_MS);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function countLines(file: string): Promise<number> {
  let count = 0;
  for await (const chunk of createReadStream(file)) {
    const bytes = chunk as Buffer;
    for (let at = bytes.indexOf(10); at !== -1; at = bytes.indexOf(10, at + 1)) count++;
  }
  return count;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// (a) parse CPU

interface ParseResult {
  cpuSeconds: number;
  userSeconds: number;
  systemSeconds: number;
  wallSeconds: number;
  rssMiB: number;
}

/** `/usr/bin/time -f … -o FILE` around a command: the child's rusage (wall, user, system, max RSS). */
function readTime(file: string): Omit<ParseResult, 'cpuSeconds'> {
  const last = readFileSync(file, 'utf8').trim().split('\n').pop() ?? '';
  const [wall, user, system, maxKiB] = last.split(' ').map(Number);
  if ([wall, user, system, maxKiB].some((value) => value === undefined || Number.isNaN(value)))
    throw new Error(`unexpected /usr/bin/time output: ${last}`);
  return { wallSeconds: wall as number, userSeconds: user as number, systemSeconds: system as number, rssMiB: (maxKiB as number) / 1024 };
}

const TIME_FORMAT = '%e %U %S %M';

async function parseFortiems(dir: string, file: string, lines: number): Promise<ParseResult> {
  const timeFile = join(dir, 'time-fortiems');
  const devNull = openSync('/dev/null', 'w');
  const child = spawn('/usr/bin/time', ['-f', TIME_FORMAT, '-o', timeFile, process.execPath, CLI, 'parse', file], {
    stdio: ['ignore', devNull, 'pipe'],
    detached: true,
  });
  closeSync(devNull);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await withTimeout('fortiems parse', track(child), child);
  if (code !== 0) throw new Error(`fortiems parse exited with ${code}: ${stderr}`);
  const parsed = /(\d+) lines: /.exec(stderr);
  if (Number(parsed?.[1]) !== lines) throw new Error(`fortiems parse read ${parsed?.[1]} lines of ${lines}: ${stderr}`);
  const time = readTime(timeFile);
  return { ...time, cpuSeconds: time.userSeconds + time.systemSeconds };
}

async function parseSyslogNg(ng: SyslogNg, dir: string, file: string, lines: number): Promise<ParseResult> {
  const runDir = mkdtempSync(join(dir, 'syslog-ng-parse-'));
  try {
    const config = join(runDir, 'syslog-ng.conf');
    const output = join(runDir, 'out.json');
    // stdin(): syslog-ng stops at the end of its input (a regular file cannot be polled there, so it is piped).
    writeFileSync(
      config,
      `@version: 3.38
${OPTIONS}
source s_stdin { stdin(log-iw-size(10000)); };
parser p_kv { kv-parser(prefix(".kv.")); };
destination d_json { file("${output}" template("${JSON_TEMPLATE}\\n") log-fifo-size(20000)); };
log { source(s_stdin); parser(p_kv); destination(d_json); flags(flow-control); };
`,
    );
    const timeFile = join(runDir, 'time');
    const child = spawn('/usr/bin/time', ['-f', TIME_FORMAT, '-o', timeFile, ng.exe, ...syslogNgArgs(ng, runDir, config)], {
      stdio: ['pipe', 'ignore', 'pipe'],
      env: ng.env,
      detached: true,
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = track(child);
    child.stdin?.on('error', () => undefined);
    createReadStream(file).pipe(child.stdin as NodeJS.WritableStream);
    const code = await withTimeout('syslog-ng (parse)', exited, child);
    if (code !== 0) throw new Error(`syslog-ng exited with ${code}: ${stderr}`);
    const written = existsSync(output) ? await countLines(output) : 0;
    if (written !== lines) throw new Error(`syslog-ng wrote ${written} JSON lines of ${lines}: ${stderr}`);
    const time = readTime(timeFile);
    return { ...time, cpuSeconds: time.userSeconds + time.systemSeconds };
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// (b) end to end

interface EndToEnd {
  rate: number;
  rssMiB?: number;
  cpuSeconds?: number;
  indexed: number;
}

async function indexedCount(url: string, index: string): Promise<number> {
  const client = createOpenSearchClient({ url });
  try {
    await client.indices.refresh({ index, expand_wildcards: 'all' } as never);
    const response = await client.count({ index, expand_wildcards: 'all' } as never);
    return (response.body as { count: number }).count;
  } finally {
    await client.close();
  }
}

async function syslogNgWritten(ng: SyslogNg, ctl: string): Promise<number> {
  const { stdout } = await execFileAsync(ng.ctl, ['stats', '-c', ctl], { env: ng.env, timeout: 10_000 });
  let sum = 0;
  for (const line of stdout.split('\n')) {
    const fields = line.split(';');
    if (fields[0]?.startsWith('dst.http') && fields[4] === 'written') sum += Number(fields[5]);
  }
  return sum;
}

async function endToEndSyslogNg(ng: SyslogNg, dir: string, url: string, lines: readonly string[], index: string): Promise<EndToEnd> {
  const client = createOpenSearchClient({ url });
  // The same shard, replica and refresh settings as our data streams (mappings/opensearch/templates.ts); dynamic mapping.
  await client.indices.create({
    index,
    body: { settings: { index: { number_of_shards: 1, auto_expand_replicas: '0-1', refresh_interval: '5s' } } },
  } as never);
  await client.close();
  const runDir = mkdtempSync(join(dir, 'syslog-ng-e2e-'));
  const port = await freePort();
  const config = join(runDir, 'syslog-ng.conf');
  const ctl = join(runDir, 'syslog-ng.ctl');
  // Flow control: the source's window (log-iw-size, split between max-connections) bounds the messages in flight; it must
  // hold several batches per worker, or each batch waits for the one before it to be acknowledged.
  const WINDOW = 4 * BATCH * CONCURRENCY;
  const action = JSON.stringify({ create: { _index: index } }).replaceAll('"', '\\"');
  writeFileSync(
    config,
    `@version: 3.38
${OPTIONS}
source s_tcp { network(ip("127.0.0.1") port(${port}) transport("tcp") max-connections(1) log-iw-size(${WINDOW})); };
parser p_kv { kv-parser(prefix(".kv.")); };
destination d_bulk {
  http(
    url("${url.replace(/\/$/, '')}/_bulk")
    method("POST")
    headers("Content-Type: application/x-ndjson")
    workers(${CONCURRENCY})
    batch-lines(${BATCH})
    batch-bytes(8388608)
    batch-timeout(500)
    log-fifo-size(${2 * WINDOW})
    body("${action}\\n${JSON_TEMPLATE}")
    delimiter("\\n")
    body-suffix("\\n")
  );
};
log { source(s_tcp); parser(p_kv); destination(d_bulk); flags(flow-control); };
`,
  );
  const child = spawn(ng.exe, syslogNgArgs(ng, runDir, config), { stdio: ['ignore', 'pipe', 'pipe'], env: ng.env });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = track(child);
  const pid = child.pid as number;
  try {
    const deadline = Date.now() + 15_000;
    while (!(await accepts(port))) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`syslog-ng did not start: ${output.trim()}`);
      await sleep(50);
    }
    const cpuAtStart = cpuSeconds(pid);
    const started = performance.now();
    await sendLines(`tcp://127.0.0.1:${port}?framing=newline`, lines);
    let rssMiB = 0;
    while ((await syslogNgWritten(ng, ctl)) < lines.length) {
      if (child.exitCode !== null) throw new Error(`syslog-ng exited: ${output.trim()}`);
      if (performance.now() - started > RUN_TIMEOUT_MS) throw new Error(`syslog-ng did not deliver ${lines.length} events in time`);
      rssMiB = Math.max(rssMiB, peakRssMiB(pid));
      await sleep(100);
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuSeconds(pid) - cpuAtStart;
    rssMiB = Math.max(rssMiB, peakRssMiB(pid));
    return { rate: lines.length / seconds, rssMiB, cpuSeconds: cpu, indexed: await indexedCount(url, index) };
  } finally {
    await stop(child, exited);
    rmSync(runDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// figures

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function summary(values: readonly number[], digits: number): string {
  const f = (value: number) => value.toFixed(digits);
  return `median ${f(median(values))}  [min ${f(Math.min(...values))}, max ${f(Math.max(...values))}]  (rounds: ${values.map(f).join(', ')})`;
}

function header(ng: SyslogNg): void {
  const [one, five, fifteen] = loadavg();
  console.log('== bench:peers: fortiems and syslog-ng side by side ==');
  console.log(`date:     ${new Date().toISOString()}`);
  console.log(
    `machine:  ${availableParallelism()} CPUs (nproc), ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; load average at start ${one?.toFixed(2)} ${five?.toFixed(2)} ${fifteen?.toFixed(2)}`,
  );
  console.log(`software: fortiems (node ${process.version}); ${ng.version} from ${SYSLOG_NG_HOME}`);
  console.log(
    `corpus:   EMS core lines, \`fortiems ems simulate --to file:///… --count N --seed 1\` (RFC 3164); parse: ${PARSE_LINES} lines; end to end: ${EVENTS} lines; ${ROUNDS} interleaved rounds`,
  );
  console.log(
    'note:     syslog-ng indexes a bare key=value map (the pairs, @timestamp, host; dynamic mapping), fortiems indexes full ECS documents',
  );
  console.log(
    '          (typed fields, the raw fields and event.original, GeoIP). Parse: fortiems writes its JSON to /dev/null, syslog-ng to a file',
  );
  console.log(
    '          (its lines are counted). Both end-to-end peers get the same batch size and concurrency; one OpenSearch node on the same machine.',
  );
}

// ---------------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const ng = syslogNg();
  header(ng);
  const dir = mkdtempSync(join(tmpdir(), 'fortiems-bench-peers-'));
  const instanceDir = mkdtempSync(join(tmpdir(), 'fortiems-bench-opensearch-'));
  let opensearch: Awaited<ReturnType<typeof provideOpenSearch>> | undefined;
  const cleanup: (() => Promise<void>)[] = [];
  let undone: Promise<void> | undefined;
  undo = () => {
    undone ??= (async () => {
      for (const child of children) kill(child, 'SIGKILL');
      for (const step of cleanup.reverse()) await step().catch(() => undefined);
      await opensearch?.release();
      rmSync(dir, { recursive: true, force: true });
      rmSync(instanceDir, { recursive: true, force: true });
    })();
    return undone;
  };
  try {
    // The corpus, as a new user would make it.
    const corpusFile = join(dir, 'corpus.log');
    const simulated = spawnSync(
      process.execPath,
      [CLI, 'ems', 'simulate', '--to', pathToFileURL(corpusFile).href, '--count', String(Math.max(PARSE_LINES, EVENTS)), '--seed', '1'],
      { encoding: 'utf8', timeout: 600_000 },
    );
    if (simulated.status !== 0) throw new Error(`fortiems ems simulate failed: ${simulated.stderr}`);
    const all = readFileSync(corpusFile, 'utf8').split('\n').filter(Boolean);
    rmSync(corpusFile);
    const parseFile = join(dir, 'parse.log');
    writeFileSync(parseFile, `${all.slice(0, PARSE_LINES).join('\n')}\n`);
    const lines = all.slice(0, EVENTS);
    console.log(`corpus:   ${all.length} lines, ${(readFileSync(parseFile).length / PARSE_LINES).toFixed(0)} bytes a line on average`);

    opensearch = await provideOpenSearch({ instanceDir, port: 0, heap: '2g', log: (line) => console.log(line) });
    console.log(`opensearch: ${opensearch.url} (${opensearch.source}); batch ${BATCH}, concurrency ${CONCURRENCY}`);
    const url = opensearch.url;
    const client = createOpenSearchClient(opensearch);
    cleanup.push(() => client.close());

    // OpenSearch's JIT warms up over the first tens of thousands of documents: one untimed plain bulk of the corpus.
    const warmup = freshNamespace('peerswarmup');
    cleanup.push(() => deleteNamespace(client, warmup));
    await installMappings(client, { namespace: warmup });
    await plainBulk(url, lines, warmup);
    await deleteNamespace(client, warmup);

    const parse = { fortiems: [] as ParseResult[], syslogng: [] as ParseResult[] };
    const e2e = { ceiling: [] as EndToEnd[], fortiems: [] as EndToEnd[], syslogng: [] as EndToEnd[] };
    for (let round = 1; round <= ROUNDS; round++) {
      console.log(`-- round ${round}/${ROUNDS} --`);
      // (a) A/B then B/A
      const parsers = [
        async () => {
          const result = await parseFortiems(dir, parseFile, PARSE_LINES);
          parse.fortiems.push(result);
          console.log(
            `  parse    fortiems parse      ${((result.cpuSeconds / PARSE_LINES) * 1e6).toFixed(2)} CPU-s per million lines (user ${result.userSeconds.toFixed(2)} s, system ${result.systemSeconds.toFixed(2)} s, wall ${result.wallSeconds.toFixed(2)} s), peak RSS ${result.rssMiB.toFixed(0)} MiB`,
          );
        },
        async () => {
          const result = await parseSyslogNg(ng, dir, parseFile, PARSE_LINES);
          parse.syslogng.push(result);
          console.log(
            `  parse    syslog-ng kv+json   ${((result.cpuSeconds / PARSE_LINES) * 1e6).toFixed(2)} CPU-s per million lines (user ${result.userSeconds.toFixed(2)} s, system ${result.systemSeconds.toFixed(2)} s, wall ${result.wallSeconds.toFixed(2)} s), peak RSS ${result.rssMiB.toFixed(0)} MiB`,
          );
        },
      ];
      if (round % 2 === 0) parsers.reverse();
      for (const run of parsers) await run();

      // (b) the three end-to-end runs, in a rotating order
      const runs = [
        async () => {
          const namespace = freshNamespace('peersceiling');
          cleanup.push(() => deleteNamespace(client, namespace));
          await installMappings(client, { namespace });
          const rate = await plainBulk(url, lines, namespace);
          const indexed = await indexedCount(url, `logs-*-${namespace}`);
          await deleteNamespace(client, namespace);
          e2e.ceiling.push({ rate, indexed });
          console.log(`  e2e      plain bulk ceiling  ${Math.round(rate)} events/s (${indexed} indexed)`);
        },
        async () => {
          const namespace = freshNamespace('peersfortiems');
          cleanup.push(() => deleteNamespace(client, namespace));
          const result = await pipelineEndToEnd(dir, url, lines, namespace, { timeoutMs: RUN_TIMEOUT_MS });
          const indexed = await indexedCount(url, `logs-*-${namespace}`);
          await deleteNamespace(client, namespace);
          e2e.fortiems.push({ ...result, indexed });
          console.log(
            `  e2e      fortiems ingest     ${Math.round(result.rate)} events/s (${indexed} indexed; sender at ${Math.round(result.sendRate)} lines/s), ${result.cpuSeconds.toFixed(2)} CPU-s, peak RSS ${result.rssMiB.toFixed(0)} MiB`,
          );
        },
        async () => {
          const index = freshNamespace('peers_syslogng');
          cleanup.push(async () => void (await client.indices.delete({ index }).catch(() => undefined)));
          const result = await endToEndSyslogNg(ng, dir, url, lines, index);
          await client.indices.delete({ index }).catch(() => undefined);
          e2e.syslogng.push(result);
          console.log(
            `  e2e      syslog-ng http()    ${Math.round(result.rate)} events/s (${result.indexed} indexed), ${result.cpuSeconds?.toFixed(2)} CPU-s, peak RSS ${result.rssMiB?.toFixed(0)} MiB`,
          );
        },
      ];
      for (let i = 0; i < (round - 1) % runs.length; i++) runs.push(runs.shift() as (typeof runs)[number]);
      for (const run of runs) await run();
    }

    const perMillion = (results: ParseResult[]) => results.map((r) => (r.cpuSeconds / PARSE_LINES) * 1e6);
    const fortiemsParse = perMillion(parse.fortiems);
    const syslogNgParse = perMillion(parse.syslogng);
    const rates = (results: EndToEnd[]) => results.map((r) => r.rate);
    const e2eCpu = (results: EndToEnd[]) => results.map((r) => ((r.cpuSeconds ?? 0) / EVENTS) * 1e6);
    console.log(`== summary (${ROUNDS} rounds: median [min, max]) ==`);
    console.log('(a) parse, CPU-s per million lines:');
    console.log(`    fortiems parse            ${summary(fortiemsParse, 2)}`);
    console.log(`    syslog-ng kv-parser+json  ${summary(syslogNgParse, 2)}`);
    console.log(
      `    fortiems per CPU: ${(median(syslogNgParse) / median(fortiemsParse)).toFixed(2)}× syslog-ng (medians; > 1 means fortiems uses less CPU per line)`,
    );
    console.log('(b) end to end into OpenSearch, events/s:');
    console.log(`    plain bulk ceiling        ${summary(rates(e2e.ceiling), 0)}`);
    console.log(`    fortiems ingest           ${summary(rates(e2e.fortiems), 0)}`);
    console.log(`    syslog-ng http()          ${summary(rates(e2e.syslogng), 0)}`);
    console.log(
      `    fortiems: ${(median(rates(e2e.fortiems)) / median(rates(e2e.ceiling))).toFixed(2)}× the ceiling, ${(median(rates(e2e.fortiems)) / median(rates(e2e.syslogng))).toFixed(2)}× syslog-ng (medians)`,
    );
    console.log('    CPU-s per million events of the process itself:');
    console.log(`    fortiems ingest           ${summary(e2eCpu(e2e.fortiems), 2)}`);
    console.log(`    syslog-ng                 ${summary(e2eCpu(e2e.syslogng), 2)}`);
    const lost = [...e2e.ceiling, ...e2e.fortiems, ...e2e.syslogng].some((r) => r.indexed !== EVENTS);
    console.log(`    indexed: ${lost ? 'NOT every run indexed every event (see the rounds)' : `every run indexed all ${EVENTS} events`}`);
    console.log('(c) peak RSS (VmHWM), MiB:');
    console.log(
      `    fortiems parse            ${summary(
        parse.fortiems.map((r) => r.rssMiB),
        0,
      )}`,
    );
    console.log(
      `    syslog-ng parse           ${summary(
        parse.syslogng.map((r) => r.rssMiB),
        0,
      )}`,
    );
    console.log(
      `    fortiems ingest           ${summary(
        e2e.fortiems.map((r) => r.rssMiB ?? 0),
        0,
      )}`,
    );
    console.log(
      `    syslog-ng http()          ${summary(
        e2e.syslogng.map((r) => r.rssMiB ?? 0),
        0,
      )}`,
    );
  } finally {
    await undo();
  }
}

await main();
