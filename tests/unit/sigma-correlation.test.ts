// Sigma v2 correlation rules: loading (errors name the file, the document and the YAML path), references resolved
// by name or id within a file or across a folder, the compiled shape per type, the _search body, and firingGroups
// on handmade responses.

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRuleSamples } from '../../detections/runtime/rule-samples.js';
import {
  type CompiledCorrelation,
  type CompileResult,
  compileRule,
  compileRules,
  compileRuleText,
  isCompiled,
  isCorrelation,
  isQueryRule,
} from '../../detections/sigma/compile.js';
import { describeCorrelation, formatTimespan } from '../../detections/sigma/compile-correlation.js';
import { correlationSearchBody, firingGroups } from '../../detections/sigma/correlation-search.js';
import { conditionHolds } from '../../detections/sigma/load-correlation.js';
import { runRulesCli } from '../support/run-rules-cli.js';

const FAILED = `title: Admin login failed
id: 11111111-1111-4111-8111-111111111111
name: admin_login_failed
logsource: {product: fortiems, service: authentication}
detection:
  selection:
    event.action: admin-login-failed
  condition: selection
`;
const SUCCESS = `title: Admin login
name: admin_login
logsource: {product: fortiems, service: authentication}
detection:
  selection:
    event.action: admin-login
  condition: selection
`;
const VPN = `title: VPN auth failure
name: vpn_failure
logsource: {product: fortiems, service: vpn}
detection:
  selection:
    event.action: vpn-auth-failure
  condition: selection
`;

function correlation(body: string, title = 'Brute force'): string {
  return `title: ${title}\nid: 22222222-2222-4222-8222-222222222222\nlevel: high\ntags: [attack.t1110]\nfalsepositives: [scripts]\ncorrelation:\n${body}\n`;
}

const BRUTE = correlation('  type: event_count\n  rules: [admin_login_failed]\n  group-by: [srcip]\n  timespan: 5m\n  condition: {gte: 5}');

function collection(...documents: string[]): string {
  return documents.join('---\n');
}

function compiled(result: CompileResult): CompiledCorrelation {
  if (!isCompiled(result)) throw new Error(result.error.describe());
  if (!isCorrelation(result)) throw new Error('not a correlation');
  return result;
}

function failure(text: string): string {
  const result = compileRule(text, 'bad.yml');
  if (isCompiled(result)) throw new Error('compiled');
  return result.error.describe();
}

function withCorrelation(body: string): string {
  return collection(FAILED, correlation(body));
}

describe('loading correlation rules', () => {
  it('reads the metadata and the correlation block as written', () => {
    const { rule } = compiled(compileRule(collection(FAILED, BRUTE), 'c.yml'));
    expect(rule).toEqual({
      file: 'c.yml',
      title: 'Brute force',
      id: '22222222-2222-4222-8222-222222222222',
      level: 'high',
      tags: ['attack.t1110'],
      falsepositives: ['scripts'],
      type: 'event_count',
      rules: ['admin_login_failed'],
      groupBy: ['srcip'],
      timespanMs: 300_000,
      condition: { gte: 5 },
      generate: false,
    });
  });

  it('timespans: s, m, h, d; months and years are refused, anything else is invalid', () => {
    const span = (timespan: string): number =>
      compiled(
        compileRule(
          withCorrelation(`  type: event_count\n  rules: [admin_login_failed]\n  timespan: ${timespan}\n  condition: {gte: 1}`),
          'c.yml',
        ),
      ).rule.timespanMs;
    expect([span('30s'), span('5m'), span('2h'), span('1d')]).toEqual([30_000, 300_000, 7_200_000, 86_400_000]);
    expect(formatTimespan(300_000)).toBe('5m');
    expect(formatTimespan(90_000)).toBe('90s');
    expect(failure(withCorrelation('  type: event_count\n  rules: [admin_login_failed]\n  condition: {gte: 5}'))).toBe(
      'bad.yml: (document 2) correlation.timespan: missing',
    );
    expect(
      failure(withCorrelation('  type: event_count\n  rules: [admin_login_failed]\n  timespan: 5 minutes\n  condition: {gte: 5}')),
    ).toBe("bad.yml: (document 2) correlation.timespan: bad timespan '5 minutes': a number and s, m, h or d");
    expect(failure(withCorrelation('  type: event_count\n  rules: [admin_login_failed]\n  timespan: 1M\n  condition: {gte: 5}'))).toBe(
      'bad.yml: (document 2) correlation.timespan: unsupported: timespan in months',
    );
  });

  it('an unknown or ambiguous reference is an error naming it', () => {
    expect(
      failure(withCorrelation('  type: event_count\n  rules: [admin_login_failed, nope]\n  timespan: 5m\n  condition: {gte: 5}')),
    ).toBe("bad.yml: (document 2) correlation.rules[1]: unknown rule 'nope': no rule has this name or id");
    expect(failure(collection(FAILED, FAILED, BRUTE))).toBe(
      "bad.yml: (document 3) correlation.rules[0]: ambiguous rule reference 'admin_login_failed': 2 rules have this name or id",
    );
  });

  it('types other than event_count, value_count and temporal are unsupported; unknown ones invalid', () => {
    expect(failure(withCorrelation('  type: temporal_ordered\n  rules: [admin_login_failed]\n  timespan: 5m'))).toBe(
      'bad.yml: (document 2) correlation.type: unsupported: correlation type temporal_ordered',
    );
    expect(failure(withCorrelation('  type: value_sum\n  rules: [admin_login_failed]\n  timespan: 5m'))).toBe(
      'bad.yml: (document 2) correlation.type: unsupported: correlation type value_sum',
    );
    expect(failure(withCorrelation('  type: count\n  rules: [admin_login_failed]\n  timespan: 5m'))).toBe(
      "bad.yml: (document 2) correlation.type: unknown correlation type 'count'",
    );
  });

  it('aliases, unknown keys and a condition on temporal are unsupported, never dropped', () => {
    expect(
      failure(
        withCorrelation(
          '  type: event_count\n  rules: [admin_login_failed]\n  aliases:\n    ip:\n      admin_login_failed: srcip\n  timespan: 5m\n  condition: {gte: 5}',
        ),
      ),
    ).toBe('bad.yml: (document 2) correlation.aliases: unsupported: correlation aliases');
    expect(
      failure(
        withCorrelation('  type: event_count\n  rules: [admin_login_failed]\n  timespan: 5m\n  ordered: true\n  condition: {gte: 5}'),
      ),
    ).toBe('bad.yml: (document 2) correlation.ordered: unsupported: correlation key ordered');
    expect(
      failure(
        collection(
          FAILED,
          SUCCESS,
          correlation('  type: temporal\n  rules: [admin_login_failed, admin_login]\n  timespan: 5m\n  condition: {gte: 2}'),
        ),
      ),
    ).toBe('bad.yml: (document 3) correlation.condition: unsupported: condition on a temporal correlation');
  });

  it('conditions: required for counts, numbers only, field for value_count only', () => {
    expect(failure(withCorrelation('  type: event_count\n  rules: [admin_login_failed]\n  timespan: 5m'))).toBe(
      'bad.yml: (document 2) correlation.condition: missing',
    );
    expect(failure(withCorrelation('  type: event_count\n  rules: [admin_login_failed]\n  timespan: 5m\n  condition: {gte: five}'))).toBe(
      'bad.yml: (document 2) correlation.condition.gte: not a number',
    );
    expect(failure(withCorrelation('  type: event_count\n  rules: [admin_login_failed]\n  timespan: 5m\n  condition: {above: 5}'))).toBe(
      "bad.yml: (document 2) correlation.condition.above: unknown condition 'above': gt, gte, lt, lte, eq",
    );
    expect(failure(withCorrelation('  type: value_count\n  rules: [admin_login_failed]\n  timespan: 5m\n  condition: {gte: 5}'))).toBe(
      'bad.yml: (document 2) correlation.condition.field: missing: value_count counts the distinct values of a field',
    );
    expect(
      failure(withCorrelation('  type: event_count\n  rules: [admin_login_failed]\n  timespan: 5m\n  condition: {gte: 5, field: admin}')),
    ).toBe('bad.yml: (document 2) correlation.condition.field: field is for value_count only');
  });

  it('a reference to a correlation, or to a rule that does not compile, fails the same way as that rule', () => {
    const second = correlation(
      '  type: event_count\n  rules: [22222222-2222-4222-8222-222222222222]\n  timespan: 5m\n  condition: {gte: 1}',
      'Chain',
    );
    const results = compileRuleText(
      collection(
        FAILED,
        BRUTE,
        second.replace('22222222-2222-4222-8222-222222222222\nlevel', '33333333-3333-4333-8333-333333333333\nlevel'),
      ),
      'c.yml',
    );
    expect(results.map((result) => (isCompiled(result) ? result.kind : result.error.describe()))).toEqual([
      'query',
      'correlation',
      "c.yml: (document 3) correlation.rules[0]: unsupported: correlation of a correlation ('22222222-2222-4222-8222-222222222222')",
    ]);
    const expand = FAILED.replace('event.action: admin-login-failed', "event.action|expand: '%x%'");
    expect(failure(collection(expand, BRUTE))).toBe(
      "bad.yml: (document 2) correlation.rules[0]: unsupported: referenced rule 'admin_login_failed' is not compiled (bad.yml: (document 1) detection.selection.event.action|expand: unsupported: placeholder %x% has no value)",
    );
    const broken = FAILED.replace('  condition: selection', '  condition: selection and other');
    expect(failure(collection(broken, BRUTE))).toMatch(
      /^bad\.yml: \(document 2\) correlation\.rules\[0\]: referenced rule 'admin_login_failed' does not compile \(/,
    );
  });

  it('Sigma v1 action collections stay unsupported for the whole file', () => {
    const results = compileRuleText(`action: global\ntitle: x\n---\n${FAILED}`, 'a.yml');
    expect(results.map((result) => (isCompiled(result) ? result.kind : result.error.describe()))).toEqual([
      'a.yml: (document 1) action: unsupported: rule collection (action)',
    ]);
  });
});

describe('compiling correlation rules', () => {
  it('event_count: the base query, mapped group-by fields, the base index', () => {
    const result = compiled(compileRule(collection(FAILED, BRUTE), 'c.yml'));
    expect(result).toMatchObject({
      kind: 'correlation',
      document: 1,
      index: 'logs-fortiems.authentication-*',
      groupBy: ['ems.srcip'],
      query: { term: { 'event.action': { value: 'admin-login-failed', case_insensitive: true } } },
      lucene: 'event.action:/[aA][dD][mM][iI][nN]\\-[lL][oO][gG][iI][nN]\\-[fF][aA][iI][lL][eE][dD]/',
    });
    expect(result.valueField).toBeUndefined();
    expect(result.referenced.map((base) => base.rule.title)).toEqual(['Admin login failed']);
    expect(describeCorrelation(result)).toBe('event_count by ems.srcip >= 5 in 5m');
  });

  it('compileRuleText: one result per document; references by id work as by name', () => {
    const byId = BRUTE.replace('rules: [admin_login_failed]', 'rules: [11111111-1111-4111-8111-111111111111]');
    const results = compileRuleText(collection(FAILED, byId), 'c.yml');
    expect(results.map((result) => (isCompiled(result) ? `${result.kind}:${result.document}` : 'error'))).toEqual([
      'query:0',
      'correlation:1',
    ]);
  });

  it('value_count: the mapped value field; a range condition', () => {
    const text = collection(
      VPN,
      correlation(
        '  type: value_count\n  rules: [vpn_failure]\n  group-by: [remip]\n  timespan: 10m\n  condition: {gte: 2, lte: 10, field: vpnuser}',
      ),
    );
    const result = compiled(compileRule(text, 'c.yml'));
    expect(result).toMatchObject({ index: 'logs-fortiems.vpn-*', groupBy: ['ems.remip'], valueField: 'ems.vpnuser' });
    expect(describeCorrelation(result)).toBe('value_count(ems.vpnuser) by ems.remip >= 2 and <= 10 in 10m');
  });

  it('rules on different indices: a comma list of indices, each branch restricted to its own', () => {
    const text = collection(
      FAILED,
      VPN,
      correlation('  type: temporal\n  rules: [admin_login_failed, vpn_failure]\n  group-by: [user.name]\n  timespan: 1h'),
    );
    const result = compiled(compileRule(text, 'c.yml'));
    expect(result.index).toBe('logs-fortiems.authentication-*,logs-fortiems.vpn-*');
    const own = (pattern: string) => ({
      bool: {
        should: [{ wildcard: { _index: { value: pattern } } }, { wildcard: { _index: { value: `.ds-${pattern}` } } }],
        minimum_should_match: 1,
      },
    });
    expect(result.branches).toEqual([
      {
        bool: {
          filter: [
            own('logs-fortiems.authentication-*'),
            { term: { 'event.action': { value: 'admin-login-failed', case_insensitive: true } } },
          ],
        },
      },
      {
        bool: { filter: [own('logs-fortiems.vpn-*'), { term: { 'event.action': { value: 'vpn-auth-failure', case_insensitive: true } } }] },
      },
    ]);
    expect(result.query).toEqual({ bool: { should: result.branches, minimum_should_match: 1 } });
    expect(result.lucene).toBe(
      '((_index:logs\\-fortiems.authentication\\-* OR _index:.ds\\-logs\\-fortiems.authentication\\-*) AND (event.action:/[aA][dD][mM][iI][nN]\\-[lL][oO][gG][iI][nN]\\-[fF][aA][iI][lL][eE][dD]/)) OR ' +
        '((_index:logs\\-fortiems.vpn\\-* OR _index:.ds\\-logs\\-fortiems.vpn\\-*) AND (event.action:/[vV][pP][nN]\\-[aA][uU][tT][hH]\\-[fF][aA][iI][lL][uU][rR][eE]/))',
    );
    expect(describeCorrelation(result)).toBe('temporal(admin_login_failed, vpn_failure) by user.name in 1h');
  });

  it('aggregating a text field is unsupported', () => {
    expect(
      failure(
        withCorrelation('  type: event_count\n  rules: [admin_login_failed]\n  group-by: [message]\n  timespan: 5m\n  condition: {gte: 5}'),
      ),
    ).toBe('bad.yml: (document 2) correlation.group-by[0]: unsupported: aggregation on text field message');
  });

  it('compileRule: the correlation of a collection, the only rule of a file, else an error', () => {
    expect(isQueryRule(compileRule(FAILED, 'a.yml'))).toBe(true);
    expect(failure(collection(FAILED, SUCCESS))).toBe(
      'bad.yml: (rule): a collection of 2 rules without a correlation: compile it with compileRuleText',
    );
  });

  it('compileRules resolves references across the files of a folder, also when given one file', () => {
    const folder = mkdtempSync(join(tmpdir(), 'sigma-correlation-'));
    mkdirSync(join(folder, 'base'));
    writeFileSync(join(folder, 'base', 'failed.yml'), FAILED);
    writeFileSync(join(folder, 'brute.yml'), BRUTE);
    const kinds = (results: CompileResult[]) => results.map((result) => (isCompiled(result) ? result.kind : result.error.describe()));
    expect(kinds(compileRules(folder))).toEqual(['query', 'correlation']);
    expect(kinds(compileRules(join(folder, 'brute.yml')))).toEqual(['correlation']);
    expect(kinds(compileRuleText(BRUTE, 'brute.yml'))).toEqual([
      "brute.yml: correlation.rules[0]: unknown rule 'admin_login_failed': no rule has this name or id",
    ]);
  });
});

describe('the _search body', () => {
  const brute = compiled(compileRule(collection(FAILED, BRUTE), 'c.yml'));
  const metrics = {
    first_seen: { min: { field: '@timestamp' } },
    last_seen: { max: { field: '@timestamp' } },
    events: { top_hits: { size: 100, _source: false, sort: [{ '@timestamp': { order: 'asc', unmapped_type: 'date' } }] } },
  };

  it('event_count by one field: terms, busiest first, min_doc_count from the condition; the window both ends inclusive', () => {
    expect(correlationSearchBody(brute, { from: 1000, to: 2000 })).toEqual({
      size: 0,
      track_total_hits: true,
      query: {
        bool: {
          filter: [brute.query, { range: { '@timestamp': { gte: 1000, lte: 2000, format: 'epoch_millis' } } }],
        },
      },
      aggs: { groups: { terms: { field: 'ems.srcip', size: 1000, order: { _count: 'desc' }, min_doc_count: 5 }, aggs: metrics } },
    });
  });

  it('options: time field, sizes, and a painless bucket_selector on request', () => {
    const body = correlationSearchBody(
      brute,
      { from: 0, to: 1 },
      { timeField: 'event.created', maxGroups: 10, maxEventIds: 3, bucketSelector: true },
    );
    const groups = (body.aggs as Record<string, Record<string, Record<string, unknown>>>).groups;
    expect(groups?.terms).toMatchObject({ size: 10 });
    expect(groups?.aggs).toMatchObject({
      first_seen: { min: { field: 'event.created' } },
      events: { top_hits: { size: 3, sort: [{ 'event.created': { order: 'asc' } }] } },
      firing: { bucket_selector: { buckets_path: { count: '_count' }, script: { source: 'params.count >= 5' } } },
    });
  });

  it('value_count by several fields: multi_terms ordered by the distinct count, a cardinality, a range selector', () => {
    const text = collection(
      VPN,
      correlation(
        '  type: value_count\n  rules: [vpn_failure]\n  group-by: [remip, vpntunnel]\n  timespan: 10m\n  condition: {gt: 2, lte: 10, field: vpnuser}',
      ),
    );
    const result = compiled(compileRule(text, 'c.yml'));
    const aggs = correlationSearchBody(result, { from: 0, to: 1 }, { bucketSelector: true }).aggs as Record<
      string,
      Record<string, unknown>
    >;
    expect(aggs.groups?.multi_terms).toEqual({
      terms: [{ field: 'ems.remip' }, { field: 'ems.vpntunnel' }],
      size: 1000,
      order: { distinct: 'desc' },
    });
    expect(aggs.groups?.aggs).toMatchObject({
      distinct: { cardinality: { field: 'ems.vpnuser', precision_threshold: 40_000 } },
      firing: {
        bucket_selector: { buckets_path: { distinct: 'distinct' }, script: { source: 'params.distinct > 2 && params.distinct <= 10' } },
      },
    });
  });

  it('an "at most" condition keeps the quietest groups first', () => {
    const text = withCorrelation(
      '  type: event_count\n  rules: [admin_login_failed]\n  group-by: [srcip]\n  timespan: 5m\n  condition: {lt: 3}',
    );
    const aggs = correlationSearchBody(compiled(compileRule(text, 'c.yml')), { from: 0, to: 1 }).aggs as Record<
      string,
      Record<string, unknown>
    >;
    expect(aggs.groups?.terms).toEqual({ field: 'ems.srcip', size: 1000, order: { _count: 'asc' } });
  });

  it('temporal: one filter per rule, a selector requiring each', () => {
    const text = collection(
      FAILED,
      SUCCESS,
      correlation('  type: temporal\n  rules: [admin_login_failed, admin_login]\n  group-by: [srcip]\n  timespan: 15m'),
    );
    const result = compiled(compileRule(text, 'c.yml'));
    // Same index: no _index restriction, the branches are the rules' own queries.
    expect(result.branches).toEqual(result.referenced.map((base) => base.dsl));
    const aggs = correlationSearchBody(result, { from: 0, to: 1 }, { bucketSelector: true }).aggs as Record<
      string,
      Record<string, unknown>
    >;
    expect(aggs.groups?.aggs).toMatchObject({
      rule_0: { filter: result.branches[0] },
      rule_1: { filter: result.branches[1] },
      firing: {
        bucket_selector: {
          buckets_path: { r0: 'rule_0>_count', r1: 'rule_1>_count' },
          script: { source: 'params.r0 > 0 && params.r1 > 0' },
        },
      },
    });
  });

  it('without group-by: the metrics at the top level', () => {
    const text = withCorrelation('  type: event_count\n  rules: [admin_login_failed]\n  timespan: 5m\n  condition: {gte: 5}');
    expect(correlationSearchBody(compiled(compileRule(text, 'c.yml')), { from: 0, to: 1 }).aggs).toEqual(metrics);
  });
});

describe('firingGroups', () => {
  const T0 = Date.parse('2026-12-01T10:30:00Z');
  const bucket = (key: unknown, count: number, extra: Record<string, unknown> = {}) => ({
    key,
    doc_count: count,
    first_seen: { value: T0 },
    last_seen: { value: T0 + 60_000 },
    events: {
      hits: {
        hits: [
          { _index: '.ds-logs-fortiems.authentication-default-000001', _id: `a-${count}` },
          { _index: 'x', _id: `b-${count}` },
        ],
      },
    },
    ...extra,
  });
  const brute = compiled(compileRule(collection(FAILED, BRUTE), 'c.yml'));

  it('terms buckets: only the groups whose condition holds (checked again here)', () => {
    const response = {
      hits: { total: { value: 9 } },
      aggregations: { groups: { buckets: [bucket('203.0.113.7', 6), bucket('10.0.0.1', 3)] } },
    };
    expect(firingGroups(brute, response)).toEqual([
      {
        group: { 'ems.srcip': '203.0.113.7' },
        groupKey: 'ems.srcip=203.0.113.7',
        count: 6,
        firstSeen: '2026-12-01T10:30:00.000Z',
        lastSeen: '2026-12-01T10:31:00.000Z',
        eventIds: ['a-6', 'b-6'],
        eventIndex: '.ds-logs-fortiems.authentication-default-000001',
      },
    ]);
  });

  it('multi_terms keys, value_count distinct counts and a range condition', () => {
    const text = collection(
      VPN,
      correlation(
        '  type: value_count\n  rules: [vpn_failure]\n  group-by: [remip, vpntunnel]\n  timespan: 10m\n  condition: {gte: 2, lte: 10, field: vpnuser}',
      ),
    );
    const spray = compiled(compileRule(text, 'c.yml'));
    const response = {
      aggregations: {
        groups: {
          buckets: [
            bucket(['198.51.100.1', 'HQ-SSLVPN'], 30, { distinct: { value: 12 } }),
            bucket(['198.51.100.2', 'HQ-SSLVPN'], 8, { distinct: { value: 5 } }),
            bucket(['198.51.100.3', 'Branch'], 6, { distinct: { value: 1 } }),
          ],
        },
      },
    };
    expect(firingGroups(spray, response).map((group) => [group.groupKey, group.count, group.distinct])).toEqual([
      ['ems.remip=198.51.100.2, ems.vpntunnel=HQ-SSLVPN', 8, 5],
    ]);
  });

  it('temporal: every referenced rule must have matched in the group', () => {
    const text = collection(
      FAILED,
      SUCCESS,
      correlation('  type: temporal\n  rules: [admin_login_failed, admin_login]\n  group-by: [srcip]\n  timespan: 15m'),
    );
    const temporal = compiled(compileRule(text, 'c.yml'));
    const response = {
      aggregations: {
        groups: {
          buckets: [
            bucket('203.0.113.7', 4, { rule_0: { doc_count: 3 }, rule_1: { doc_count: 1 } }),
            bucket('203.0.113.8', 4, { rule_0: { doc_count: 4 }, rule_1: { doc_count: 0 } }),
          ],
        },
      },
    };
    expect(firingGroups(temporal, response).map((group) => group.groupKey)).toEqual(['ems.srcip=203.0.113.7']);
  });

  it('without group-by: the total hits against the condition, one group with an empty key', () => {
    const text = withCorrelation('  type: event_count\n  rules: [admin_login_failed]\n  timespan: 5m\n  condition: {gte: 5}');
    const ungrouped = compiled(compileRule(text, 'c.yml'));
    const top = (total: number) => ({ hits: { total: { value: total, relation: 'eq' } }, aggregations: bucket(undefined, 0) });
    expect(firingGroups(ungrouped, top(5)).map((group) => [group.groupKey, group.count, group.group])).toEqual([['', 5, {}]]);
    expect(firingGroups(ungrouped, top(4))).toEqual([]);
  });

  it('an empty or odd response fires nothing', () => {
    expect(firingGroups(brute, {})).toEqual([]);
    expect(firingGroups(brute, { aggregations: { groups: { buckets: [] } } })).toEqual([]);
    expect(firingGroups(brute, null)).toEqual([]);
  });

  it('conditions: every bound applies', () => {
    const range = { gte: 2, lte: 10 };
    expect([1, 2, 10, 11].map((value) => conditionHolds(range, value))).toEqual([false, true, true, false]);
    expect([4, 5].map((value) => conditionHolds({ gt: 4 }, value))).toEqual([false, true]);
    expect([2, 3].map((value) => conditionHolds({ eq: 3 }, value))).toEqual([false, true]);
    expect([2, 3].map((value) => conditionHolds({ lt: 3 }, value))).toEqual([true, false]);
  });
});

describe('rule files with a correlation', () => {
  it('readRuleSamples reads the correlation document by default, or the document asked for', () => {
    const tests = (n: number) => `fortiems_tests:\n  expected_matches: ${n}\n  samples: ['a', 'b', 'c']\n`;
    const text = collection(`${FAILED}${tests(2)}`, `${BRUTE}${tests(1)}`);
    expect(readRuleSamples(text)).toEqual({ samples: ['a', 'b', 'c'], expectedMatches: 1 });
    expect(readRuleSamples(text, 0)).toEqual({ samples: ['a', 'b', 'c'], expectedMatches: 2 });
    expect(readRuleSamples(collection(FAILED, BRUTE), 0)).toEqual({ problem: 'no fortiems_tests block' });
  });

  it('rules compile prints the aggregation: --to dsl as JSON with the timespan, --to lucene with a note', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'sigma-correlation-cli-'));
    const file = join(folder, 'brute.yml');
    writeFileSync(file, collection(FAILED, BRUTE));
    const run = async (to: string): Promise<string[]> => (await runRulesCli(['compile', file, '--to', to])).out;
    const lucene = await run('lucene');
    expect(lucene[1]).toBe(
      `${file}\tlogs-fortiems.authentication-*\tevent.action:/[aA][dD][mM][iI][nN]\\-[lL][oO][gG][iI][nN]\\-[fF][aA][iI][lL][eE][dD]/\t| event_count by ems.srcip >= 5 in 5m\n`,
    );
    const dsl = await run('dsl');
    const [name, json] = (dsl[1] ?? '').trimEnd().split('\t');
    expect(name).toBe(file);
    const parsed = JSON.parse(json ?? '{}');
    expect(parsed).toMatchObject({
      index: 'logs-fortiems.authentication-*',
      timespan: '5m',
      query: {
        bool: { filter: [{ term: { 'event.action': { value: 'admin-login-failed' } } }, { range: { '@timestamp': { gte: 'now-5m' } } }] },
      },
      aggs: { groups: { terms: { field: 'ems.srcip' } } },
    });
  });
});

describe('fields of EMS correlations', () => {
  it('refuses a group-by field no EMS category or ECS mapping knows (a typo would never fire)', () => {
    const text = `title: base
name: base
logsource: { product: fortiems, service: authentication }
detection: { s: { event.action: admin-login-failed }, condition: s }
---
title: typo
correlation: { type: event_count, rules: [base], group-by: [srcipp], timespan: 5m, condition: { gte: 5 } }
`;
    const result = compileRule(text, 'typo.yml');
    expect(isCompiled(result)).toBe(false);
    if (isCompiled(result)) return;
    expect(result.error.describe()).toMatch(/correlation\.group-by\[0\]: unknown field 'srcipp'/);
    expect(result.error.unsupported).toBe(false);
  });
});
