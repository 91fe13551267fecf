import type { Command } from 'commander';
import { type CompiledCorrelation, type CompiledRule, compileRules, isCompiled } from '../../detections/sigma/compile.js';
import { describeCorrelation, formatTimespan } from '../../detections/sigma/compile-correlation.js';
import { correlationSearchBodyUntilNow } from '../../detections/sigma/correlation-search.js';
import { type Placeholders, readPlaceholders } from '../../detections/sigma/placeholders.js';
import { addRulesRunCommand } from './rules-run.js';
import { addRulesTestCommand } from './rules-test.js';

/**
 * `fortiems rules …`: Sigma detection rules. Returns the `rules` command so further subcommands
 * (`rules test`) attach to the same parent without touching main.ts again.
 */
export function registerRulesCommand(program: Command): Command {
  const rules = program
    .command('rules')
    .description('Sigma detection rules: compile to OpenSearch queries, test against samples, backtest on indexed events');
  addCompileCommand(rules);
  addRulesTestCommand(rules);
  addRulesRunCommand(rules);
  return rules;
}

function addCompileCommand(rules: Command): void {
  rules
    .command('compile')
    .description(
      'compile a Sigma rule file or folder (recursive *.yml): one query, aggregation or error line per rule (per document of a collection), then a summary',
    )
    .argument('<path>', 'a rule file or a folder of rules')
    .option('--to <target>', 'dsl (OpenSearch query DSL, JSON) or lucene (query string)', 'dsl')
    .option('--placeholders <file>', 'YAML map of expand placeholders: name (without %) → a value or a list of values')
    .action((path: string, options: { to: string; placeholders?: string }) => {
      if (options.to !== 'dsl' && options.to !== 'lucene') {
        process.stderr.write(`--to must be dsl or lucene, not '${options.to}'\n`);
        process.exitCode = 2;
        return;
      }
      let placeholders: Placeholders = {};
      try {
        if (options.placeholders !== undefined) placeholders = readPlaceholders(options.placeholders);
      } catch (error) {
        process.stderr.write(`--placeholders: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 2;
        return;
      }
      let compiled = 0;
      let unsupported = 0;
      let invalid = 0;
      for (const result of compileRules(path, { placeholders })) {
        if (isCompiled(result)) {
          compiled += 1;
          process.stdout.write(`${result.file}\t${options.to === 'dsl' ? dslLine(result) : luceneLine(result)}\n`);
          continue;
        }
        if (result.error.unsupported) unsupported += 1;
        else invalid += 1;
        process.stdout.write(`${result.error.describe()}\n`);
      }
      process.stderr.write(`${compiled} compiled, ${unsupported} unsupported, ${invalid} invalid\n`);
      // Invalid rules are the author's bug: fail the run. Unsupported ones are a known gap, reported, not fatal.
      if (invalid > 0) process.exitCode = 1;
    });
}

/** `{"index":…,"query":…}`; a correlation: its aggregation over the timespan ending now, `{"index","query","aggs","timespan"}`. */
function dslLine(result: CompiledRule | CompiledCorrelation): string {
  if (result.kind === 'query') return JSON.stringify({ index: result.index, query: result.dsl });
  const { query, aggs } = correlationSearchBodyUntilNow(result);
  return JSON.stringify({ index: result.index, query, aggs, timespan: formatTimespan(result.rule.timespanMs) });
}

/** `index\tlucene`; a correlation adds its aggregation: `\t| event_count by ems.srcip >= 5 in 5m`. */
function luceneLine(result: CompiledRule | CompiledCorrelation): string {
  if (result.kind === 'query') return `${result.index}\t${result.lucene}`;
  return `${result.index}\t${result.lucene}\t| ${describeCorrelation(result)}`;
}
