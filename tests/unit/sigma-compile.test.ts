// Each Sigma construct → its exact OpenSearch DSL and Lucene; errors name the rule file and the YAML place;
// valid Sigma we do not translate is refused as `unsupported: …`, never compiled into a different query.

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
import { runRulesCli } from '../support/run-rules-cli.js';

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

const EMS = 'product: fortiems\n  service: ems-authentication';

/** A rule whose logsource is EMS, so raw Fortinet names map to `ems.<raw>`. */
function compileEms(detection: string): CompiledRule {
  return ok(compileRule(rule(detection, EMS), 'test.yml'));
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
    expect(compile('  sel:\n    a: 0x10\n    b: 1.10\n    c: 4688\n  condition: sel').lucene).toBe('a:/0[xX]10/ AND b:1.10 AND c:4688');
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
    // Sigma is case-insensitive: on a keyword field, Lucene needs per-letter classes for that.
    expect(compiled.lucene).toBe('(Image:/[aA]\\.[eE][xX][eE]/ AND (User:/[xX]/ OR User:/[yY]/)) OR Image:/[bB]\\.[eE][xX][eE]/');
  });

  it('keywords are phrases on the message text field; a wildcard only around one word', () => {
    const compiled = compile('  keywords:\n    - \'evil "thing\'\n    - "*wild*"\n    - 4688\n  condition: keywords');
    expect(compiled.dsl).toEqual({
      bool: {
        should: [
          { match_phrase: { message: { query: 'evil "thing' } } },
          { wildcard: { message: { value: '*wild*', ...CI } } },
          { match_phrase: { message: { query: '4688' } } },
        ],
        minimum_should_match: 1,
      },
    });
    expect(compiled.lucene).toBe('message:"evil \\"thing" OR message:*wild* OR message:"4688"');
    expect(compile('  keywords: "word*"\n  condition: keywords').dsl).toEqual({ prefix: { message: { value: 'word', ...CI } } });
    for (const [value, why] of [
      ["'a * b'", 'keyword wildcard other than around one word'],
      ["'Trojan*FOUND'", 'keyword wildcard other than around one word'],
      ["'*a.b*'", 'keyword wildcard other than around one word'],
      ["'/../..'", 'keyword without a letter or digit (the text field indexes words only)'],
    ]) {
      expect(failure(rule(`  keywords: ${value}\n  condition: keywords`))).toBe(`bad.yml: detection.keywords: unsupported: ${why}`);
    }
    expect(failure(rule("  sel:\n    '|base64': 'abc'\n  condition: sel"))).toBe(
      'bad.yml: detection.sel.|base64: unsupported: cased keyword (the text field is lowercased)',
    );
  });

  it('wildcards, Sigma escapes and null', () => {
    expect(compile('  sel:\n    a: "C:\\\\Win*\\\\x?.exe"\n  condition: sel').dsl).toEqual({
      wildcard: { a: { value: 'C:\\\\Win*\\\\x?.exe', ...CI } },
    });
    // `\*` is a literal star: a term, not a wildcard.
    const literal = compile('  sel:\n    a: "a\\\\*b"\n  condition: sel');
    expect(literal.dsl).toEqual({ term: { a: { value: 'a*b', ...CI } } });
    expect(literal.lucene).toBe('a:/[aA]\\*[bB]/');
    expect(compile('  sel:\n    a|cased: "a\\\\*b"\n  condition: sel').lucene).toBe('a:a\\*b');
    const absent = compile('  sel:\n    a: null\n  condition: sel');
    expect(absent.dsl).toEqual({ bool: { must_not: [{ exists: { field: 'a' } }] } });
    expect(absent.lucene).toBe('NOT _exists_:a');
  });

  it('null among alternatives: the classic parser would read `a OR NOT b` as a AND NOT b', () => {
    const compiled = compile('  sel:\n    a: [x, null]\n  filter:\n    b: [1, null]\n  condition: not sel and not filter');
    expect(compiled.lucene).toBe('NOT (a:/[xX]/ OR (*:* AND NOT _exists_:a)) AND NOT (b:1 OR (*:* AND NOT _exists_:b))');
    // A nested group of negations only gets its own match-all: an all-negative sub-query matches nothing in Lucene.
    const nested = compile('  sel1:\n    a: null\n    b: null\n  sel2:\n    c: 1\n  condition: sel1 or sel2');
    expect(nested.lucene).toBe('(*:* AND NOT _exists_:a AND NOT _exists_:b) OR c:1');
  });

  it('an empty string is a term without case_insensitive (which never matches)', () => {
    const empty = compile("  sel:\n    a: ''\n  condition: sel");
    expect(empty.dsl).toEqual({ term: { a: { value: '' } } });
    expect(empty.lucene).toBe('a:""');
    // No ASCII letter, no case: the flag is dropped (ip and numeric fields refuse it), and values collapse to terms.
    expect(compile("  sel:\n    a: ['4688', '10.1.2.3']\n  condition: sel").dsl).toEqual({ terms: { a: ['4688', '10.1.2.3'] } });
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
    expect(one('CommandLine|contains', "'-enc '").lucene).toBe('CommandLine:/.*\\-[eE][nN][cC]\\ .*/');
    expect(one('CommandLine|contains|cased', "'-enc '").lucene).toBe('CommandLine:*\\-enc\\ *');
    // Regexp operators and the `/` delimiter are escaped; `?` is one character; digits and non-ASCII stay bare.
    expect(one('a|startswith', "'x/y?1é@'").lucene).toBe('a:/[xX]\\/[yY].1é\\@.*/');
    expect(one('Image|startswith', "'C:\\x'").dsl).toEqual({ prefix: { Image: { value: 'C:\\x', ...CI } } });
    expect(one('Image|endswith', "'\\cmd.exe'").dsl).toEqual({ wildcard: { Image: { value: '*\\\\cmd.exe', ...CI } } });
    // A regexp ending in a backslash: `\\/` would read as an escaped delimiter, so an empty group closes it.
    expect(one('a', "'C:\\x\\'").lucene).toBe('a:/[cC]\\:\\\\[xX]\\\\()/');
    expect(one('a|re', "'x\\\\'").lucene).toBe('a:/.*x\\\\.*/');
    expect(one('a|re', "'x\\\\$'").lucene).toBe('a:/.*x\\\\()/');
    expect(one('Image|endswith', "'\\cmd.exe'").lucene).toBe('Image:/.*\\\\[cC][mM][dD]\\.[eE][xX][eE]/');
    expect(one('a|contains|all', '[x, y]').dsl).toEqual({
      bool: { must: [{ wildcard: { a: { value: '*x*', ...CI } } }, { wildcard: { a: { value: '*y*', ...CI } } }] },
    });
    expect(one('a|cased', '[Ab, Cd]').dsl).toEqual({ terms: { a: ['Ab', 'Cd'] } });
  });

  it('re, with the i flag; unmappable regex features are unsupported', () => {
    const re = one('a|re', "'^foo\\d+(bar|baz)'");
    expect(re.dsl).toEqual({ regexp: { a: { value: 'foo[0-9]+(bar|baz).*', flags: 'ALL' } } });
    expect(re.lucene).toBe('a:/foo[0-9]+(bar|baz).*/');
    // Case-insensitive regexps spell both cases out (ASCII, as case_insensitive), so Lucene means the same.
    expect(one('a|re|i', "'x/y@z'").dsl).toEqual({ regexp: { a: { value: '.*[xX]/[yY]\\@[zZ].*', flags: 'ALL' } } });
    expect(one('a|re|i', "'x/y'").lucene).toBe('a:/.*[xX]\\/[yY].*/');
    expect(one('a|re|i', "'[^a-c_]\\x41'").lucene).toBe('a:/.*[^a-cA-C_][aA].*/');
    // PCRE literals that are Lucene operators or errors are escaped; lazy quantifiers become greedy.
    expect(one('a|re', "'a]b{c}d{2,3}?e<f'").dsl).toEqual({ regexp: { a: { value: '.*a\\]b\\{c\\}d{2,3}e\\<f.*', flags: 'ALL' } } });
    // PCRE \s is Lucene's \s ([ \t\n\r]) plus form feed and vertical tab, written raw: no line break in the query.
    expect(one('a|re', "'x(?:\\s|)y(|z)\\S'").dsl).toEqual({
      regexp: { a: { value: '.*x([\\s\f\v]|())y(()|z)[^\\s\f\v].*', flags: 'ALL' } },
    });
    expect(one('a|re', "'x\\sy'").lucene).not.toMatch(/[\t\n\r]/);
    expect(one('a|re', "'(?i)x.*?y$'").dsl).toEqual({ regexp: { a: { value: '.*[xX].*[yY]', flags: 'ALL' } } });
    expect(failure(rule("  sel:\n    a|re: 'x\\ty'\n  condition: sel"))).toBe(
      'bad.yml: detection.sel.a|re: unsupported: re escape \\t (tab): Lucene regexp can only write it raw',
    );
    expect(failure(rule("  sel:\n    a|re: '(?=x)'\n  condition: sel"))).toBe(
      "bad.yml: detection.sel.a|re: unsupported: re group '(?=' (lookaround or inline flag)",
    );
    expect(failure(rule("  sel:\n    a|re|m: '^x'\n  condition: sel"))).toBe(
      'bad.yml: detection.sel.a|re|m: unsupported: re flag m with ^/$ anchors',
    );
  });

  it('cidr on an ip field, exists, ranges', () => {
    const cidr = compileEms("  sel:\n    srcip|cidr: '10.0.0.0/8'\n  condition: sel");
    expect(cidr.dsl).toEqual({ term: { 'ems.srcip': { value: '10.0.0.0/8' } } });
    expect(cidr.lucene).toBe('ems.srcip:10.0.0.0\\/8');
    expect(one('a|exists', 'true').dsl).toEqual({ exists: { field: 'a' } });
    expect(one('a|gte', '5').dsl).toEqual({ range: { a: { gte: 5 } } });
    expect(one('a|lt', '5').lucene).toBe('a:<5');
    expect(one('a|cased', 'OR').lucene).toBe('a:\\OR');
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
    expect(windash.lucene).toBe(
      'a:/.*\\ \\-[fF]\\ .*/ OR a:/.*\\ \\/[fF]\\ .*/ OR a:/.*\\ –[fF]\\ .*/ OR a:/.*\\ —[fF]\\ .*/ OR a:/.*\\ ―[fF]\\ .*/',
    );
    // Every combination, as pySigma: 2 dashes → 25 variants; a dash inside a word is not a switch.
    expect(one('a|windash', "'-a /b x-y'").dsl).toMatchObject({ bool: { should: expect.any(Array) } });
    const variants = (one('a|windash', "'-a /b x-y'").dsl as { bool: { should: { term: { a: { value: string } } }[] } }).bool.should;
    expect(variants).toHaveLength(25);
    expect(variants.map((variant) => variant.term.a.value)).toContain('/a -b x-y');
  });

  it('wide (and utf16le/utf16be/utf16) encode the value before base64 or base64offset, as pySigma', () => {
    // pySigma: CommandLine|wide|base64offset|contains: 'ping'
    expect(one('a|wide|base64offset|contains', 'ping').dsl).toEqual({
      bool: {
        should: [
          { wildcard: { a: { value: '*cABpAG4AZw*' } } },
          { wildcard: { a: { value: '*AAaQBuAGcA*' } } },
          { wildcard: { a: { value: '*wAGkAbgBnA*' } } },
        ],
        minimum_should_match: 1,
      },
    });
    expect(one('a|utf16le|base64', 'ab').dsl).toEqual({ term: { a: { value: 'YQBiAA==' } } });
    expect(one('a|utf16be|base64', 'ab').lucene).toBe('a:AGEAYg\\=\\=');
    // Python's utf-16: a little-endian BOM first.
    expect(one('a|utf16|base64', 'ab').dsl).toEqual({ term: { a: { value: '//5hAGIA' } } });
    expect(failure(rule("  sel:\n    a|wide: 'ab'\n  condition: sel"))).toBe(
      'bad.yml: detection.sel.a|wide: unsupported: wide without base64 or base64offset after it (indexed text holds no UTF-16)',
    );
    expect(failure(rule("  sel:\n    a|base64|wide: 'ab'\n  condition: sel"))).toContain('unsupported: wide without base64');
    expect(failure(rule("  sel:\n    a|wide|utf16|base64: 'ab'\n  condition: sel"))).toBe(
      'bad.yml: detection.sel.a|wide|utf16|base64: more than one text encoding',
    );
    expect(failure(rule("  sel:\n    a|base64offset|contains: 'a*b'\n  condition: sel"))).toContain('unsupported: base64 with wildcards');
    // windash first: each variant encoded; windash after base64 would search dashes in base64 text.
    expect(one('a|windash|base64', "'-x'").dsl).toEqual({
      terms: { a: ['LXg=', 'L3g=', '4oCTeA==', '4oCUeA==', '4oCVeA=='] },
    });
    expect(failure(rule("  sel:\n    a|base64|windash: '-x'\n  condition: sel"))).toContain('unsupported: windash after base64');
    // A string modifier beside re, cidr, a bound or exists would be dropped: refused.
    expect(failure(rule("  sel:\n    a|re|contains: 'x'\n  condition: sel"))).toBe(
      'bad.yml: detection.sel.a|re|contains: unsupported: re with contains',
    );
    expect(failure(rule("  sel:\n    a|cidr|base64: '10.0.0.0/8'\n  condition: sel"))).toContain('unsupported: cidr with base64');
  });

  it('expand: every %name% replaced by each configured value, as Sigma text; an unknown one refuses the rule', () => {
    const placeholders = { Dir: ['C:\\Temp', 'C:\\Users\\\\*\\AppData'], x: ['1', '2'], y: ['a'] };
    const expanded = (detection: string) => ok(compileRule(rule(detection), 'test.yml', { placeholders }));
    expect(expanded("  sel:\n    a|expand|endswith: '%Dir%\\evil.exe'\n  condition: sel").dsl).toEqual({
      bool: {
        should: [
          { wildcard: { a: { value: '*C:\\\\Temp\\\\evil.exe', ...CI } } },
          { wildcard: { a: { value: '*C:\\\\Users\\\\*\\\\AppData\\\\evil.exe', ...CI } } },
        ],
        minimum_should_match: 1,
      },
    });
    // Several placeholders: every combination; `all` still ANDs the rule's values.
    expect(expanded("  sel:\n    a|expand: '%x%-%y%'\n  condition: sel").lucene).toBe('a:/1\\-[aA]/ OR a:/2\\-[aA]/');
    expect(expanded("  sel:\n    a|expand|contains|all: ['%x%', b]\n  condition: sel").lucene).toBe('(a:*1* OR a:*2*) AND a:/.*[bB].*/');
    expect(expanded("  sel:\n    a|expand: 'no placeholder'\n  condition: sel").dsl).toEqual({
      term: { a: { value: 'no placeholder', ...CI } },
    });
    // Without expand, %x% is literal text.
    expect(expanded("  sel:\n    a: '%x%'\n  condition: sel").dsl).toEqual({ term: { a: { value: '%x%', ...CI } } });
    expect(failure(rule("  sel:\n    a|expand: '%x%'\n  condition: sel"))).toBe(
      'bad.yml: detection.sel.a|expand: unsupported: placeholder %x% has no value',
    );
  });

  it('fieldref (no script engine on the target, no Lucene form) and unknown modifiers are unsupported', () => {
    expect(failure(rule('  sel:\n    a|fieldref: b\n  condition: sel'))).toBe(
      'bad.yml: detection.sel.a|fieldref: unsupported: modifier fieldref (comparing two fields needs a Painless script query)',
    );
    expect(failure(rule('  sel:\n    a|bogus: b\n  condition: sel'))).toBe(
      'bad.yml: detection.sel.a|bogus: unsupported: unknown modifier bogus',
    );
  });
});

describe('field and logsource mapping', () => {
  it('raw Fortinet names go to ems.<raw>, ECS and unknown names pass through', () => {
    expect(mapField('hostname', true)).toEqual({ name: 'ems.hostname', type: 'keyword' });
    expect(mapField('srcip', true).name).toBe('ems.srcip');
    expect(mapField('user', true).name).toBe('ems.user');
    expect(mapField('host.name', true).name).toBe('host.name');
    expect(mapField('CommandLine', true)).toEqual({ name: 'CommandLine', type: 'unknown' });
  });
  it('the raw-name rename is for Fortinet logsources only: a DNS rule keeps its own `query`', () => {
    expect(mapField('query', true).name).toBe('ems.query');
    expect(mapField('query', false)).toEqual({ name: 'query', type: 'unknown' });
    expect(mapField('ems.query', false).name).toBe('ems.query');
    expect(mapField('source.ip', false)).toEqual({ name: 'source.ip', type: 'ip' });
    const dns = ok(compileRule(rule("  sel:\n    query|endswith: '.onion'\n  condition: sel", 'category: dns'), 'dns.yml'));
    expect(dns.dsl).toEqual({ wildcard: { query: { value: '*.onion', ...CI } } });
    expect(compileEms("  sel:\n    query|endswith: '.onion'\n  condition: sel").dsl).toEqual({
      wildcard: { 'ems.query': { value: '*.onion', ...CI } },
    });
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
  writeFileSync(join(folder, 'sub', 'b.yml'), rule("  sel:\n    a|expand: '%x%'\n  condition: sel"));
  writeFileSync(join(folder, 'sub', 'c.yml'), 'title: broken\n');
  writeFileSync(join(folder, 'notes.txt'), 'not a rule');

  it('walks a folder recursively, *.yml only', () => {
    expect(compileRules(folder).map((result) => isCompiled(result))).toEqual([true, false, false]);
  });

  it('rules compile prints one line per rule and a summary', async () => {
    const { out, err } = await runRulesCli(['compile', folder, '--to', 'lucene']);
    expect(out).toEqual([
      `${join(folder, 'a.yml')}\tlogs-fortiems.authentication-*\tems.hostname:/[pP][cC]1/\n`,
      `${join(folder, 'sub', 'b.yml')}: detection.sel.a|expand: unsupported: placeholder %x% has no value\n`,
      `${join(folder, 'sub', 'c.yml')}: detection: missing or not a map\n`,
    ]);
    expect(err).toEqual(['1 compiled, 1 unsupported, 1 invalid\n']);
  });

  it('rules compile --placeholders FILE resolves expand placeholders', async () => {
    const file = join(folder, 'placeholders.yaml');
    writeFileSync(file, 'x: [one, two]\n');
    const { out, err } = await runRulesCli(['compile', join(folder, 'sub', 'b.yml'), '--to', 'lucene', '--placeholders', file]);
    expect(out).toEqual([`${join(folder, 'sub', 'b.yml')}\tlogs-*\ta:/[oO][nN][eE]/ OR a:/[tT][wW][oO]/\n`]);
    expect(err).toEqual(['1 compiled, 0 unsupported, 0 invalid\n']);
  });
});

describe('typed fields', () => {
  it('exact values on ip fields drop case_insensitive; wildcards and re on them are unsupported', () => {
    expect(compileEms("  sel:\n    srcip: '10.1.2.3'\n  condition: sel").dsl).toEqual({ term: { 'ems.srcip': { value: '10.1.2.3' } } });
    expect(failure(rule("  sel:\n    srcip|startswith: '10.'\n  condition: sel", EMS))).toBe(
      'bad.yml: detection.sel.srcip|startswith: unsupported: wildcard on ip field ems.srcip',
    );
    expect(failure(rule("  sel:\n    srcip|re: '10\\..*'\n  condition: sel", EMS))).toBe(
      'bad.yml: detection.sel.srcip|re: unsupported: re on ip field ems.srcip',
    );
  });

  it('values on a text field are refused (it holds words); exists and null are fine', () => {
    expect(failure(rule("  sel:\n    message|contains: 'evil'\n  condition: sel"))).toBe(
      'bad.yml: detection.sel.message|contains: unsupported: value on text field message (search its words with keywords)',
    );
    expect(compile('  sel:\n    message: null\n  condition: sel').lucene).toBe('NOT _exists_:message');
    expect(compile('  sel:\n    error.message|exists: true\n  condition: sel').lucene).toBe('_exists_:error.message');
  });

  it('cidr on a keyword field: an octet-aligned IPv4 block is a text prefix, anything else is refused', () => {
    const keyword = (cidr: string) => compileEms(`  sel:\n    hostname|cidr: '${cidr}'\n  condition: sel`);
    expect(keyword('10.1.0.0/16').dsl).toEqual({ prefix: { 'ems.hostname': { value: '10.1.' } } });
    expect(keyword('10.1.0.0/16').lucene).toBe('ems.hostname:10.1.*');
    expect(keyword('10.1.2.3/32').dsl).toEqual({ term: { 'ems.hostname': { value: '10.1.2.3' } } });
    expect(keyword('192.168.7.0/24').lucene).toBe('ems.hostname:192.168.7.*');
    expect(failure(rule("  sel:\n    hostname|cidr: '10.0.0.0/12'\n  condition: sel", EMS))).toBe(
      'bad.yml: detection.sel.hostname|cidr: unsupported: cidr 10.0.0.0/12 on keyword field ems.hostname (only /8, /16, /24 and /32 are a text prefix)',
    );
    expect(failure(rule("  sel:\n    hostname|cidr: 'fe80::/64'\n  condition: sel", EMS))).toBe(
      'bad.yml: detection.sel.hostname|cidr: unsupported: cidr fe80::/64 on keyword field ems.hostname (only IPv4 blocks have a text prefix)',
    );
  });
});
