/** The text of whatever was thrown (fs errors are Errors; anything else is stringified). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
