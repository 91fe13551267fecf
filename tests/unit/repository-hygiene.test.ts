import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

describe('the repository', () => {
  // A merge conflict resolved by hand once left its markers in README.md for a whole session; neither tsc nor biome
  // reads Markdown or YAML, so only a test catches them there.
  it('holds no merge conflict markers in any tracked text file', () => {
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
    const text = files.filter((file) => /\.(ts|js|mjs|cjs|md|ya?ml|json|sh|html|css)$/.test(file) || file === '.ci/run');
    const marked: string[] = [];
    for (const file of text) {
      const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (/^(<{7}|>{7}) /.test(line) || line === '=======') marked.push(`${file}:${i + 1}`);
      });
    }
    expect(marked).toEqual([]);
  });
});
