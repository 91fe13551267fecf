import { Command } from 'commander';
import { registerDeadLetterCommand } from '../../app/cli/dead-letter-command.js';

/** Runs `fortiems dead-letter …` in this process: what it wrote to stdout and stderr, and its exit code. */
export async function runDeadLetterCli(args: readonly string[]): Promise<{ out: string; err: string; code: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = process.stdout.write;
  const stderr = process.stderr.write;
  process.stdout.write = ((chunk: string) => out.push(chunk) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => err.push(chunk) > 0) as typeof process.stderr.write;
  let code: number;
  try {
    const program = new Command('fortiems').exitOverride();
    registerDeadLetterCommand(program);
    await program.parseAsync(['node', 'fortiems', 'dead-letter', ...args]);
    code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
    process.exitCode = undefined;
  }
  return { out: out.join(''), err: err.join(''), code };
}
