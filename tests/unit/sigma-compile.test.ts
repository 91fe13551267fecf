// Each Sigma construct → its exact OpenSearch DSL and Lucene; errors name the rule file and the YAML place;
// valid Sigma we do not translate is refused as `unsupported: …`, never compiled into a different query.

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerRulesCommand } from '../../app/cli/rules-command.js';
import {
  type CompiledRule,
  type CompileResult,
  compileRule,
  compileRules,
  isCompiled,
  isQueryRule,
} from '../../detections/sigma/compile.js';
import { parseCondition } from '../../detections/sigma/condition.js';
import { indexPatternFor, mapField } from '../../detections/sigma/field-mapping.js';

function rule(detection: string, logsource = 'product: windows'): string {
  return `title: Test rule\nid: 1\nstatus: test\nlevel: high\ntags: [attack.t1059]\nlogsource:\n  ${logsource}\ndetection:\n${detection}\nfalsepositives: [none]\nfields: [CommandLine]\n`;
}

function ok(result: CompileResult): CompiledRule {
  if (!isCompiled(result)) throw new Error(result.error.describe());
  if (!isQueryRule(result)) throw new Error('a correlation, not a query rule');
  return result;
}

function compile(detection: string): CompiledRule {
  return ok(compileRule(rule(detection), 'test.yml'));
}

function failure(text: string): string {
  const result = compileRule(text, 'bad.yml');
  if (isCompiled(result)) throw new Error('compiled');
  return result.error.describe();
}

const CI = { case_insensitive: true };

describe('loading', () => {
  it('reads the rule metadata', () => {
    const { rule: loaded, index } = compile('  sel:\n    Image: a\n  condition: sel');
    expect(loaded).toMatchObject({
      title: 'Test rule',
      id: '1',
      status: 'test',
      level: 'high',
      tags: ['attack.t1059'],
      logsource: { product: 'windows' },
      conditions: ['sel'],
      falsepositives: ['none'],
      fields: ['CommandLine'],
    });
    expect(index).toBe('logs-*');
  });

  it('errors name the file, the YAML path and the problem', () => {
    expect(failure('logsource: {}\ndetection:\n  sel: {a: 1}\n  condition: sel\n')).toBe('bad.yml: title: missing or not a string');
    expect(failure(rule('  sel:\n    a: 1'))).toBe('bad.yml: detection.condition: missing');
    expect(failure(rule('  sel:\n    a:\n      b: 1\n  condition: sel'))).toBe('bad.yml: detection.sel.a: nested map: expected a value');
    expect(failure(rule('  sel:\n    a: 1\n  condition: sel and other'))).toBe(
      "bad.yml: detection.condition: condition 'sel and other': unknown identifier 'other'",
    );
    expect(failure(rule('  sel:\n    a|exists: yes please\n  condition: sel'))).toBe(
      'bad.yml: detection.sel.a|exists: exists needs true or false',
    );
  });

  it('keeps numbers as written when YAML would rewrite them', () => {
    expect(compile('  sel:\n    a: 0x10\n    b: 1.10\n    c: 4688\n  condition: sel').lucene).toBe('a:0x10 AND b:1.10 AND c:4688');
  });

  it('YAML syntax errors name the line', () => {
    expect(failure('title: x\ndetection: [a\n')).toMatch(/^bad\.yml: \(line \d+\): YAML: /);
  });

  it('refuses action collections and aggregation expressions as unsupported', () => {
    expect(failure(`action: global\ntitle: x\n---\n${rule('  sel:\n    b: 1\n  condition: sel')}`)).toBe(
      'bad.yml: (document 1) action: unsupported: rule collection (action)',
    );
    expect(failure(rule('  sel:\n    a: 1\n  condition: sel | count() > 5'))).toBe(
      'bad.yml: detection.condition: unsupported: aggregation expression',
    );
  });
});

describe('condition grammar', () => {
  const ids = ['sel1', 'sel2', 'filter', '_helper'];
  it('parses precedence, not, parentheses and x of', () => {
    expect(parseCondition('sel1 or sel2 and not filter', ids)).toEqual({
      kind: 'or',
      items: [
        { kind: 'ref', name: 'sel1' },
        {
          kind: 'and',
          items: [
            { kind: 'ref', name: 'sel2' },
            { kind: 'not', item: { kind: 'ref', name: 'filter' } },
          ],
        },
      ],
    });
    expect(parseCondition('(sel1 or sel2) and not filter', ids)).toMatchObject({ kind: 'and', items: [{ kind: 'or' }, { kind: 'not' }] });
    expect(parseCondition('1 of sel*', ids)).toEqual({ kind: 'oneOf', names: ['sel1', 'sel2'] });
    expect(parseCondition('all of them', ids)).toEqual({ kind: 'allOf', names: ['sel1', 'sel2', 'filter'] });
    expect(parseCondition('1 of them', ids)).toEqual({ kind: 'oneOf', names: ['sel1', 'sel2', 'filter'] });
  });
  it('refuses what it cannot read', () => {
    expect(() => parseCondition('2 of sel*', ids)).toThrow("unsupported: '2 of' (only '1 of' and 'all of')");
    expect(() => parseCondition('1 of nothing*', ids)).toThrow("pattern 'nothing*' matches no identifier");
    expect(() => parseCondition('sel1 and', ids)).toThrow('unexpected end');
  });
});

describe('selections and values', () => {
  it('a map is AND, a list of values OR, a list of maps OR', () => {
    const compiled = compile('  sel:\n    - Image: a.exe\n      User: [x, y]\n    - Image: b.exe\n  condition: sel');
    expect(compiled.dsl).toEqual({
      bool: {
        should: [
          {
            bool: {
              must: [
                { term: { Image: { value: 'a.exe', ...CI } } },
                {
                  bool: {
                    should: [{ term: { User: { value: 'x', ...CI } } }, { term: { User: { value: 'y', ...CI } } }],
                    minimum_should_match: 1,
                  },
                },
              ],
            },
          },
          { term: { Image: { value: 'b.exe', ...CI } } },
        ],
        minimum_should_match: 1,
      },
    });
    expect(compiled.lucene).toBe('(Image:a.exe AND (User:x OR User:y)) OR Image:b.exe');
  });

  it('keywords are full-text query_string searches', () => {
    const compiled = compile('  keywords:\n    - "evil thing"\n    - "*wild*"\n  condition: keywords');
    expect(compiled.dsl).toEqual({
      bool: { should: [{ query_string: { query: 'evil\\ thing' } }, { query_string: { query: '*wild*' } }], minimum_should_match: 1 },
    });
    expect(compiled.lucene).toBe('evil\\ thing OR *wild*');
  });

  it('wildcards, Sigma escapes and null', () => {
    expect(compile('  sel:\n    a: "C:\\\\Win*\\\\x?.exe"\n  condition: sel').dsl).toEqual({
      wildcard: { a: { value: 'C:\\\\Win*\\\\x?.exe', ...CI } },
    });
    // `\*` is a literal star: a term, not a wildcard.
    const literal = compile('  sel:\n    a: "a\\\\*b"\n  condition: sel');
    expect(literal.dsl).toEqual({ term: { a: { value: 'a*b', ...CI } } });
    expect(literal.lucene).toBe('a:a\\*b');
    const absent = compile('  sel:\n    a: null\n  condition: sel');
    expect(absent.dsl).toEqual({ bool: { must_not: [{ exists: { field: 'a' } }] } });
    expect(absent.lucene).toBe('NOT _exists_:a');
  });

  it('not, 1 of, all of', () => {
    const compiled = compile('  sel1:\n    a: 1\n  sel2:\n    b: 2\n  filter:\n    c: 3\n  condition: all of sel* and not filter');
    expect(compiled.dsl).toEqual({
      bool: {
        must: [{ term: { a: { value: '1' } } }, { term: { b: { value: '2' } } }, { bool: { must_not: [{ term: { c: { value: '3' } } }] } }],
      },
    });
    expect(compiled.lucene).toBe('a:1 AND b:2 AND NOT c:3');
  });
});

describe('modifiers', () => {
  const one = (key: string, value: string) => compile(`  sel:\n    ${key}: ${value}\n  condition: sel`);

  it('contains, startswith, endswith, all, cased', () => {
    expect(one('CommandLine|contains', "'-enc '").dsl).toEqual({ wildcard: { CommandLine: { value: '*-enc *', ...CI } } });
    expect(one('CommandLine|contains', "'-enc '").lucene).toBe('CommandLine:*\\-enc\\ *');
    expect(one('Image|startswith', "'C:\\x'").dsl).toEqual({ prefix: { Image: { value: 'C:\\x', ...CI } } });
    expect(one('Image|endswith', "'\\cmd.exe'").dsl).toEqual({ wildcard: { Image: { value: '*\\\\cmd.exe', ...CI } } });
    expect(one('Image|endswith', "'\\cmd.exe'").lucene).toBe('Image:*\\\\cmd.exe');
    expect(one('a|contains|all', '[x, y]').dsl).toEqual({
      bool: { must: [{ wildcard: { a: { value: '*x*', ...CI } } }, { wildcard: { a: { value: '*y*', ...CI } } }] },
    });
    expect(one('a|cased', '[Ab, Cd]').dsl).toEqual({ terms: { a: ['Ab', 'Cd'] } });
  });

  it('re, with the i flag; unmappable regex features are unsupported', () => {
    const re = one('a|re', "'^foo\\d+(bar|baz)'");
    expect(re.dsl).toEqual({ regexp: { a: { value: 'foo[0-9]+(bar|baz).*', flags: 'ALL' } } });
    expect(re.lucene).toBe('a:/foo[0-9]+(bar|baz).*/');
    expect(one('a|re|i', "'x/y@z'").dsl).toEqual({ regexp: { a: { value: '.*x/y\\@z.*', flags: 'ALL', ...CI } } });
    expect(one('a|re|i', "'x/y'").lucene).toBe('a:/.*x\\/y.*/');
    // PCRE literals that are Lucene operators or errors are escaped; lazy quantifiers become greedy.
    expect(one('a|re', "'a]b{c}d{2,3}?e<f'").dsl).toEqual({ regexp: { a: { value: '.*a\\]b\\{c\\}d{2,3}e\\<f.*', flags: 'ALL' } } });
    expect(one('a|re', "'x(?:\\s|)y(|z)'").dsl).toEqual({ regexp: { a: { value: '.*x([ \t\n\r\f\v]|())y(()|z).*', flags: 'ALL' } } });
    expect(one('a|re', "'(?i)x.*?y$'").dsl).toEqual({ regexp: { a: { value: '.*x.*y', flags: 'ALL', ...CI } } });
    expect(failure(rule("  sel:\n    a|re: '(?=x)'\n  condition: sel"))).toBe(
      "bad.yml: detection.sel.a|re: unsupported: re group '(?=' (lookaround or inline flag)",
    );
    expect(failure(rule("  sel:\n    a|re|m: '^x'\n  condition: sel"))).toBe(
      'bad.yml: detection.sel.a|re|m: unsupported: re flag m with ^/$ anchors',
    );
  });

  it('cidr on an ip field, exists, ranges', () => {
    const cidr = one('srcip|cidr', "'10.0.0.0/8'");
    expect(cidr.dsl).toEqual({ term: { 'ems.srcip': { value: '10.0.0.0/8' } } });
    expect(cidr.lucene).toBe('ems.srcip:10.0.0.0\\/8');
    expect(one('a|exists', 'true').dsl).toEqual({ exists: { field: 'a' } });
    expect(one('a|gte', '5').dsl).toEqual({ range: { a: { gte: 5 } } });
    expect(one('a|lt', '5').lucene).toBe('a:<5');
    expect(one('a', 'OR').lucene).toBe('a:\\OR');
  });

  it('base64, base64offset, windash', () => {
    expect(one('a|base64', 'abc').dsl).toEqual({ term: { a: { value: 'YWJj' } } });
    expect(one('a|base64offset|contains', 'http').dsl).toEqual({
      bool: {
        should: [
          { wildcard: { a: { value: '*aHR0c*' } } },
          { wildcard: { a: { value: '*h0dH*' } } },
          { wildcard: { a: { value: '*odHRw*' } } },
        ],
        minimum_should_match: 1,
      },
    });
    const windash = one('a|windash|contains', "' -f '");
    expect(windash.lucene).toBe('a:*\\ \\-f\\ * OR a:*\\ \\/f\\ * OR a:*\\ –f\\ * OR a:*\\ —f\\ * OR a:*\\ ―f\\ *');
    // Every combination, as pySigma: 2 dashes → 25 variants; a dash inside a word is not a switch.
    expect(one('a|windash', "'-a /b x-y'").dsl).toMatchObject({ bool: { should: expect.any(Array) } });
    const variants = (one('a|windash', "'-a /b x-y'").dsl as { bool: { should: { term: { a: { value: string } } }[] } }).bool.should;
    expect(variants).toHaveLength(25);
    expect(variants.map((variant) => variant.term.a.value)).toContain('/a -b x-y');
  });

  it('expand, fieldref and unknown modifiers are unsupported', () => {
    expect(failure(rule('  sel:\n    a|expand: "%x%"\n  condition: sel'))).toBe(
      'bad.yml: detection.sel.a|expand: unsupported: modifier expand',
    );
    expect(failure(rule('  sel:\n    a|fieldref: b\n  condition: sel'))).toBe(
      'bad.yml: detection.sel.a|fieldref: unsupported: modifier fieldref',
    );
    expect(failure(rule('  sel:\n    a|bogus: b\n  condition: sel'))).toBe(
      'bad.yml: detection.sel.a|bogus: unsupported: unknown modifier bogus',
    );
  });
});

describe('field and logsource mapping', () => {
  it('raw Fortinet names go to ems.<raw>, ECS and unknown names pass through', () => {
    expect(mapField('hostname')).toEqual({ name: 'ems.hostname', type: 'keyword' });
    expect(mapField('srcip').name).toBe('ems.srcip');
    expect(mapField('user').name).toBe('ems.user');
    expect(mapField('host.name').name).toBe('host.name');
    expect(mapField('CommandLine')).toEqual({ name: 'CommandLine', type: 'unknown' });
  });
  it('EMS logsources pick one data stream', () => {
    expect(indexPatternFor({ product: 'fortiems', service: 'ems-authentication' })).toBe('logs-fortiems.authentication-*');
    expect(indexPatternFor({ product: 'forticlient_ems', service: 'vpn' })).toBe('logs-fortiems.vpn-*');
    expect(indexPatternFor({ product: 'fortinet' })).toBe('logs-fortiems.*-*');
    expect(indexPatternFor({ product: 'windows', service: 'security' })).toBe('logs-*');
  });
});

describe('compileRules and the CLI', () => {
  const folder = mkdtempSync(join(tmpdir(), 'sigma-'));
  mkdirSync(join(folder, 'sub'));
  writeFileSync(
    join(folder, 'a.yml'),
    rule('  sel:\n    hostname: pc1\n  condition: sel', 'product: fortiems\n  service: ems-authentication'),
  );
  writeFileSync(join(folder, 'sub', 'b.yml'), rule('  sel:\n    a|expand: x\n  condition: sel'));
  writeFileSync(join(folder, 'sub', 'c.yml'), 'title: broken\n');
  writeFileSync(join(folder, 'notes.txt'), 'not a rule');

  it('walks a folder recursively, *.yml only', () => {
    expect(compileRules(folder).map((result) => isCompiled(result))).toEqual([true, false, false]);
  });

  it('rules compile prints one line per rule and a summary', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const stdout = process.stdout.write;
    const stderr = process.stderr.write;
    process.stdout.write = ((chunk: string) => out.push(chunk) > 0) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string) => err.push(chunk) > 0) as typeof process.stderr.write;
    try {
      const program = new Command('fortiems').exitOverride();
      registerRulesCommand(program);
      await program.parseAsync(['node', 'fortiems', 'rules', 'compile', folder, '--to', 'lucene']);
    } finally {
      process.stdout.write = stdout;
      process.stderr.write = stderr;
      process.exitCode = undefined;
    }
    expect(out).toEqual([
      `${join(folder, 'a.yml')}\tlogs-fortiems.authentication-*\tems.hostname:pc1\n`,
      `${join(folder, 'sub', 'b.yml')}: detection.sel.a|expand: unsupported: modifier expand\n`,
      `${join(folder, 'sub', 'c.yml')}: detection: missing or not a map\n`,
    ]);
    expect(err).toEqual(['1 compiled, 1 unsupported, 1 invalid\n']);
  });
});

describe('typed fields', () => {
  it('exact values on ip fields drop case_insensitive; wildcards and re on them are unsupported', () => {
    expect(compile("  sel:\n    srcip: '10.1.2.3'\n  condition: sel").dsl).toEqual({ term: { 'ems.srcip': { value: '10.1.2.3' } } });
    expect(failure(rule("  sel:\n    srcip|startswith: '10.'\n  condition: sel"))).toBe(
      'bad.yml: detection.sel.srcip|startswith: unsupported: wildcard on ip field ems.srcip',
    );
    expect(failure(rule("  sel:\n    srcip|re: '10\\..*'\n  condition: sel"))).toBe(
      'bad.yml: detection.sel.srcip|re: unsupported: re on ip field ems.srcip',
    );
  });
});
