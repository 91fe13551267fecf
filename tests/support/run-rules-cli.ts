import { registerRulesCommand } from '../../app/cli/rules-command.js';
import { runCliInProcess } from './run-cli.js';

/** Runs `fortiems rules …` in this process and returns what it wrote to stdout and stderr, chunk by chunk. */
export async function runRulesCli(args: readonly string[]): Promise<{ out: string[]; err: string[] }> {
  const { out, err } = await runCliInProcess(registerRulesCommand, ['rules', ...args]);
  return { out, err };
}
