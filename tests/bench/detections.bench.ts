/**
 * npm run bench:detections — how long the detection scheduler's runs take with the shipped pack on a real OpenSearch:
 * a day of EMS events (the office day plus every incident scenario, timestamps over the last 24 h) is indexed, then
 * the scheduler runs a catch-up over the whole day, the same run again (everything a duplicate), and steady-state
 * runs over the last minute. Prints events, rules, run times and alerts. Asserts nothing.
 *
 * BENCH_EVENTS (default 100,000) sets the office-day corpus; OPENSEARCH_URL selects a cluster, else a managed node
 * is started in a temporary folder and stopped at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { provideOpenSearch } from '../../app/opensearch/target.js';
import { loadDetectionRules } from '../../detections/runtime/detection-rules.js';
import { eventsOf, indexEvents } from '../../detections/runtime/rule-samples.js';
import { DetectionScheduler } from '../../detections/runtime/scheduler.js';
import { shippedRulesPath } from '../../detections/runtime/shipped-rules.js';
import { runSimulation } from '../../ems-core/simulation/runner.js';
import { SCENARIOS, type ScenarioName } from '../../ems-core/simulation/scenarios.js';
import { Simulation } from '../../ems-core/simulation/simulation.js';
import { installMappings } from '../../ingest/sinks/search/install-mappings.js';
import { alertsIndex } from '../../mappings/index.js';
import { silentLogger } from '../../platform/logging/logger.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import { formatLine } from '../../syslog/syslog-format.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const NAMESPACE = 'benchdetect';

async function lines(scenario: ScenarioName, count: number, start: number): Promise<string[]> {
  const sim = new Simulation({ seed: 3, start, scenario });
  const out: string[] = [];
  const options = { hostname: sim.ems.identity.hostname, timeZone: 'UTC' };
  await runSimulation(sim, (line) => void out.push(formatLine(line, options)), { count });
  return out;
}

async function main(): Promise<void> {
  const instanceDir = mkdtempSync(join(tmpdir(), 'fortiems-bench-opensearch-'));
  const opensearch = await provideOpenSearch({ instanceDir, port: 0, heap: '1g', log: (line) => console.log(line) });
  const client = createOpenSearchClient(opensearch);
  try {
    // The virtual day starts 24 h ago at midnight-ish, so incidents (10:30 virtual) fall inside the last day.
    const dayStart = Date.now() - 86_400_000;
    const corpus = await lines('office-day', EVENTS, dayStart);
    for (const scenario of (Object.keys(SCENARIOS) as ScenarioName[]).filter((name) => name !== 'office-day'))
      corpus.push(...(await lines(scenario, 3000, dayStart)));
    await installMappings(client, { namespace: NAMESPACE });
    const indexStarted = performance.now();
    await indexEvents(client, eventsOf(corpus, NAMESPACE), NAMESPACE);
    console.log(`indexed ${corpus.length} EMS events in ${((performance.now() - indexStarted) / 1000).toFixed(1)} s`);

    const rules = loadDetectionRules(shippedRulesPath(), { minLevel: 'informational' });
    console.log(`rules: ${rules.plain.length} plain, ${rules.correlations.length} correlations (${rules.skipped.length} skipped)`);
    const now = Date.now();
    const scheduler = (intervalMs: number, at: () => number) =>
      new DetectionScheduler({
        client: createOpenSearchClient(opensearch),
        rules,
        rulesRoot: shippedRulesPath(),
        namespace: NAMESPACE,
        alertsIndex: alertsIndex(NAMESPACE),
        intervalMs,
        lookbackMs: 60_000,
        timeField: '@timestamp',
        maxAlertsPerRun: 10_000,
        outputs: [],
        registry: new MetricsRegistry(),
        logger: silentLogger(),
        now: at,
      });
    // A fresh scheduler each time (no state file): both search the whole day; the second finds every alert raised.
    for (const label of ['catch-up over the day', 'the same day again (every alert raised before)']) {
      const catchUp = scheduler(2 * 86_400_000, () => now);
      const started = performance.now();
      const run = await catchUp.runOnce();
      console.log(
        `${label}: ${(performance.now() - started).toFixed(0)} ms, ${run.created.length} new alerts, ${run.duplicates} already raised, ${run.suppressed} suppressed, ${run.failures.length} rule failures`,
      );
      await catchUp.stop();
    }
    const steady = scheduler(60_000, () => Date.now());
    const times: number[] = [];
    for (let run = 0; run < 20; run += 1) {
      const started = performance.now();
      await steady.runOnce();
      times.push(performance.now() - started);
    }
    await steady.stop();
    times.sort((a, b) => a - b);
    console.log(
      `steady state (last minute, ${rules.plain.length + rules.correlations.length} rules): median ${times[10]?.toFixed(0)} ms, max ${times[19]?.toFixed(0)} ms per run`,
    );
  } finally {
    await client.indices.deleteDataStream({ name: `logs-fortiems.*-${NAMESPACE}` }).catch(() => undefined);
    await client.indices.delete({ index: alertsIndex(NAMESPACE) }).catch(() => undefined);
    await client.close();
    await opensearch.release();
    rmSync(instanceDir, { recursive: true, force: true });
  }
}

await main();
