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

/** What describes a rule, plain or correlation: read the same way from both. */
export interface RuleMetadata {
  readonly file: string;
  readonly title: string;
  readonly id?: string;
  /** Sigma v2 `name:`, how correlation rules may refer to a rule besides its id. */
  readonly name?: string;
  readonly status?: string;
  readonly level?: string;
  readonly description?: string;
  readonly author?: string;
  readonly tags: readonly string[];
  readonly falsepositives: readonly string[];
}

export interface SigmaRule extends RuleMetadata {
  readonly logsource: Readonly<Record<string, string>>;
  readonly selections: ReadonlyMap<string, Selection>;
  /** The condition text(s); several conditions are ORed (older Sigma). */
  readonly conditions: readonly string[];
  readonly fields: readonly string[];
  /** Our `fortiems.new_terms` extension (new-terms.ts): a first-seen rule. */
  readonly newTerms?: { readonly fields: readonly string[]; readonly historyMs: number };
}

export type CorrelationType = 'event_count' | 'value_count' | 'temporal';

/** Bounds on the count (event_count) or the distinct count (value_count); several bounds all apply. */
export interface CorrelationCondition {
  readonly gt?: number;
  readonly gte?: number;
  readonly lt?: number;
  readonly lte?: number;
  readonly eq?: number;
  /** value_count only: the field whose distinct values are counted, as written. */
  readonly field?: string;
}

/** A Sigma v2 correlation rule as loaded: references and fields as written, nothing resolved or mapped yet. */
export interface CorrelationRule extends RuleMetadata {
  readonly type: CorrelationType;
  /** The referenced rules' `name` or `id`, as written. */
  readonly rules: readonly string[];
  readonly groupBy: readonly string[];
  readonly timespanMs: number;
  readonly condition: CorrelationCondition;
  /** Whether the referenced rules also alert on their own (Sigma's default: no). */
  readonly generate: boolean;
}
