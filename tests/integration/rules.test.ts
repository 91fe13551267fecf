import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runRuleTests } from '../../app/cli/rules-test.js';
import { firingGroupsOverEvents } from '../../detections/runtime/correlation-evaluate.js';
import { countMatches, eventsOf, indexEvents } from '../../detections/runtime/rule-samples.js';
import {
  type CompiledCorrelation,
  type CompiledRule,
  compileRules,
  compileRuleText,
  isCorrelation,
  isQueryRule,
} from '../../detections/sigma/compile.js';
import { runSimulation } from '../../ems-core/simulation/runner.js';
import type { ScenarioName } from '../../ems-core/simulation/scenarios.js';
import { Simulation } from '../../ems-core/simulation/simulation.js';
import { installMappings } from '../../ingest/sinks/search/install-mappings.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import { formatLine } from '../../syslog/syslog-format.js';
import { INCIDENT_RULES, SCENARIO_RULES, SCENARIO_THRESHOLD_RULES, THRESHOLD_RULES } from '../support/rule-scenarios.js';

const RULES = 'detections/rules';
// Tuesday 2026-12-01 00:00 UTC: the incident of every scenario starts at 10:30, well inside the generated lines.
const START = Date.UTC(2026, 11, 1);
const compiled = compileRules(RULES);
const fileName = (file: string): string => file.replace(/^.*\//, '').replace(/\.ya?ml$/, '');
// A collection file names its correlation; a single-rule file its query rule.
const byFile = new Map<string, CompiledRule>(compiled.filter(isQueryRule).map((rule) => [fileName(rule.file), rule]));
const correlationByFile = new Map<string, CompiledCorrelation>(compiled.filter(isCorrelation).map((rule) => [fileName(rule.file), rule]));

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

  /** The group keys each threshold rule fires for, over every window of the namespace's events. */
  async function firingPerRule(namespace: string, files: readonly string[]): Promise<Record<string, string[]>> {
    const firing: Record<string, string[]> = {};
    for (const file of files) {
      const rule = correlationByFile.get(file);
      if (!rule) throw new Error(`threshold rule ${file} is not in the pack (or does not compile)`);
      firing[file] = (await firingGroupsOverEvents(client, rule, namespace)).map((group) => group.groupKey);
    }
    return firing;
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

  it('multi-field and ungrouped correlations aggregate on the real cluster (multi_terms keys of an ip and a keyword)', async () => {
    const namespace = await indexScenario('admin-brute-force', 3000);
    const base =
      'title: failed\nname: failed\nlogsource: {product: fortiems, service: authentication}\ndetection:\n  sel:\n    event.action: admin-login-failed\n  condition: sel\n';
    const correlate = (body: string): CompiledCorrelation => {
      const result = compileRuleText(`${base}---\ntitle: t\ncorrelation:\n  rules: [failed]\n  timespan: 5m\n${body}\n`, 'inline.yml')[1];
      if (result === undefined || !isCorrelation(result)) throw new Error(JSON.stringify(result));
      return result;
    };
    // The scenario's attacker cycles admin, admin, admin, administrator, root: 24 of its 40 tries are on "admin".
    const byAccount = await firingGroupsOverEvents(
      client,
      correlate('  type: event_count\n  group-by: [srcip, admin]\n  condition: {gte: 10}'),
      namespace,
    );
    expect(byAccount.map((group) => Object.keys(group.group))).toEqual([['ems.srcip', 'ems.admin']]);
    expect(byAccount[0]?.group['ems.admin']).toBe('admin');
    expect(byAccount[0]?.group['ems.srcip']).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(byAccount[0]?.eventIds.length).toBeGreaterThanOrEqual(10);
    expect(byAccount[0]?.eventIndex).toMatch(/^\.ds-logs-fortiems\.authentication-/);
    const accounts = await firingGroupsOverEvents(
      client,
      correlate('  type: value_count\n  group-by: [srcip]\n  condition: {gte: 3, field: admin}'),
      namespace,
    );
    expect(accounts.map((group) => group.distinct)).toEqual([3]);
    const ungrouped = await firingGroupsOverEvents(client, correlate('  type: event_count\n  condition: {gte: 30}'), namespace);
    expect(ungrouped.map((group) => group.groupKey)).toEqual(['']);
  });

  const scenarios = [...new Set([...Object.keys(SCENARIO_RULES), ...Object.keys(SCENARIO_THRESHOLD_RULES)])] as ScenarioName[];
  for (const scenario of scenarios) {
    const files = SCENARIO_RULES[scenario] ?? [];
    const thresholds = SCENARIO_THRESHOLD_RULES[scenario] ?? [];
    it(`scenario ${scenario} triggers ${[...files, ...thresholds].join(', ')}`, async () => {
      const namespace = await indexScenario(scenario, 3000);
      const counts = await matchesPerRule(namespace, files);
      for (const file of files) expect(counts[file], `${file} on ${scenario}: ${JSON.stringify(counts)}`).toBeGreaterThan(0);
      const firing = await firingPerRule(namespace, thresholds);
      for (const file of thresholds) expect(firing[file]?.length, `${file} on ${scenario}: ${JSON.stringify(firing)}`).toBeGreaterThan(0);
    });
  }

  it('a simulated office day (20,000 lines) triggers none of the incident rules and none of the threshold rules', async () => {
    const namespace = await indexScenario('office-day', 20_000);
    const counts = await matchesPerRule(namespace, INCIDENT_RULES);
    expect(Object.entries(counts).filter(([, count]) => count > 0)).toEqual([]);
    const firing = await firingPerRule(namespace, THRESHOLD_RULES);
    expect(Object.entries(firing).filter(([, groups]) => groups.length > 0)).toEqual([]);
  });
});
