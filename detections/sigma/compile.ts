/**
 * One Sigma rule → { rule, index, dsl, lucene }, or { error } naming the file, the YAML path and the problem.
 * compileRules walks a file or a folder (recursive *.yml / *.yaml) in a stable, sorted order.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { conditionToQuery } from './build-query.js';
import { parseCondition } from './condition.js';
import { PlacedError, SigmaError } from './errors.js';
import { indexPatternFor } from './field-mapping.js';
import { loadRule } from './load-rule.js';
import { or } from './query.js';
import { type Dsl, toDsl } from './to-dsl.js';
import { toLucene } from './to-lucene.js';
import type { SigmaRule } from './types.js';

export interface CompiledRule {
  readonly file: string;
  readonly rule: SigmaRule;
  /** The index pattern to search, from the logsource. */
  readonly index: string;
  readonly dsl: Dsl;
  readonly lucene: string;
}

export type CompileResult = CompiledRule | { readonly file: string; readonly error: SigmaError };

export function compileRule(text: string, file: string): CompileResult {
  try {
    const rule = loadRule(text, file);
    const identifiers = [...rule.selections.keys()];
    const query = or(
      rule.conditions.map((condition, index) =>
        conditionToQuery(
          parseCondition(condition, identifiers, rule.conditions.length > 1 ? `detection.condition[${index}]` : 'detection.condition'),
          rule.selections,
        ),
      ),
    );
    return { file, rule, index: indexPatternFor(rule.logsource), dsl: toDsl(query), lucene: toLucene(query) };
  } catch (error) {
    if (error instanceof SigmaError) return { file, error };
    if (error instanceof PlacedError) return { file, error: new SigmaError(file, error.place, error.message) };
    throw error;
  }
}

export function isCompiled(result: CompileResult): result is CompiledRule {
  return 'rule' in result;
}

/** Rule files under `path` (itself when it is a file), sorted for reproducible output. */
export function ruleFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  const files: string[] = [];
  for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) files.push(...ruleFiles(full));
    else if (/\.ya?ml$/.test(entry.name)) files.push(full);
  }
  return files;
}

export function compileRules(path: string): CompileResult[] {
  return ruleFiles(path).map((file) => compileRule(readFileSync(file, 'utf8'), file));
}
