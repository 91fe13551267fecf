import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { describeError } from '../../platform/errors.js';
import { registerDashboardsCommand } from './dashboards-command.js';
import { registerDeadLetterCommand } from './dead-letter-command.js';
import { registerEmsCommand } from './ems-command.js';
import { registerIngestCommand } from './ingest-command.js';
import { registerKafkaCommand } from './kafka-command.js';
import { registerMappingsCommand } from './mappings-command.js';
import { registerOpenSearchCommand } from './opensearch-command.js';
import { registerParseCommand } from './parse-command.js';
import { registerReplayCommand } from './replay-command.js';
import { registerRulesCommand } from './rules-command.js';
import { registerStartCommand } from './start-command.js';
import { registerTapCommand } from './tap-command.js';
import { registerValidateCommand } from './validate-command.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function buildProgram(): Command {
  const program = new Command('fortiems')
    .description('Log ingestion and SIEM integration pipeline for Fortinet FortiClient EMS')
    .version(packageVersion())
    // Without it the program's own --version would answer `opensearch fetch --version 2.19.6` with the package version.
    .enablePositionalOptions()
    .showHelpAfterError()
    .exitOverride();
  registerStartCommand(program);
  registerOpenSearchCommand(program);
  registerKafkaCommand(program);
  registerMappingsCommand(program);
  registerEmsCommand(program);
  registerIngestCommand(program);
  registerParseCommand(program);
  registerValidateCommand(program);
  registerReplayCommand(program);
  registerDashboardsCommand(program);
  registerRulesCommand(program);
  registerTapCommand(program);
  registerDeadLetterCommand(program);
  return program;
}

/** Runs the CLI and returns the process exit code; actionable errors print their fix, not a stack. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    process.stderr.write(`${describeError(error)}\n`);
    return 1;
  }
}
