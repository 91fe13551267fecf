/**
 * Why a rule did not compile. `unsupported: …` means a valid Sigma feature we refuse to translate (never compile a
 * rule into a query that matches something else); anything else means the rule itself is malformed.
 */
export class SigmaError extends Error {
  constructor(
    readonly file: string,
    /** The YAML path of the offending node, e.g. `detection.selection.CommandLine|re`. */
    readonly place: string,
    message: string,
  ) {
    super(message);
    this.name = 'SigmaError';
  }

  get unsupported(): boolean {
    return this.message.startsWith('unsupported: ');
  }

  /** `file: place: problem`, the one line the CLI prints. */
  describe(): string {
    return `${this.file}: ${this.place || '(rule)'}: ${this.message}`;
  }
}

/** Thrown inside the compiler without knowing the file; compile.ts attaches it. */
export class PlacedError extends Error {
  constructor(
    readonly place: string,
    message: string,
  ) {
    super(message);
    this.name = 'PlacedError';
  }
}

export function unsupported(place: string, what: string): PlacedError {
  return new PlacedError(place, `unsupported: ${what}`);
}

export function invalid(place: string, what: string): PlacedError {
  return new PlacedError(place, what);
}
