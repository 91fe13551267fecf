import { registerDeadLetterCommand } from '../../app/cli/dead-letter-command.js';
import { runCliInProcess } from './run-cli.js';

/** Runs `fortiems dead-letter …` in this process: what it wrote to stdout and stderr, and its exit code. */
export async function runDeadLetterCli(args: readonly string[]): Promise<{ out: string; err: string; code: number }> {
  const { out, err, code } = await runCliInProcess(registerDeadLetterCommand, ['dead-letter', ...args]);
  return { out: out.join(''), err: err.join(''), code };
}
