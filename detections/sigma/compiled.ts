/** What the compiler hands out: a query rule, a correlation rule over query rules, or the error a document has. */
import type { SigmaError } from './errors.js';
import type { CompiledNewTerms } from './new-terms.js';
import type { Dsl } from './to-dsl.js';
import type { CorrelationRule, SigmaRule } from './types.js';

export interface CompiledRule {
  readonly kind: 'query';
  readonly file: string;
  /** Position of the rule's YAML document in its file (0-based; 0 for a single-rule file). */
  readonly document: number;
  readonly rule: SigmaRule;
  /** The index pattern to search, from the logsource. */
  readonly index: string;
  readonly dsl: Dsl;
  readonly lucene: string;
  /** A first-seen rule (our `fortiems.new_terms` extension): alert once per value of these fields new in `historyMs`. */
  readonly newTerms?: CompiledNewTerms;
}

export interface CompiledCorrelation {
  readonly kind: 'correlation';
  readonly file: string;
  readonly document: number;
  readonly rule: CorrelationRule;
  /** The referenced rules' index patterns, distinct, comma-joined (OpenSearch accepts a comma list). */
  readonly index: string;
  /** The group-by fields as index field names. */
  readonly groupBy: readonly string[];
  /** value_count: the field whose distinct values are counted, as an index field name. */
  readonly valueField?: string;
  /** OR of `branches`: every event any referenced rule matches. No time range. */
  readonly query: Dsl;
  readonly lucene: string;
  /**
   * One query per referenced rule, in `referenced` order. When the rules search different indices, each is
   * restricted to its own (`_index`), so the OR over the union of indices matches exactly what the rules match.
   */
  readonly branches: readonly Dsl[];
  readonly referenced: readonly CompiledRule[];
}

export type CompileResult = CompiledRule | CompiledCorrelation | { readonly file: string; readonly error: SigmaError };

export function isCompiled(result: CompileResult): result is CompiledRule | CompiledCorrelation {
  return 'rule' in result;
}

export function isCorrelation(result: CompileResult): result is CompiledCorrelation {
  return 'rule' in result && result.kind === 'correlation';
}

/** A first-seen rule: a query rule with `fortiems.new_terms`. */
export function isNewTermsRule(result: CompileResult): result is CompiledRule & { readonly newTerms: CompiledNewTerms } {
  return isQueryRule(result) && result.newTerms !== undefined;
}

export function isQueryRule(result: CompileResult): result is CompiledRule {
  return 'rule' in result && result.kind === 'query';
}
