// What an alert says, and which rules the scheduler runs: built from real compiled rules, no OpenSearch needed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alertId, correlationAlert, plainAlert } from '../../detections/runtime/alert-document.js';
import { loadDetectionRules } from '../../detections/runtime/detection-rules.js';
import { shippedRulesPath } from '../../detections/runtime/shipped-rules.js';
import { type CompiledRule, compileRule, isCompiled, isCorrelation } from '../../detections/sigma/compile.js';

const BASE = `title: Failed admin login
id: 9a3e5a43-2f6c-4a57-b5a5-6a3f7bb3f001
name: failed_admin_login
description: An admin login failed.
author: tests
level: high
tags: [attack.credential-access, attack.t1110.001, attack.g0016]
logsource: { product: fortiems, service: authentication }
detection:
  selection: { event.action: admin-login-failed }
  condition: selection
falsepositives: [Typos]
`;

const CORRELATION = `title: Many failed admin logins
id: 9a3e5a43-2f6c-4a57-b5a5-6a3f7bb3f002
level: critical
correlation:
  type: event_count
  rules: [failed_admin_login]
  group-by: [source.ip]
  timespan: 5m
  condition: { gte: 5 }
`;

const folder = mkdtempSync(join(tmpdir(), 'fortiems-alerts-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function compiledBase(): CompiledRule {
  const result = compileRule(BASE, join(folder, 'base.yml'));
  if (!isCompiled(result) || isCorrelation(result)) throw new Error('the base rule does not compile');
  return result;
}

describe('alert documents', () => {
  const window = { from: Date.UTC(2026, 11, 1, 10, 0), to: Date.UTC(2026, 11, 1, 10, 2) };
  const now = window.to;

  it('a plain rule: one alert per event, its id fixed by rule and event, ATT&CK from the tags, the event summarised', () => {
    const event = {
      id: 'ev-1',
      index: '.ds-logs-fortiems.authentication-default-000001',
      source: {
        '@timestamp': '2026-12-01T10:01:00.000Z',
        message: 'Administrator login failed',
        data_stream: { dataset: 'fortiems.authentication' },
        source: { ip: '203.0.113.7' },
        ems: { user: 'admin<script>' },
      },
    };
    const alert = plainAlert(compiledBase(), event, { rulesRoot: folder, window, now });
    expect(alert.event).toEqual({
      kind: 'alert',
      id: alertId('9a3e5a43-2f6c-4a57-b5a5-6a3f7bb3f001', 'ev-1'),
      severity: 3,
      dataset: 'fortiems.alert',
    });
    expect(plainAlert(compiledBase(), event, { rulesRoot: folder, window, now: now + 60_000 }).event.id).toBe(alert.event.id);
    expect(alert.rule).toEqual({
      id: '9a3e5a43-2f6c-4a57-b5a5-6a3f7bb3f001',
      name: 'Failed admin login',
      description: 'An admin login failed.',
      category: 'query',
      reference: 'base.yml',
      author: 'tests',
    });
    expect(alert.threat).toEqual({ tactic: { name: ['credential-access'] }, technique: { id: ['T1110.001'] } });
    expect(alert.message).toBe('Failed admin login: admin<script> 203.0.113.7');
    expect(alert.fortiems.alert).toMatchObject({
      level: 'high',
      status: 'open',
      handed_to_outputs: false,
      count: 1,
      group_key: '',
      event_ids: ['ev-1'],
      first_seen: '2026-12-01T10:01:00.000Z',
      false_positives: ['Typos'],
      window: { start: '2026-12-01T10:00:00.000Z', end: '2026-12-01T10:02:00.000Z' },
      source_event: { dataset: 'fortiems.authentication', user: 'admin<script>', source_ip: '203.0.113.7' },
    });
  });

  it('a correlation: one alert per group, keyed by rule, group and first event, with the count in its message', () => {
    writeFileSync(join(folder, 'base.yml'), BASE);
    writeFileSync(join(folder, 'many.yml'), CORRELATION);
    const rules = loadDetectionRules(folder);
    const correlation = rules.correlations[0];
    if (!correlation) throw new Error('the correlation did not compile');
    const group = {
      group: { 'source.ip': '203.0.113.7' },
      groupKey: 'source.ip=203.0.113.7',
      count: 6,
      firstSeen: '2026-12-01T10:00:10.000Z',
      lastSeen: '2026-12-01T10:00:15.000Z',
      eventIds: ['a', 'b'],
      eventIndex: 'logs-x',
    };
    const alert = correlationAlert(correlation, group, { rulesRoot: folder, window, now });
    expect(alert.event.id).toBe(alertId('9a3e5a43-2f6c-4a57-b5a5-6a3f7bb3f002', 'source.ip=203.0.113.7', '2026-12-01T10:00:10.000Z'));
    expect(alert.event.severity).toBe(2);
    expect(alert.rule.category).toBe('event_count');
    expect(alert.message).toBe('Many failed admin logins: 6 events for source.ip=203.0.113.7');
    expect(alert.fortiems.alert).toMatchObject({
      group: { 'source.ip': '203.0.113.7' },
      count: 6,
      event_ids: ['a', 'b'],
      level: 'critical',
    });
  });
});

describe('the rules the scheduler runs', () => {
  it('skips a correlation base rule (generate: false), disabled and deprecated rules, and reports refused ones', () => {
    const dir = mkdtempSync(join(folder, 'set-'));
    writeFileSync(join(dir, 'base.yml'), BASE);
    writeFileSync(join(dir, 'many.yml'), CORRELATION);
    writeFileSync(
      join(dir, 'old.yml'),
      BASE.replace('id: 9a3e5a43-2f6c-4a57-b5a5-6a3f7bb3f001', 'id: 9a3e5a43-2f6c-4a57-b5a5-6a3f7bb3f003\nstatus: deprecated').replace(
        'name: failed_admin_login\n',
        '',
      ),
    );
    writeFileSync(
      join(dir, 'other.yml'),
      BASE.replace('id: 9a3e5a43-2f6c-4a57-b5a5-6a3f7bb3f001', 'id: 9a3e5a43-2f6c-4a57-b5a5-6a3f7bb3f004').replace(
        'name: failed_admin_login\n',
        '',
      ),
    );
    writeFileSync(
      join(dir, 'broken.yml'),
      'title: broken\nlogsource: { product: fortiems }\ndetection: { s: { a|nosuchmodifier: 1 }, condition: s }\n',
    );
    const rules = loadDetectionRules(dir, { disabled: ['other'] });
    expect(rules.plain.map((rule) => rule.file)).toEqual([]);
    expect(rules.correlations.map((rule) => rule.rule.title)).toEqual(['Many failed admin logins']);
    expect(rules.skipped.map((skip) => skip.reason).sort()).toEqual([
      'base rule of a correlation (generate: false)',
      'disabled in the configuration',
      'status deprecated',
    ]);
    expect(rules.refused).toHaveLength(1);
    expect(rules.refused[0]).toMatch(/broken\.yml/);

    writeFileSync(join(dir, 'many.yml'), `${CORRELATION}  generate: true\n`);
    expect(loadDetectionRules(dir, { disabled: ['other'] }).plain.map((rule) => rule.rule.title)).toEqual(['Failed admin login']);
  });

  it('leaves out rules below min_level', () => {
    const dir = mkdtempSync(join(folder, 'levels-'));
    writeFileSync(join(dir, 'info.yml'), BASE.replace('level: high', 'level: informational'));
    writeFileSync(
      join(dir, 'high.yml'),
      BASE.replace('id: 9a3e5a43-2f6c-4a57-b5a5-6a3f7bb3f001', 'id: 9a3e5a43-2f6c-4a57-b5a5-6a3f7bb3f005'),
    );
    const rules = loadDetectionRules(dir, { minLevel: 'low' });
    expect(rules.plain.map((rule) => rule.file.replace(/^.*\//, ''))).toEqual(['high.yml']);
    expect(rules.skipped).toEqual([{ id: '9a3e5a43-2f6c-4a57-b5a5-6a3f7bb3f001', reason: 'level informational below min_level low' }]);
  });

  it('finds the shipped pack, and every rule of it compiles', () => {
    const rules = loadDetectionRules(shippedRulesPath());
    expect(rules.refused).toEqual([]);
    expect(rules.plain.length + rules.correlations.length).toBeGreaterThanOrEqual(15);
  });
});
