import type { Command } from 'commander';
import { loadDetectionRules } from '../../detections/runtime/detection-rules.js';
import { shippedRulesPath } from '../../detections/runtime/shipped-rules.js';
import { placeholdersFrom } from '../../detections/sigma/placeholders.js';
import { ConfigError, formatProblem, loadConfigFile } from '../../ingest/config/load-config.js';
import { DEFAULT_CONFIG_YAML } from '../../ingest/config/schema.js';
import type { FortiemsConfig } from '../../ingest/config/types.js';

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('check a configuration file: every problem with its place (file:line:column, path) and its fix; exit code 78 when invalid')
    .argument('[config]', 'the YAML configuration file')
    .option('--print-defaults', 'print the configuration that runs when no file is given')
    .action((file: string | undefined, options: { printDefaults?: boolean }) => {
      if (options.printDefaults || !file) {
        process.stdout.write(DEFAULT_CONFIG_YAML);
        if (!file) return;
      }
      try {
        const config = loadConfigFile(file as string);
        const sources = Object.keys(config.sources ?? {});
        const sinks = Object.keys(config.sinks ?? {});
        process.stdout.write(
          `${file}: valid (${sources.length} sources: ${sources.join(', ') || 'none'}; ${sinks.length} sinks: ${sinks.join(', ') || 'none'}${detectionsSummary(config)})\n`,
        );
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        for (const problem of error.problems) process.stderr.write(`${formatProblem(error.file, problem)}\n`);
        process.stderr.write(`${error.problems.length} problem${error.problems.length === 1 ? '' : 's'} in ${error.file}\n`);
        process.exitCode = 78; // EX_CONFIG
      }
    });
}

/** `; detections: N rules every 60 s, outputs: …`, with the rules that would not run reported on stderr. */
function detectionsSummary(config: FortiemsConfig): string {
  const section = config.detections;
  if (!section || section.enabled === false) return '';
  const rules = loadDetectionRules(section.rules ?? shippedRulesPath(), {
    disabled: section.disabled_rules ?? [],
    minLevel: section.min_level ?? 'low',
    placeholders: placeholdersFrom(section.placeholders, 'detections.placeholders'),
  });
  for (const refusal of rules.refused) process.stderr.write(`detections: not run: ${refusal}\n`);
  const outputs = Object.keys(section.outputs ?? {});
  return `; detections: ${rules.plain.length + rules.correlations.length} rules every ${section.interval_seconds ?? 60} s, outputs: ${outputs.join(', ') || 'none'}`;
}
