// The SigmaHQ corpus: at least 95% of its rules must compile, and every refusal must be an explicit
// `unsupported: …` (a malformed-rule error on upstream rules would mean our loader is wrong, not the rule).
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileRules, isCompiled } from '../../detections/sigma/compile.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpus = join(repoRoot, '..', 'shared', 'sigma', 'rules');
const present = existsSync(corpus);

if (!present) console.warn(`sigma-corpus: skipped, the SigmaHQ corpus is absent at ${corpus}`);

describe.skipIf(!present)('SigmaHQ corpus', () => {
  it('compiles at least 95% of the rules; every failure is unsupported: …', () => {
    const results = compileRules(corpus);
    const failures = results.filter((result) => !isCompiled(result));
    const reasons = new Map<string, number>();
    for (const failure of failures) {
      if (isCompiled(failure)) continue;
      // Group by the feature, not the rule-specific detail in quotes.
      const reason = failure.error.message.replace(/'[^']*'/g, "'…'");
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
    const compiled = results.length - failures.length;
    const top = [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 10);
    console.log(
      `sigma-corpus: ${results.length} rules, ${compiled} compiled (${((100 * compiled) / results.length).toFixed(1)}%), ` +
        `${failures.length} refused\n${top.map(([reason, count]) => `  ${count}× ${reason}`).join('\n')}`,
    );
    const notUnsupported = failures.flatMap((failure) =>
      !isCompiled(failure) && !failure.error.unsupported
        ? [`${relative(corpus, failure.file)}: ${failure.error.place}: ${failure.error.message}`]
        : [],
    );
    expect(notUnsupported).toEqual([]);
    expect(compiled / results.length).toBeGreaterThanOrEqual(0.95);
  });
});
