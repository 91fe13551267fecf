import { describe, expect, it } from 'vitest';
import { compileRuleText, isCompiled, isNewTermsRule } from '../../detections/sigma/compile.js';

const rule = (extension: string): string =>
  `title: first seen\nlogsource: {product: fortiems, service: authentication}\ndetection:\n  sel:\n    event.action: admin-login\n  condition: sel\n${extension}`;

function compiled(extension: string) {
  const [result] = compileRuleText(rule(extension), 'inline.yml');
  if (result === undefined) throw new Error('no result');
  return result;
}

describe('first-seen rules: the fortiems.new_terms extension', () => {
  it('compiles the fields to index fields and the history to milliseconds, next to the plain query', () => {
    const result = compiled('fortiems:\n  new_terms:\n    fields: [srcip, source.geo.country_iso_code]\n    history: 30d\n');
    expect(isNewTermsRule(result)).toBe(true);
    if (!isNewTermsRule(result)) return;
    expect(result.newTerms).toEqual({ fields: ['ems.srcip', 'source.geo.country_iso_code'], historyMs: 30 * 86_400_000 });
    expect(result.index).toBe('logs-fortiems.authentication-*');
    expect(JSON.stringify(result.dsl)).toContain('admin-login');
    // The stored query is the detection's: what another Sigma tool would read.
    expect(result.lucene).toMatch(/event\.action/);
  });

  it('a single field may be written without a list; a rule without the section is a plain rule', () => {
    const single = compiled('fortiems:\n  new_terms:\n    fields: srcip\n    history: 12h\n');
    expect(isNewTermsRule(single) && single.newTerms).toEqual({ fields: ['ems.srcip'], historyMs: 12 * 3_600_000 });
    const plain = compiled('');
    expect(isCompiled(plain) && !isNewTermsRule(plain)).toBe(true);
  });

  it.each([
    ['fortiems:\n  new_terms:\n    history: 30d\n', 'fortiems.new_terms.fields: missing'],
    ['fortiems:\n  new_terms:\n    fields: [srcip]\n    history: 30x\n', "fortiems.new_terms.history: bad history '30x'"],
    ['fortiems:\n  new_terms:\n    fields: [srcip]\n', "fortiems.new_terms.history: bad history 'undefined'"],
    ['fortiems:\n  new_terms:\n    fields: [a, b, c, d]\n    history: 1d\n', 'unsupported: more than 3 fields'],
    ['fortiems:\n  new_terms:\n    fields: [srcip, srcip]\n    history: 1d\n', 'a field is listed twice'],
    ['fortiems:\n  new_terms:\n    fields: [srcip]\n    history: 1d\n    window: 1h\n', 'fortiems.new_terms.window: unknown key'],
    ['fortiems:\n  rare_terms: {}\n', "unsupported: fortiems extension 'rare_terms'"],
    ['fortiems: 3\n', 'fortiems: not a map'],
  ])('refuses %j', (extension, message) => {
    const result = compiled(extension);
    expect('error' in result && result.error.describe()).toContain(message);
  });
});
