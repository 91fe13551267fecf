/**
 * A loaded correlation rule + the rules it may reference → CompiledCorrelation: references resolved by `name` or
 * `id`, fields mapped to index names, one OR query over the referenced rules. Anything we cannot reproduce exactly
 * (a reference to a correlation, a referenced rule that does not compile, aggregating a text field) is an error.
 */
import { ECS_FIELDS } from '../../mappings/index.js';
import { type CompiledCorrelation, type CompiledRule, type CompileResult, isCompiled } from './compiled.js';
import { invalid, unsupported } from './errors.js';
import { mapField } from './field-mapping.js';
import { normalise, type PatternPart } from './query.js';
import type { Dsl } from './to-dsl.js';
import { luceneTerm } from './to-lucene.js';
import type { CorrelationCondition, CorrelationRule } from './types.js';

/** A document a correlation may name: its `id`/`name`, and what it compiled to (or that it is a correlation). */
export interface ReferenceCandidate {
  readonly refs: readonly string[];
  readonly result: CompileResult | 'correlation';
}

/** Throws PlacedError; compile.ts attaches the file and the document. */
export function compileCorrelation(
  rule: CorrelationRule,
  document: number,
  candidates: readonly ReferenceCandidate[],
): CompiledCorrelation {
  const referenced = rule.rules.map((ref, index) => resolveReference(ref, `correlation.rules[${index}]`, candidates));
  // On EMS data we know every field: a name we do not know is a typo that would make the rule silently never fire.
  const known = referenced.every((base) => base.index.startsWith('logs-fortiems.'));
  const groupBy = rule.groupBy.map((field, index) => aggregatable(field, `correlation.group-by[${index}]`, known));
  const valueField =
    rule.condition.field === undefined ? undefined : aggregatable(rule.condition.field, 'correlation.condition.field', known);
  const patterns = [...new Set(referenced.map((base) => base.index))];
  const restrict = patterns.length > 1;
  const branches = referenced.map((base) => (restrict ? { bool: { filter: [indexFilter(base.index), base.dsl] } } : base.dsl));
  const lucenes = referenced.map((base) => (restrict ? `${indexLucene(base.index)} AND (${base.lucene})` : base.lucene));
  return {
    kind: 'correlation',
    file: rule.file,
    document,
    rule,
    index: patterns.join(','),
    groupBy,
    ...(valueField === undefined ? {} : { valueField }),
    query: branches.length === 1 ? (branches[0] as Dsl) : { bool: { should: branches, minimum_should_match: 1 } },
    lucene: lucenes.length === 1 ? (lucenes[0] as string) : lucenes.map((text) => `(${text})`).join(' OR '),
    branches,
    referenced,
  };
}

function resolveReference(ref: string, place: string, candidates: readonly ReferenceCandidate[]): CompiledRule {
  const found = candidates.filter((candidate) => candidate.refs.includes(ref));
  const [candidate] = found;
  if (candidate === undefined) throw invalid(place, `unknown rule '${ref}': no rule has this name or id`);
  if (found.length > 1) throw invalid(place, `ambiguous rule reference '${ref}': ${found.length} rules have this name or id`);
  if (candidate.result === 'correlation') throw unsupported(place, `correlation of a correlation ('${ref}')`);
  const { result } = candidate;
  if (!isCompiled(result)) {
    // A base rule we refuse makes the correlation refused for the same reason; a broken one makes it broken.
    const why = result.error.describe();
    throw result.error.unsupported
      ? unsupported(place, `referenced rule '${ref}' is not compiled (${why})`)
      : invalid(place, `referenced rule '${ref}' does not compile (${why})`);
  }
  if (result.kind !== 'query') throw unsupported(place, `correlation of a correlation ('${ref}')`);
  return result;
}

const ECS_TYPES: Record<string, string> = ECS_FIELDS;

/** A field to group or count by, as its index name; text fields cannot be aggregated (no doc values). */
function aggregatable(field: string, place: string, known: boolean): string {
  const mapped = mapField(field, known);
  if (known && mapped.type === 'unknown') throw invalid(place, `unknown field '${field}': no EMS category or ECS mapping has it`);
  if (ECS_TYPES[mapped.name] === 'text') throw unsupported(place, `aggregation on text field ${mapped.name}`);
  return mapped.name;
}

/** Data streams keep documents in `.ds-<stream>-<generation>` backing indices; `_index` sees those names. */
function indexFilter(pattern: string): Dsl {
  return {
    bool: {
      should: [{ wildcard: { _index: { value: pattern } } }, { wildcard: { _index: { value: `.ds-${pattern}` } } }],
      minimum_should_match: 1,
    },
  };
}

function indexLucene(pattern: string): string {
  const term = (text: string): string => {
    const parts: PatternPart[] = text
      .split('*')
      .flatMap((literal, index) => (index === 0 ? [{ literal }] : [{ wildcard: '*' as const }, { literal }]));
    return `_index:${luceneTerm(normalise(parts))}`;
  };
  return `(${term(pattern)} OR ${term(`.ds-${pattern}`)})`;
}

/** 300000 → `5m`: the largest unit that divides the span exactly. */
export function formatTimespan(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** `>= 2 and <= 10` */
export function formatCondition(condition: CorrelationCondition): string {
  const symbols = { gt: '>', gte: '>=', lt: '<', lte: '<=', eq: '==' } as const;
  return (Object.keys(symbols) as (keyof typeof symbols)[])
    .flatMap((op) => (condition[op] === undefined ? [] : [`${symbols[op]} ${condition[op]}`]))
    .join(' and ');
}

/** The aggregation in one line, e.g. `event_count by ems.srcip >= 5 in 5m`, for `rules compile --to lucene`. */
export function describeCorrelation(compiled: CompiledCorrelation): string {
  const { rule } = compiled;
  const what =
    rule.type === 'value_count'
      ? `value_count(${compiled.valueField})`
      : rule.type === 'temporal'
        ? `temporal(${rule.rules.join(', ')})`
        : 'event_count';
  const by = compiled.groupBy.length > 0 ? ` by ${compiled.groupBy.join(', ')}` : '';
  const condition = rule.type === 'temporal' ? '' : ` ${formatCondition(rule.condition)}`;
  return `${what}${by}${condition} in ${formatTimespan(rule.timespanMs)}`;
}
