/**
 * Which rules the scheduler runs: every rule under the configured path that compiles, minus deprecated ones,
 * the disabled list, and base rules that only exist to feed a correlation (`generate: false`, Sigma's default).
 * Rules that do not compile are reported, never run approximately.
 */
import { existsSync } from 'node:fs';
import { ALERT_LEVELS, type AlertLevel } from '../../mappings/index.js';
import { type CompiledCorrelation, type CompiledRule, compileRules, isCompiled, isCorrelation } from '../sigma/compile.js';
import type { Placeholders } from '../sigma/placeholders.js';
import { levelOf, ruleFileName, ruleIdOf } from './alert-document.js';

export interface DetectionRuleSet {
  readonly plain: readonly CompiledRule[];
  readonly correlations: readonly CompiledCorrelation[];
  /** `file: place: message` for every rule that could not be compiled. */
  readonly refused: readonly string[];
  /** Rule ids skipped on purpose, with why. */
  readonly skipped: readonly { id: string; reason: string }[];
}

const INACTIVE_STATUSES = new Set(['deprecated', 'unsupported']);

export interface RuleSelection {
  /** Rule ids or file names (without .yml). */
  readonly disabled?: readonly string[];
  /** Rules below this level are skipped (default: none are). */
  readonly minLevel?: AlertLevel;
  /** `expand` placeholders (`detections.placeholders`); a rule using one not given here is refused. */
  readonly placeholders?: Placeholders;
}

export function loadDetectionRules(path: string, selection: RuleSelection = {}): DetectionRuleSet {
  if (!existsSync(path)) throw new Error(`detections.rules: ${path} does not exist`);
  const results = compileRules(path, { placeholders: selection.placeholders ?? {} });
  const compiled = results.filter(isCompiled);
  const refused = results.flatMap((result) => (isCompiled(result) ? [] : [result.error.describe()]));
  const off = new Set(selection.disabled ?? []);
  const floor = ALERT_LEVELS.indexOf(selection.minLevel ?? 'informational');
  const skipped: { id: string; reason: string }[] = [];
  const active = compiled.filter((rule) => {
    const id = ruleIdOf(rule);
    if (off.has(id) || off.has(ruleFileName(rule.file))) skipped.push({ id, reason: 'disabled in the configuration' });
    else if (INACTIVE_STATUSES.has(rule.rule.status ?? '')) skipped.push({ id, reason: `status ${rule.rule.status}` });
    else if (ALERT_LEVELS.indexOf(levelOf(rule.rule.level)) < floor)
      skipped.push({ id, reason: `level ${levelOf(rule.rule.level)} below min_level ${selection.minLevel}` });
    else return true;
    return false;
  });
  const correlations = active.filter(isCorrelation);
  // A base rule behind a correlation alerts on its own only when one of its correlations says `generate: true`;
  // every correlation counts here, disabled ones too: disabling a threshold must not turn its building blocks on.
  // Keyed by file and id, not object identity: the compiler may hand out copies of a referenced rule.
  const key = (rule: CompiledRule): string => `${rule.file}\u0000${ruleIdOf(rule)}\u0000${rule.rule.title}`;
  const feedOnly = new Set<string>();
  const generating = new Set<string>();
  for (const correlation of compiled.filter(isCorrelation))
    for (const base of correlation.referenced) (correlation.rule.generate ? generating : feedOnly).add(key(base));
  const plain = active.filter((rule): rule is CompiledRule => {
    if (isCorrelation(rule)) return false;
    if (feedOnly.has(key(rule)) && !generating.has(key(rule))) {
      skipped.push({ id: ruleIdOf(rule), reason: 'base rule of a correlation (generate: false)' });
      return false;
    }
    return true;
  });
  return { plain, correlations, refused, skipped };
}
