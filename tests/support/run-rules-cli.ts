import { Command } from 'commander';
import { registerRulesCommand } from '../../app/cli/rules-command.js';

/** Runs `fortiems rules …` in this process and returns what it wrote to stdout and stderr, chunk by chunk. */
export async function runRulesCli(args: readonly string[]): Promise<{ out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = process.stdout.write;
  const stderr = process.stderr.write;
  process.stdout.write = ((chunk: string) => out.push(chunk) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => err.push(chunk) > 0) as typeof process.stderr.write;
  try {
    const program = new Command('fortiems').exitOverride();
    registerRulesCommand(program);
    await program.parseAsync(['node', 'fortiems', 'rules', ...args]);
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
    process.exitCode = undefined;
  }
  return { out, err };
}
