/**
 * `fortiems rules test [PATH]`: every rule's `fortiems_tests` samples are parsed, indexed into a namespace of
 * their own on a real OpenSearch, and the compiled rule must match exactly `expected_matches` of them. For a
 * correlation, expected_matches is the number of distinct groups that fire (correlation-evaluate.ts); for a
 * first-seen rule, the number of values new after the earliest sample's history (new-terms.ts). Base
 * rules that only feed a correlation of the run may go without samples: the correlation's samples test them.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Client } from '@opensearch-project/opensearch';
import type { Command } from 'commander';
import { firingGroupsOverEvents } from '../../detections/runtime/correlation-evaluate.js';
import { newTermsOverEvents } from '../../detections/runtime/new-terms.js';
import { countMatches, eventsOf, indexEvents, readRuleSamples } from '../../detections/runtime/rule-samples.js';
import {
  type CompiledCorrelation,
  type CompiledRule,
  compileRules,
  isCompiled,
  isCorrelation,
  isNewTermsRule,
} from '../../detections/sigma/compile.js';
import { installMappings } from '../../ingest/sinks/search/install-mappings.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import { runningOpenSearchTarget } from './mappings-command.js';

export const DEFAULT_RULES_PATH = 'detections/rules';

export interface RuleTestResult {
  readonly file: string;
  readonly title: string;
  readonly ok: boolean;
  /** `ok`, `FAIL expected N got M`, or `FAIL <why the rule could not be tested>`. */
  readonly verdict: string;
}

export interface RuleTestOptions {
  /** Namespace to index the samples into; a fresh `rt<random>` by default. */
  namespace?: string;
  /** Keep the namespace's data streams afterwards (default: delete them). */
  keep?: boolean;
  log?: (line: string) => void;
}

export async function runRuleTests(client: Client, path: string, options: RuleTestOptions = {}): Promise<RuleTestResult[]> {
  const namespace = options.namespace ?? `rt${randomUUID().slice(0, 8)}`;
  const tested: RuleTestResult[] = [];
  await installMappings(client, { namespace, log: options.log ?? (() => undefined) });
  try {
    const results = compileRules(path);
    const fed = feedingRules(results.filter(isCorrelation));
    for (const compiled of results) {
      if (!isCompiled(compiled)) {
        tested.push({ file: compiled.file, title: '', ok: false, verdict: `FAIL ${compiled.error.describe()}` });
        continue;
      }
      const samples = readRuleSamples(readFileSync(compiled.file, 'utf8'), compiled.document);
      if ('problem' in samples) {
        if (compiled.kind === 'query' && fed.has(ruleKey(compiled)) && samples.problem === 'no fortiems_tests block') continue;
        tested.push({ file: compiled.file, title: compiled.rule.title, ok: false, verdict: `FAIL ${samples.problem}` });
        continue;
      }
      const events = eventsOf(samples.samples, namespace);
      await indexEvents(client, events, namespace);
      const ids = events.map((event) => event.id);
      const { got, detail } = await measure(client, compiled, namespace, ids);
      const ok = got === samples.expectedMatches;
      tested.push({
        file: compiled.file,
        title: compiled.rule.title,
        ok,
        verdict: ok ? 'ok' : `FAIL expected ${samples.expectedMatches} got ${got}${detail}`,
      });
    }
  } finally {
    if (!options.keep) await client.indices.deleteDataStream({ name: `logs-fortiems.*-${namespace}` }).catch(() => undefined);
  }
  return tested;
}

/**
 * A query rule's match count; a first-seen rule's new values (newTermsOverEvents); a correlation's distinct firing
 * groups. The groups or values are listed when the count is off.
 */
async function measure(
  client: Client,
  compiled: CompiledRule | CompiledCorrelation,
  namespace: string,
  ids: readonly string[],
): Promise<{ got: number; detail: string }> {
  if (isNewTermsRule(compiled)) {
    const fresh = await newTermsOverEvents(client, compiled, namespace, ids);
    return { got: fresh.length, detail: fresh.length > 0 ? ` (${fresh.map((term) => term.key).join('; ')})` : '' };
  }
  if (compiled.kind === 'query') return { got: await countMatches(client, compiled, namespace, ids), detail: '' };
  const groups = await firingGroupsOverEvents(client, compiled, namespace, ids);
  return {
    got: groups.length,
    detail: groups.length > 0 ? ` (${groups.map((group) => group.groupKey || '(all events)').join('; ')})` : '',
  };
}

const ruleKey = (rule: CompiledRule): string => `${rule.file}\u0000${rule.document}`;

/** The base rules the run's correlations reference (by file and document: the compiler may copy them). */
function feedingRules(correlations: readonly CompiledCorrelation[]): Set<string> {
  return new Set(correlations.flatMap((correlation) => correlation.referenced.map(ruleKey)));
}

export function formatRuleTestResults(results: readonly RuleTestResult[]): { lines: string[]; summary: string } {
  const failed = results.filter((result) => !result.ok).length;
  return {
    lines: results.map((result) => [result.verdict, result.file, result.title].filter((part) => part !== '').join('\t')),
    summary: `${results.length - failed} passed, ${failed} failed, ${results.length} rules`,
  };
}

/** Adds `test [path]` to the `rules` command. */
export function addRulesTestCommand(rules: Command): void {
  rules
    .command('test')
    .description("index each rule's fortiems_tests samples into a scratch namespace on OpenSearch and check the match counts")
    .argument('[path]', 'a rule file or a folder of rules', DEFAULT_RULES_PATH)
    .option('--namespace <name>', 'namespace to index the samples into (default: a fresh random one)')
    .option('--keep', 'keep the scratch data streams afterwards')
    .action(async (path: string, options: { namespace?: string; keep?: boolean }) => {
      const target = await runningOpenSearchTarget();
      const client = createOpenSearchClient(target);
      const results = await runRuleTests(client, path, {
        ...options,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      const { lines, summary } = formatRuleTestResults(results);
      for (const line of lines) process.stdout.write(`${line}\n`);
      process.stdout.write(`${summary}\n`);
      if (results.some((result) => !result.ok)) process.exitCode = 1;
    });
}
