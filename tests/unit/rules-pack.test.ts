import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRuleSamples } from '../../detections/runtime/rule-samples.js';
import { compileRules, isCompiled, isCorrelation, ruleFiles } from '../../detections/sigma/compile.js';
import { INCIDENT_RULES, SCENARIO_RULES, SCENARIO_THRESHOLD_RULES, THRESHOLD_RULES } from '../support/rule-scenarios.js';

const RULES = 'detections/rules';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'];

describe('the EMS rule pack (detections/rules)', () => {
  const results = compileRules(RULES);

  it('has at least 15 rules, every one compiles', () => {
    expect(results.length).toBeGreaterThanOrEqual(15);
    expect(results.filter((result) => !isCompiled(result)).map((result) => ('error' in result ? result.error.describe() : ''))).toEqual([]);
  });

  it('every rule has a unique uuid, a status, ATT&CK technique and tactic tags, a level and false positives', () => {
    const ids = new Set<string>();
    for (const result of results.filter(isCompiled)) {
      const { rule } = result;
      expect(rule.id, result.file).toMatch(UUID);
      ids.add(rule.id ?? '');
      expect(rule.status, result.file).toBeTruthy();
      expect(
        rule.tags.some((tag) => /^attack\.t\d{4}(\.\d{3})?$/.test(tag)),
        result.file,
      ).toBe(true);
      expect(
        rule.tags.some((tag) => /^attack\.[a-z]+(-[a-z]+)*$/.test(tag) && !/^attack\.t\d/.test(tag)),
        result.file,
      ).toBe(true);
      expect(LEVELS, result.file).toContain(rule.level);
      expect(rule.falsepositives.length, result.file).toBeGreaterThan(0);
      for (const index of result.index.split(',')) expect(index, result.file).toMatch(/^logs-fortiems\.[a-z]+-\*$/);
    }
    expect(ids.size).toBe(results.length);
  });

  it('every rule carries regression samples, with non-matching lines among them; base rules of a collection may rely on their correlation', () => {
    const fed = new Set(
      results.filter(isCorrelation).flatMap((correlation) => correlation.referenced.map((base) => `${base.file}#${base.document}`)),
    );
    for (const result of results.filter(isCompiled)) {
      const samples = readRuleSamples(readFileSync(result.file, 'utf8'), result.document);
      if ('problem' in samples && fed.has(`${result.file}#${result.document}`)) continue;
      if ('problem' in samples) throw new Error(`${result.file}: ${samples.problem}`);
      expect(samples.expectedMatches, result.file).toBeGreaterThan(0);
      expect(samples.samples.length, result.file).toBeGreaterThan(samples.expectedMatches);
    }
  });

  it('has the threshold rules: event_count and value_count over pack rules, each with an ATT&CK technique', () => {
    const correlations = results.filter(isCorrelation);
    expect(correlations.length).toBeGreaterThanOrEqual(6);
    expect(new Set(correlations.map((correlation) => correlation.rule.type))).toEqual(new Set(['event_count', 'value_count', 'temporal']));
    for (const correlation of correlations) expect(correlation.groupBy.length, correlation.file).toBeGreaterThan(0);
  });

  it('the scenario and office-day lists of the integration test name rules of the pack', () => {
    const names = new Set(ruleFiles(RULES).map((file) => basename(file).replace(/\.ya?ml$/, '')));
    for (const name of [...Object.values(SCENARIO_RULES).flat(), ...INCIDENT_RULES]) expect(names, name).toContain(name);
    const correlations = new Set(results.filter(isCorrelation).map((correlation) => basename(correlation.file).replace(/\.ya?ml$/, '')));
    for (const name of [...Object.values(SCENARIO_THRESHOLD_RULES).flat(), ...THRESHOLD_RULES]) expect(correlations, name).toContain(name);
    expect(correlations.size).toBe(THRESHOLD_RULES.length);
  });
});
