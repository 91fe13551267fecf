// Ground truth for the Sigma compiler: hand-made documents in a real OpenSearch, each case's rule compiled, and
// BOTH outputs executed (the DSL the scheduler runs, the Lucene string the alert stores and Dashboards runs through
// query_string): each must return exactly the documents that match by the Sigma specification. One table row per
// case, so a modifier or a condition shape is one more row: documents (id → fields), the rule, the expected ids.
//
// The index has the mapping types a user has: keyword, text (`message`, where keyword searches go), ip and long,
// and the EMS raw fields (`ems.*`) that Fortinet rules are mapped to.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type CompiledRule, compileRule, isCompiled, isQueryRule } from '../../detections/sigma/compile.js';
import type { Placeholders } from '../../detections/sigma/placeholders.js';
import type { Dsl } from '../../detections/sigma/to-dsl.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';

type Document = Record<string, unknown>;

interface Case {
  readonly name: string;
  /** YAML under `detection:`, indented by two spaces. */
  readonly detection: string;
  /** Default `product: windows`: raw field names are not Fortinet's. */
  readonly logsource?: string;
  readonly documents: Readonly<Record<string, Document>>;
  /** Ids of the documents that must match; every other document of the case must not. */
  readonly expected: readonly string[];
  /** `expand` placeholders, as `detections.placeholders` gives them. */
  readonly placeholders?: Placeholders;
}

/** Valid Sigma with no exact query on this target: the compiler must refuse it, never approximate it. */
interface Refusal {
  readonly name: string;
  readonly detection: string;
  readonly logsource?: string;
  readonly reason: string;
}

const EMS = '{product: fortiems, service: ems-client}';

/** Base64 of UTF-16LE text: what `powershell -EncodedCommand` carries. */
const wideBase64 = (text: string): string => Buffer.from(text, 'utf16le').toString('base64');

const CASES: readonly Case[] = [
  // Issue 18: `a OR b OR NOT _exists_:F` is read by the classic parser as (a OR b) AND NOT _exists_:F.
  {
    name: 'null inside an OR group, under a NOT filter',
    detection: '  sel:\n    kw: x\n  filter:\n    kw2: [a, null]\n  condition: sel and not filter',
    documents: { a: { kw: 'x', kw2: 'a' }, missing: { kw: 'x' }, other: { kw: 'x', kw2: 'b' }, notsel: { kw: 'y', kw2: 'b' } },
    expected: ['other'],
  },
  {
    name: 'null inside an OR group',
    detection: '  sel:\n    kw2: [a, null]\n  condition: sel',
    documents: { a: { kw2: 'a' }, missing: { kw: 'x' }, other: { kw2: 'b' } },
    expected: ['a', 'missing'],
  },
  {
    name: 'a group of negations only, beside an alternative',
    detection: '  sel1:\n    kw: null\n    kw2: null\n  sel2:\n    num: 1\n  condition: sel1 or sel2',
    documents: { none: { num: 2 }, kw: { kw: 'x', num: 2 }, one: { kw: 'x', num: 1 }, both: { kw: 'x', kw2: 'y', num: 3 } },
    expected: ['none', 'one'],
  },
  // Issue 18: `term` with case_insensitive and value '' never matches.
  {
    name: 'empty string',
    detection: "  sel:\n    kw: ''\n  condition: sel",
    documents: { empty: { kw: '' }, text: { kw: 'a' }, missing: { kw2: '' } },
    expected: ['empty'],
  },
  {
    name: 'empty string under NOT',
    detection: "  sel:\n    kw: x\n  filter:\n    kw2: ''\n  condition: sel and not filter",
    documents: { empty: { kw: 'x', kw2: '' }, text: { kw: 'x', kw2: 'a' }, missing: { kw: 'x' } },
    expected: ['text', 'missing'],
  },
  // Issue 18: raw Fortinet renames only for Fortinet logsources.
  {
    name: 'a DNS rule searches its own query field',
    logsource: '{category: dns}',
    detection: "  sel:\n    query|endswith: '.onion'\n  condition: sel",
    documents: { own: { query: 'abc.onion' }, ems: { ems: { query: 'abc.onion' } }, other: { query: 'abc.com' } },
    expected: ['own'],
  },
  {
    name: 'an EMS rule searches the raw field under ems.',
    logsource: EMS,
    detection: "  sel:\n    query|endswith: '.ONION'\n  condition: sel",
    documents: { own: { query: 'abc.onion' }, ems: { ems: { query: 'abc.onion' } }, other: { ems: { query: 'abc.com' } } },
    expected: ['ems'],
  },
  // Issue 18: keywords are phrases, not an OR of their words.
  {
    name: 'multi-word keyword',
    detection: "  keywords:\n    - 'evil thing'\n  condition: keywords",
    documents: {
      phrase: { message: 'an evil thing here' },
      upper: { message: 'AN EVIL THING' },
      reversed: { message: 'thing evil' },
      apart: { message: 'evil other thing' },
      one: { message: 'evil only' },
      keyword: { kw: 'evil thing' },
    },
    expected: ['phrase', 'upper'],
  },
  {
    name: 'keyword with punctuation and a wildcard around one word',
    detection: "  keywords:\n    - 'node:child_process'\n    - '*wild*'\n  condition: keywords",
    documents: {
      call: { message: "require('node:child_process')" },
      wildly: { message: 'so Wildly' },
      split: { message: 'wi ld' },
      node: { message: 'node alone' },
    },
    expected: ['call', 'wildly'],
  },
  // Issue 18: \s must not be raw tab/LF/CR in the query; PCRE's \s also matches form feed and vertical tab.
  {
    name: 're with \\s and \\S',
    detection: "  sel:\n    kw|re: 'a\\sb'\n  other:\n    kw2|re: '^a\\Sb$'\n  condition: sel or other",
    documents: {
      space: { kw: 'xa by' },
      tab: { kw: 'a\tb' },
      lf: { kw: 'a\nb' },
      cr: { kw: 'a\rb' },
      ff: { kw: 'a\fb' },
      vt: { kw: 'a\vb' },
      x: { kw: 'axb' },
      nbsp: { kw: 'a\u00a0b' },
      s2: { kw2: 'axb' },
      s2space: { kw2: 'a b' },
      s2long: { kw2: 'axxb' },
    },
    expected: ['space', 'tab', 'lf', 'cr', 'ff', 'vt', 's2'],
  },
  // Issue 18: Sigma is case-insensitive; the Lucene output too on keyword fields.
  {
    name: 'case-insensitive exact value, regexp specials literal',
    detection: "  sel:\n    kw: 'Cmd.EXE'\n  condition: sel",
    documents: { lower: { kw: 'cmd.exe' }, upper: { kw: 'CMD.EXE' }, dot: { kw: 'cmdxexe' }, longer: { kw: 'xcmd.exe' } },
    expected: ['lower', 'upper'],
  },
  {
    name: 'contains, startswith, endswith are case-insensitive',
    detection:
      "  c:\n    kw|contains: '-ENC '\n  s:\n    kw2|startswith: 'C:\\Win'\n  e:\n    kw3|endswith: '\\Cmd.exe'\n  condition: 1 of them",
    documents: {
      c: { kw: 'powershell -enc AAA' },
      cnot: { kw: 'powershell -encoded' },
      s: { kw2: 'c:\\windows\\x' },
      snot: { kw2: 'd:\\windows' },
      e: { kw3: 'C:\\WINDOWS\\CMD.EXE' },
      enot: { kw3: 'C:\\x\\xcmd.exe' },
    },
    expected: ['c', 's', 'e'],
  },
  {
    name: 'cased stays case-sensitive',
    detection: "  sel:\n    kw|cased: 'Ab'\n    kw2|cased|contains: 'X'\n  condition: sel",
    documents: { exact: { kw: 'Ab', kw2: 'aXa' }, lower: { kw: 'ab', kw2: 'aXa' }, lowerx: { kw: 'Ab', kw2: 'axa' } },
    expected: ['exact'],
  },
  {
    name: 're|i and (?i), including classes and ranges',
    detection: "  sel:\n    kw|re|i: 'ab+[c-e]'\n  other:\n    kw2|re: '(?i)^[^a]x$'\n  condition: sel or other",
    documents: {
      upper: { kw: 'xABBD' },
      lower: { kw: 'abc' },
      nomatch: { kw: 'abf' },
      neg: { kw2: 'bX' },
      negupper: { kw2: 'AX' },
    },
    expected: ['upper', 'lower', 'neg'],
  },
  {
    name: 'non-ASCII letters are case-sensitive in both outputs (as OpenSearch case_insensitive)',
    detection: "  sel:\n    kw: 'é'\n  condition: sel",
    documents: { same: { kw: 'é' }, upper: { kw: 'É' } },
    expected: ['same'],
  },
  {
    name: 'escaped wildcards and backslashes',
    detection: "  sel:\n    kw: 'a\\*b?'\n    kw2: 'C:\\x\\\\\\\\y'\n  condition: sel",
    // Sigma: `\*` is a literal star, `\\` one backslash, a backslash before anything else itself.
    documents: {
      literal: { kw: 'A*bZ', kw2: 'c:\\x\\\\y' },
      star: { kw: 'axbZ', kw2: 'c:\\x\\\\y' },
      oneslash: { kw: 'a*bz', kw2: 'c:\\x\\y' },
    },
    expected: ['literal'],
  },
  {
    name: 'a value ending in a backslash, beside other regexps',
    detection: "  sel:\n    kw: 'C:\\Windows\\'\n    kw2|re: '\\\\$'\n  other:\n    kw3|endswith: '/x'\n  condition: sel or other",
    documents: {
      both: { kw: 'c:\\windows\\', kw2: 'a\\' },
      nokw2: { kw: 'c:\\windows\\', kw2: 'a' },
      longer: { kw: 'c:\\windows\\x', kw2: 'a\\' },
      slash: { kw3: 'a/X' },
    },
    expected: ['both', 'slash'],
  },
  // Issue 18: cidr on a keyword field is an exact text prefix, on an ip field a CIDR term.
  {
    name: 'cidr on a keyword field',
    logsource: EMS,
    detection: "  sel:\n    hostname|cidr: '10.1.0.0/16'\n  condition: sel",
    documents: {
      inside: { ems: { hostname: '10.1.2.3' } },
      prefix: { ems: { hostname: '10.10.2.3' } },
      before: { ems: { hostname: '110.1.2.3' } },
      outside: { ems: { hostname: '10.2.0.1' } },
    },
    expected: ['inside'],
  },
  {
    name: 'cidr on an ip field',
    logsource: EMS,
    detection: "  sel:\n    srcip|cidr: '10.0.0.0/8'\n  other:\n    ip|cidr: '192.168.1.0/24'\n  condition: sel or other",
    documents: {
      inside: { ems: { srcip: '10.200.3.4' } },
      outside: { ems: { srcip: '11.0.0.1' } },
      v4: { ip: '192.168.1.77' },
      v4out: { ip: '192.168.2.1' },
    },
    expected: ['inside', 'v4'],
  },
  {
    name: 'quoted numbers and addresses on fields the target types long and ip',
    detection: "  sel:\n    num: ['50', '51']\n  other:\n    ip: '192.168.1.77'\n  condition: sel or other",
    documents: { n: { num: 50 }, nnot: { num: 5 }, ip: { ip: '192.168.1.77' }, ipnot: { ip: '192.168.1.7' } },
    expected: ['n', 'ip'],
  },
  // The other modifiers and condition shapes (issue 18 item 2 continues here).
  {
    name: 'contains|all, exists, ranges',
    detection:
      '  sel:\n    kw|contains|all: [x, y]\n    kw2|exists: true\n  low:\n    num|lt: 10\n  high:\n    num|gte: 100\n  condition: sel and not (low or high)',
    documents: {
      both: { kw: 'axby', kw2: '', num: 50 },
      onlyx: { kw: 'ax', kw2: '', num: 50 },
      noexists: { kw: 'xy', num: 50 },
      low: { kw: 'xy', kw2: 'a', num: 5 },
      high: { kw: 'xy', kw2: 'a', num: 100 },
      nonum: { kw: 'yx', kw2: 'a' },
    },
    expected: ['both', 'nonum'],
  },
  {
    name: 'base64, base64offset, windash',
    detection:
      "  b:\n    kw|base64: 'abc'\n  o:\n    kw2|base64offset|contains: 'http'\n  w:\n    kw3|windash|contains: ' -f '\n  condition: 1 of them",
    documents: {
      b: { kw: 'YWJj' },
      bcase: { kw: 'ywjj' },
      o0: { kw2: Buffer.from('http://x').toString('base64') },
      o1: { kw2: Buffer.from('.http://x').toString('base64') },
      o2: { kw2: Buffer.from('..http://x').toString('base64') },
      onot: { kw2: Buffer.from('ftp://x').toString('base64') },
      wdash: { kw3: 'cmd -F x' },
      wslash: { kw3: 'cmd /f x' },
      wen: { kw3: 'cmd \u2013f x' },
      wnot: { kw3: 'cmd-f x' },
    },
    expected: ['b', 'o0', 'o1', 'o2', 'wdash', 'wslash', 'wen'],
  },
  // Issue 18 item 3: wide (UTF-16LE) before base64/base64offset, as pySigma.
  {
    name: 'wide|base64offset|contains: the value at each offset of a UTF-16LE payload',
    detection: "  sel:\n    kw|wide|base64offset|contains: 'ping '\n  condition: sel",
    documents: {
      at0: { kw: wideBase64('ping 10.0.0.1') },
      at2: { kw: wideBase64('cmd /c ping 10.0.0.1') },
      at4: { kw: wideBase64('xx ping -n 1') },
      at1: { kw: wideBase64('ab ping x') },
      utf8: { kw: Buffer.from('ping 10.0.0.1').toString('base64') },
      other: { kw: wideBase64('pong 10.0.0.1') },
      plain: { kw: 'ping 10.0.0.1' },
    },
    expected: ['at0', 'at2', 'at4', 'at1'],
  },
  {
    name: 'wide|base64 and utf16be|base64: the whole value',
    detection: "  w:\n    kw|wide|base64: 'Abc'\n  b:\n    kw2|utf16be|base64: 'Abc'\n  condition: w or b",
    documents: {
      le: { kw: wideBase64('Abc') },
      lecase: { kw: wideBase64('abc') },
      leutf8: { kw: Buffer.from('Abc').toString('base64') },
      be: { kw2: Buffer.from('Abc', 'utf16le').swap16().toString('base64') },
      bele: { kw2: wideBase64('Abc') },
    },
    expected: ['le', 'be'],
  },
  {
    name: 'windash before wide|base64offset: every dash variant encoded',
    detection: "  sel:\n    kw|windash|wide|base64offset|contains: ' -nop '\n  condition: sel",
    documents: {
      dash: { kw: wideBase64('powershell -nop -w hidden') },
      slash: { kw: wideBase64('powershell /nop /w hidden') },
      endash: { kw: wideBase64('powershell \u2013nop x') },
      plus: { kw: wideBase64('powershell +nop x') },
      utf8: { kw: Buffer.from('powershell -nop x').toString('base64') },
    },
    expected: ['dash', 'slash', 'endash'],
  },
  // Issue 18 item 3: expand, placeholders from the configuration, each value Sigma text (`\\*`: a backslash, then a wildcard).
  {
    name: 'expand|endswith with a placeholder of two values, one with a wildcard',
    detection: "  sel:\n    kw|expand|endswith: '%Dir%\\evil.exe'\n  condition: sel",
    placeholders: { Dir: ['C:\\Temp', 'C:\\Users\\\\*\\AppData'] },
    documents: {
      temp: { kw: 'c:\\temp\\EVIL.exe' },
      nested: { kw: 'd:\\x\\c:\\temp\\evil.exe' },
      appdata: { kw: 'C:\\Users\\bob\\AppData\\evil.exe' },
      tmp: { kw: 'c:\\tmp\\evil.exe' },
      user: { kw: 'C:\\Users\\bob\\evil.exe' },
      literal: { kw: 'C:\\%Dir%\\evil.exe' },
    },
    expected: ['temp', 'nested', 'appdata'],
  },
  {
    name: 'expand with two placeholders (every combination) beside all',
    detection: "  sel:\n    kw|expand|contains|all: ['%user%@%domain%', 'login']\n  condition: sel",
    placeholders: { user: ['admin', 'root'], domain: ['corp'] },
    documents: {
      admin: { kw: 'Login admin@CORP ok' },
      root: { kw: 'root@corp login' },
      nologin: { kw: 'root@corp logout' },
      otheruser: { kw: 'bob@corp login' },
      otherdomain: { kw: 'admin@home login' },
    },
    expected: ['admin', 'root'],
  },
  {
    name: 'exists false, gt and lte, ? wildcard',
    detection:
      "  sel:\n    kw2|exists: false\n    num|gt: 1\n  cap:\n    num|lte: 3\n  w:\n    kw|startswith: 'a?c'\n  condition: sel and cap and w",
    documents: {
      ok: { kw: 'ABCd', num: 3 },
      kw2: { kw: 'abc', kw2: 'x', num: 2 },
      small: { kw: 'abc', num: 1 },
      big: { kw: 'abc', num: 4 },
      short: { kw: 'ac', num: 2 },
    },
    expected: ['ok'],
  },
  {
    name: 're flags s and m (without anchors), anchors, alternation',
    detection: "  s:\n    kw|re|s: 'a.b'\n  m:\n    kw2|re|m: 'x|yz'\n  anchored:\n    kw3|re: '^(ab|cd)$'\n  condition: 1 of them",
    documents: {
      dotnl: { kw: 'a\nb' },
      y: { kw2: '-yz-' },
      x: { kw2: 'x' },
      no: { kw2: 'y z' },
      cd: { kw3: 'cd' },
      cdx: { kw3: 'cdx' },
      upper: { kw3: 'AB' },
    },
    expected: ['dotnl', 'y', 'x', 'cd'],
  },
  {
    name: 'keywords with all',
    detection: "  keywords:\n    '|all':\n      - 'evil thing'\n      - other\n  condition: keywords",
    documents: { both: { message: 'other: an evil thing' }, one: { message: 'an evil thing' }, none: { message: 'other' } },
    expected: ['both'],
  },
  {
    name: 'precedence: or binds looser than and, not binds tightest; all of',
    detection: '  a:\n    kw: a\n  b:\n    kw2: b\n  c:\n    kw3: c\n  condition: a or b and not c',
    documents: {
      a: { kw: 'a', kw3: 'c' },
      b: { kw2: 'b' },
      bc: { kw2: 'b', kw3: 'c' },
      none: { kw3: 'x' },
    },
    expected: ['a', 'b'],
  },
  {
    name: 'all of with nested not and 1 of',
    detection: '  sel_a:\n    kw: a\n  sel_b:\n    kw2: b\n  f1:\n    kw3: x\n  f2:\n    num: 1\n  condition: all of sel_* and not 1 of f*',
    documents: {
      ok: { kw: 'a', kw2: 'b' },
      f1: { kw: 'a', kw2: 'b', kw3: 'x' },
      f2: { kw: 'a', kw2: 'b', num: 1 },
      half: { kw: 'a' },
    },
    expected: ['ok'],
  },
];

const REFUSALS: readonly Refusal[] = [
  {
    name: 'cidr not on an octet boundary on a keyword field',
    logsource: EMS,
    detection: "  sel:\n    hostname|cidr: '10.0.0.0/12'\n  condition: sel",
    reason: 'unsupported: cidr 10.0.0.0/12 on keyword field ems.hostname',
  },
  {
    name: 'IPv6 cidr on a keyword field',
    logsource: EMS,
    detection: "  sel:\n    hostname|cidr: 'fe80::/64'\n  condition: sel",
    reason: 'unsupported: cidr fe80::/64 on keyword field ems.hostname',
  },
  { name: 're with \\t', detection: "  sel:\n    kw|re: 'a\\tb'\n  condition: sel", reason: 'unsupported: re escape \\t (tab)' },
  {
    name: 'keyword wildcard between words',
    detection: "  keywords:\n    - 'rm *sh_history'\n  condition: keywords",
    reason: 'unsupported: keyword wildcard other than around one word',
  },
  {
    name: 'an expand placeholder without a configured value',
    detection: "  sel:\n    kw|expand: '%Unknown%\\x.exe'\n  condition: sel",
    reason: 'unsupported: placeholder %Unknown% has no value',
  },
  {
    // Two fields compare only in a script query, and the target has no script engine; Lucene cannot express it.
    name: 'fieldref',
    detection: '  sel:\n    kw|fieldref: kw2\n  condition: sel',
    reason: 'unsupported: modifier fieldref (comparing two fields needs a Painless script query)',
  },
  {
    name: 'wide without base64 (indexed text is not UTF-16)',
    detection: "  sel:\n    kw|wide|contains: 'ping'\n  condition: sel",
    reason: 'unsupported: wide without base64 or base64offset after it',
  },
  {
    name: 'a value on a text field',
    detection: "  sel:\n    message|contains: 'evil'\n  condition: sel",
    reason: 'unsupported: value on text field message',
  },
];

const MAPPINGS = {
  dynamic: 'strict',
  properties: {
    case: { type: 'keyword' },
    kw: { type: 'keyword' },
    kw2: { type: 'keyword' },
    kw3: { type: 'keyword' },
    query: { type: 'keyword' },
    message: { type: 'text' },
    ip: { type: 'ip' },
    num: { type: 'long' },
    ems: { properties: { hostname: { type: 'keyword' }, query: { type: 'keyword' }, srcip: { type: 'ip' } } },
  },
} as const;

function ruleText(detection: string, logsource = '{product: windows}'): string {
  return `title: ground truth\nid: gt\nstatus: test\nlevel: high\nlogsource: ${logsource}\ndetection:\n${detection}\n`;
}

function compileCase(entry: Case): CompiledRule {
  const result = compileRule(ruleText(entry.detection, entry.logsource), `${entry.name}.yml`, { placeholders: entry.placeholders ?? {} });
  if (!isCompiled(result)) throw new Error(result.error.describe());
  if (!isQueryRule(result)) throw new Error('a correlation');
  return result;
}

describe('Sigma ground truth on a real OpenSearch: DSL and Lucene return exactly the expected documents', () => {
  const client = createOpenSearchClient({ url: inject('opensearchUrl') });
  const index = `sigma-ground-truth-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    await client.indices.create({ index, body: { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings: MAPPINGS } });
    const body = CASES.flatMap((entry) =>
      Object.entries(entry.documents).flatMap(([id, document]) => [
        { index: { _index: index, _id: `${entry.name}/${id}` } },
        { ...document, case: entry.name },
      ]),
    );
    const response = await client.bulk({ body, refresh: true });
    expect(response.body.errors).toBe(false);
  });

  afterAll(async () => {
    await client.indices.delete({ index }).catch(() => undefined);
  });

  async function ids(entry: Case, query: Dsl): Promise<string[]> {
    const response = await client.search({
      index,
      body: { size: 100, query: { bool: { filter: [{ term: { case: entry.name } }, query] } } },
    });
    const hits = response.body.hits.hits as { _id: string }[];
    return hits.map((hit) => hit._id.slice(entry.name.length + 1)).sort();
  }

  it.each(CASES.map((entry) => [entry.name, entry] as const))('%s', async (_name, entry) => {
    const compiled = compileCase(entry);
    const expected = [...entry.expected].sort();
    expect(compiled.lucene, 'one Lucene query per line').not.toMatch(/[\n\r\t]/);
    expect(await ids(entry, compiled.dsl), `DSL ${JSON.stringify(compiled.dsl)}`).toEqual(expected);
    expect(await ids(entry, { query_string: { query: compiled.lucene } }), `Lucene ${compiled.lucene}`).toEqual(expected);
    // Dashboards sends its Lucene bar with analyze_wildcard: the same documents.
    expect(await ids(entry, { query_string: { query: compiled.lucene, analyze_wildcard: true } }), `Lucene ${compiled.lucene}`).toEqual(
      expected,
    );
  });

  it.each(REFUSALS.map((entry) => [entry.name, entry] as const))('refused: %s', (_name, entry) => {
    const result = compileRule(ruleText(entry.detection, entry.logsource), 'refused.yml');
    expect(isCompiled(result)).toBe(false);
    if (!isCompiled(result)) expect(result.error.message).toContain(entry.reason);
  });
});
