/**
 * The last error of each component, for the console's System page: a count in `/metrics` says how often, this says
 * what. Bounded: one record per component (at most `maxComponents`, the oldest forgotten first) and the message cut
 * to `MAX_ERROR_MESSAGE` characters, so an error text made by a sender never grows the process.
 */
export interface LastError {
  message: string;
  stage: string;
  errorType: string;
  /** Epoch milliseconds. */
  at: number;
}

export const MAX_ERROR_MESSAGE = 500;

export class LastErrors {
  private readonly records = new Map<string, LastError>();

  constructor(
    private readonly maxComponents = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  /** `key` names the component (`<kind>:<id>`, or `detections`). */
  note(key: string, stage: string, errorType: string, detail?: unknown): void {
    const text = describe(detail) ?? `${stage}: ${errorType}`;
    const message = text.length > MAX_ERROR_MESSAGE ? `${text.slice(0, MAX_ERROR_MESSAGE - 1)}…` : text;
    // Re-inserted so the map's order is the order of the last errors: the oldest is the first to go.
    this.records.delete(key);
    this.records.set(key, { message, stage, errorType, at: this.now() });
    if (this.records.size > this.maxComponents) {
      const oldest = this.records.keys().next().value;
      if (oldest !== undefined) this.records.delete(oldest);
    }
  }

  get(key: string): LastError | undefined {
    return this.records.get(key);
  }
}

function describe(detail: unknown): string | undefined {
  if (detail === undefined || detail === null) return undefined;
  if (detail instanceof Error) return detail.message || detail.name;
  if (typeof detail === 'string') return detail;
  return String(detail);
}

/** The key of a component's record. */
export const componentKey = (kind: string, id: string) => `${kind}:${id}`;
