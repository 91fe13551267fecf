/**
 * An error a user can act on: `message` says what went wrong, `fix` says what to do about it.
 * The CLI prints both and exits non-zero; everything else is a bug and prints its stack.
 */
export class ActionableError extends Error {
  readonly fix: string;
  readonly details: string | undefined;

  constructor(message: string, fix: string, details?: string) {
    super(message);
    this.name = 'ActionableError';
    this.fix = fix;
    this.details = details;
  }
}

export function describeError(error: unknown): string {
  if (error instanceof ActionableError) {
    const lines = [`error: ${error.message}`, `fix:   ${error.fix}`];
    if (error.details) lines.push('', error.details);
    return lines.join('\n');
  }
  if (error instanceof Error) return `error: ${error.stack ?? error.message}`;
  return `error: ${String(error)}`;
}
