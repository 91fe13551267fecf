/**
 * `fortiems rules run [PATH] --since 24h`: a backtest. The rules run once, as the scheduler would, over the events
 * already indexed in one namespace, and the alerts they would raise are printed; nothing is written (no alerts index,
 * no outputs), so a detection engineer can try a rule on real data before enabling it.
 */
import type { Command } from 'commander';
import { loadDetectionRules } from '../../detections/runtime/detection-rules.js';
import { correlationFindings, newTermsFindings, plainRuleFindings, type RunContext } from '../../detections/runtime/rule-runner.js';
import { isNewTermsRule } from '../../detections/sigma/compile.js';
import { spanMs } from '../../detections/sigma/load-correlation.js';
import { type Placeholders, readPlaceholders } from '../../detections/sigma/placeholders.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import { runningOpenSearchTarget } from './mappings-command.js';
import { DEFAULT_RULES_PATH } from './rules-test.js';

export function parseSince(text: string): number {
  const ms = spanMs(text);
  if (ms === undefined) throw new Error(`--since '${text}': give a number and a unit, e.g. 30m, 24h, 7d`);
  return ms;
}

export function addRulesRunCommand(rules: Command): void {
  rules
    .command('run')
    .description(
      'backtest: run the rules once over the indexed events of a namespace and print the alerts they would raise (writes nothing)',
    )
    .argument('[path]', 'a rule file or a folder of rules', DEFAULT_RULES_PATH)
    .option('--since <span>', 'how far back to search, e.g. 30m, 24h, 7d', '24h')
    .option('--namespace <name>', 'the namespace whose data streams are searched', 'default')
    .option('--time-field <field>', 'the time field windows are taken on', '@timestamp')
    .option('--max <n>', 'at most this many alerts per rule', '1000')
    .option('--placeholders <file>', 'YAML map of expand placeholders: name (without %) → a value or a list of values')
    .action(async (path: string, options: { since: string; namespace: string; timeField: string; max: string; placeholders?: string }) => {
      let sinceMs: number;
      let placeholders: Placeholders = {};
      try {
        sinceMs = parseSince(options.since);
        if (options.placeholders !== undefined) placeholders = readPlaceholders(options.placeholders);
      } catch (error) {
        process.stderr.write(`${(error as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      const rules = loadDetectionRules(path, { placeholders });
      for (const refusal of rules.refused) process.stderr.write(`not run: ${refusal}\n`);
      const client = createOpenSearchClient(await runningOpenSearchTarget());
      const now = Date.now();
      const window = { from: now - sinceMs, to: now };
      const context: RunContext = {
        client,
        namespace: options.namespace,
        timeField: options.timeField,
        maxAlertsPerRun: Number(options.max),
        rulesRoot: path,
        now,
      };
      try {
        const plain = await plainRuleFindings(
          context,
          rules.plain.filter((rule) => !isNewTermsRule(rule)),
          () => ({ window, cursor: undefined }),
        );
        const firstSeen = await newTermsFindings(context, rules.plain.filter(isNewTermsRule), () => window);
        const none = { recentAlerts: async () => new Map<string, number>() };
        const correlated = await correlationFindings(context, rules.correlations, none, () => window, new Map());
        const alerts = [...plain.alerts, ...firstSeen.alerts, ...correlated.alerts].sort((a, b) =>
          a.fortiems.alert.first_seen.localeCompare(b.fortiems.alert.first_seen),
        );
        for (const alert of alerts)
          process.stdout.write(
            `${alert.fortiems.alert.first_seen}\t${alert.fortiems.alert.level}\t${alert.rule.id}\t${JSON.stringify(alert.message)}\n`,
          );
        const perRule = new Map<string, number>();
        for (const alert of alerts) perRule.set(alert.rule.name, (perRule.get(alert.rule.name) ?? 0) + 1);
        for (const [name, count] of [...perRule].sort((a, b) => b[1] - a[1])) process.stderr.write(`${count}\t${name}\n`);
        for (const failure of [...plain.failures, ...firstSeen.failures, ...correlated.failures])
          process.stderr.write(`FAILED ${failure.ruleId}: ${failure.error}\n`);
        for (const cut of [...plain.truncated, ...firstSeen.truncated, ...correlated.truncated])
          process.stderr.write(`cut ${cut.ruleId}: ${cut.matched} matches, more than --max\n`);
        process.stderr.write(
          `${alerts.length} alerts from ${perRule.size} of ${rules.plain.length + rules.correlations.length} rules over the last ${options.since}\n`,
        );
        if (plain.failures.length + firstSeen.failures.length + correlated.failures.length > 0) process.exitCode = 1;
      } finally {
        await client.close();
      }
    });
}
