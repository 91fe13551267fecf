/**
 * One Sigma v2 correlation rule (a YAML map with `correlation:`) → CorrelationRule. References and fields stay as
 * written (compile-correlation.ts resolves and maps them). Correlation features whose meaning we do not reproduce
 * exactly (other types, aliases, unknown keys) are `unsupported: …`, never dropped.
 */
import { invalid, unsupported } from './errors.js';
import type { CorrelationCondition, CorrelationRule, CorrelationType } from './types.js';
import { isObject, type Json, type JsonMap, metadataOf, stringList } from './yaml-values.js';

const TYPES = new Set<string>(['event_count', 'value_count', 'temporal']);
/** Valid Sigma v2 types we do not compile. */
const OTHER_TYPES = new Set(['temporal_ordered', 'value_sum', 'value_avg', 'value_percentile', 'value_median']);
const KEYS = new Set(['type', 'rules', 'group-by', 'timespan', 'condition', 'generate', 'aliases']);
const OPERATORS = ['gt', 'gte', 'lt', 'lte', 'eq'] as const;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function correlationFromRoot(root: JsonMap, file: string): CorrelationRule {
  const correlation = root.correlation;
  if (!isObject(correlation)) throw invalid('correlation', 'not a map');
  for (const key of Object.keys(correlation)) if (!KEYS.has(key)) throw unsupported(`correlation.${key}`, `correlation key ${key}`);
  if (correlation.aliases !== undefined) throw unsupported('correlation.aliases', 'correlation aliases');
  const type = typeOf(correlation.type);
  const rules = stringList(correlation, 'rules', 'correlation.rules');
  if (rules.length === 0) throw invalid('correlation.rules', 'missing or empty: name the rules to correlate');
  if (type === 'temporal' && new Set(rules).size < 2) throw invalid('correlation.rules', 'temporal needs at least two rules');
  const generate = correlation.generate ?? false;
  if (typeof generate !== 'boolean') throw invalid('correlation.generate', 'not true or false');
  return {
    ...metadataOf(root, file),
    type,
    rules,
    groupBy: stringList(correlation, 'group-by', 'correlation.group-by'),
    timespanMs: timespanOf(correlation.timespan),
    condition: conditionOf(type, correlation.condition),
    generate,
  };
}

function typeOf(value: Json | undefined): CorrelationType {
  if (value === undefined || value === null) throw invalid('correlation.type', 'missing');
  const type = String(value);
  if (TYPES.has(type)) return type as CorrelationType;
  if (OTHER_TYPES.has(type)) throw unsupported('correlation.type', `correlation type ${type}`);
  throw invalid('correlation.type', `unknown correlation type '${type}'`);
}

/** `30s`, `5m`, `1h`, `2d` → milliseconds. Months and years have no fixed length: refused rather than guessed. */
export function timespanOf(value: Json | undefined): number {
  if (value === undefined || value === null) throw invalid('correlation.timespan', 'missing');
  const text = String(value);
  if (/^[1-9]\d*[My]$/.test(text)) throw unsupported('correlation.timespan', `timespan in ${text.endsWith('M') ? 'months' : 'years'}`);
  const ms = spanMs(text);
  if (ms === undefined) throw invalid('correlation.timespan', `bad timespan '${text}': a number and s, m, h or d`);
  return ms;
}

/** `30s`, `5m`, `24h`, `7d` → milliseconds; undefined for anything else. Sigma's timespans and `rules run --since`. */
export function spanMs(text: string): number | undefined {
  const match = /^([1-9]\d*)([smhd])$/.exec(text);
  return match ? Number(match[1]) * (UNIT_MS[match[2] as string] as number) : undefined;
}

function conditionOf(type: CorrelationType, value: Json | undefined): CorrelationCondition {
  if (type === 'temporal') {
    // Temporal means "every rule matched in the timespan"; a count condition on it is not part of the spec we reproduce.
    if (value !== undefined && value !== null) throw unsupported('correlation.condition', 'condition on a temporal correlation');
    return {};
  }
  if (value === undefined || value === null) throw invalid('correlation.condition', 'missing');
  if (!isObject(value)) throw invalid('correlation.condition', 'not a map of gt, gte, lt, lte or eq');
  const condition: { -readonly [K in keyof CorrelationCondition]: CorrelationCondition[K] } = {};
  for (const [key, bound] of Object.entries(value)) {
    const place = `correlation.condition.${key}`;
    if (key === 'field') {
      if (type !== 'value_count') throw invalid(place, 'field is for value_count only');
      if (typeof bound !== 'string' || bound === '') throw invalid(place, 'not a field name');
      condition.field = bound;
    } else if ((OPERATORS as readonly string[]).includes(key)) {
      if (typeof bound !== 'number' || !Number.isFinite(bound)) throw invalid(place, 'not a number');
      condition[key as (typeof OPERATORS)[number]] = bound;
    } else {
      throw invalid(place, `unknown condition '${key}': gt, gte, lt, lte, eq${type === 'value_count' ? ' or field' : ''}`);
    }
  }
  if (!OPERATORS.some((operator) => condition[operator] !== undefined)) {
    throw invalid('correlation.condition', 'needs one of gt, gte, lt, lte, eq');
  }
  if (type === 'value_count' && condition.field === undefined)
    throw invalid('correlation.condition.field', 'missing: value_count counts the distinct values of a field');
  return condition;
}

/** Whether a count satisfies every bound of the condition. */
export function conditionHolds(condition: CorrelationCondition, value: number): boolean {
  return (
    (condition.gt === undefined || value > condition.gt) &&
    (condition.gte === undefined || value >= condition.gte) &&
    (condition.lt === undefined || value < condition.lt) &&
    (condition.lte === undefined || value <= condition.lte) &&
    (condition.eq === undefined || value === condition.eq)
  );
}
