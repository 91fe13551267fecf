import { Command } from 'commander';

/**
 * Runs one `fortiems <command> …` in this process (the command registered on a fresh program): what it wrote to stdout
 * and stderr, chunk by chunk, and its exit code (`process.exitCode`, reset after).
 */
export async function runCliInProcess(
  register: (program: Command) => void,
  args: readonly string[],
): Promise<{ out: string[]; err: string[]; code: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = process.stdout.write;
  const stderr = process.stderr.write;
  process.stdout.write = ((chunk: string) => out.push(chunk) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => err.push(chunk) > 0) as typeof process.stderr.write;
  let code: number;
  try {
    const program = new Command('fortiems').exitOverride();
    register(program);
    await program.parseAsync(['node', 'fortiems', ...args]);
    code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
    process.exitCode = undefined;
  }
  return { out, err, code };
}
