import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { compileRules, isCompiled } from '../../detections/sigma/compile.js';
import { formatLine } from '../../ems-core/emit/syslog-format.js';
import { runSimulation } from '../../ems-core/simulation/runner.js';
import type { ScenarioName } from '../../ems-core/simulation/scenarios.js';
import { Simulation } from '../../ems-core/simulation/simulation.js';
import { runRuleTests } from '../../ingest/cli/rules-test.js';
import { countMatches, eventsOf, indexEvents } from '../../ingest/detections/rule-samples.js';
import { createOpenSearchClient } from '../../ingest/opensearch/client.js';
import { installMappings } from '../../ingest/opensearch/install-mappings.js';
import { INCIDENT_RULES, SCENARIO_RULES } from '../support/rule-scenarios.js';

const RULES = 'detections/rules';
// Tuesday 2026-12-01 00:00 UTC: the incident of every scenario starts at 10:30, well inside the generated lines.
const START = Date.UTC(2026, 11, 1);
const compiled = compileRules(RULES).filter(isCompiled);
const byFile = new Map(compiled.map((rule) => [rule.file.replace(/^.*\//, '').replace(/\.ya?ml$/, ''), rule]));

async function simulatedLines(scenario: ScenarioName, count: number): Promise<string[]> {
  const sim = new Simulation({ seed: 1, start: START, scenario });
  const lines: string[] = [];
  const options = { hostname: sim.ems.identity.hostname, timeZone: sim.ems.identity.timeZone };
  await runSimulation(sim, (line) => void lines.push(formatLine(line, options)), { count });
  return lines;
}

describe('EMS rule pack on a real OpenSearch', () => {
  const client = createOpenSearchClient({ url: inject('opensearchUrl') });
  const namespaces: string[] = [];

  async function indexScenario(scenario: ScenarioName, count: number): Promise<string> {
    const namespace = `rs${randomUUID().slice(0, 8)}`;
    namespaces.push(namespace);
    await installMappings(client, { namespace, log: () => undefined });
    await indexEvents(client, eventsOf(await simulatedLines(scenario, count), namespace), namespace);
    return namespace;
  }

  async function matchesPerRule(namespace: string, files: readonly string[]): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const file of files) {
      const rule = byFile.get(file);
      if (!rule) throw new Error(`rule ${file} is not in the pack (or does not compile)`);
      counts[file] = await countMatches(client, rule, namespace);
    }
    return counts;
  }

  afterAll(async () => {
    for (const namespace of namespaces)
      await client.indices.deleteDataStream({ name: `logs-fortiems.*-${namespace}` }).catch(() => undefined);
  });

  it('every rule of the pack matches exactly its expected samples', async () => {
    const results = await runRuleTests(client, RULES);
    expect(results.length).toBeGreaterThanOrEqual(15);
    expect(results.filter((result) => !result.ok)).toEqual([]);
  });

  for (const [scenario, files] of Object.entries(SCENARIO_RULES)) {
    it(`scenario ${scenario} triggers ${files.join(', ')}`, async () => {
      const namespace = await indexScenario(scenario as ScenarioName, 3000);
      const counts = await matchesPerRule(namespace, files);
      for (const file of files) expect(counts[file], `${file} on ${scenario}: ${JSON.stringify(counts)}`).toBeGreaterThan(0);
    });
  }

  it('a simulated office day (20,000 lines) triggers none of the incident rules', async () => {
    const namespace = await indexScenario('office-day', 20_000);
    const counts = await matchesPerRule(namespace, INCIDENT_RULES);
    expect(Object.entries(counts).filter(([, count]) => count > 0)).toEqual([]);
  });
});
