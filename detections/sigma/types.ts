/** The loaded shape of one Sigma rule: YAML checked and normalised, nothing compiled yet. */
export type SigmaScalar = string | number | boolean | null;

/** One `field|mod1|mod2: value(s)` entry of a selection map. An empty field means a keyword (full-text) search. */
export interface FieldMatch {
  readonly field: string;
  readonly modifiers: readonly string[];
  readonly values: readonly SigmaScalar[];
  /** YAML path, for errors raised while compiling. */
  readonly place: string;
}

/** A named search identifier: OR over alternatives, each an AND of field matches. */
export interface Selection {
  readonly name: string;
  readonly alternatives: readonly (readonly FieldMatch[])[];
  readonly place: string;
}

export interface SigmaRule {
  readonly file: string;
  readonly title: string;
  readonly id?: string;
  readonly status?: string;
  readonly level?: string;
  readonly tags: readonly string[];
  readonly logsource: Readonly<Record<string, string>>;
  readonly selections: ReadonlyMap<string, Selection>;
  /** The condition text(s); several conditions are ORed (older Sigma). */
  readonly conditions: readonly string[];
  readonly falsepositives: readonly string[];
  readonly fields: readonly string[];
}
