// `expand` placeholders from the configuration reach the scheduler's rule set: a rule using a placeholder runs with
// the configured values and is refused (with the reason) without them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDetectionRules } from '../../detections/runtime/detection-rules.js';
import { placeholdersFrom, readPlaceholders } from '../../detections/sigma/placeholders.js';

const RULE = `title: Admin login from a service account
id: 4f0b5a43-2f6c-4a57-b5a5-6a3f7bb3f101
level: high
logsource: { product: fortiems, service: authentication }
detection:
  selection: { user|expand: '%ServiceAccounts%' }
  condition: selection
`;

describe('detections.placeholders', () => {
  const dir = mkdtempSync(join(tmpdir(), 'placeholders-'));
  writeFileSync(join(dir, 'service.yml'), RULE);

  it('compiles an expand rule with the configured values (one value or a list)', () => {
    const rules = loadDetectionRules(dir, { placeholders: placeholdersFrom({ ServiceAccounts: ['svc_backup', 'svc_scan'] }, 'test') });
    expect(rules.refused).toEqual([]);
    expect(rules.plain[0]?.dsl).toEqual({
      bool: {
        should: [
          { term: { 'ems.user': { value: 'svc_backup', case_insensitive: true } } },
          { term: { 'ems.user': { value: 'svc_scan', case_insensitive: true } } },
        ],
        minimum_should_match: 1,
      },
    });
    const single = loadDetectionRules(dir, { placeholders: placeholdersFrom({ ServiceAccounts: 'svc_backup' }, 'test') });
    expect(single.plain[0]?.dsl).toEqual({ term: { 'ems.user': { value: 'svc_backup', case_insensitive: true } } });
  });

  it('refuses the rule, saying which placeholder has no value, when the configuration has none', () => {
    const rules = loadDetectionRules(dir);
    expect(rules.plain).toEqual([]);
    expect(rules.refused).toEqual([
      `${join(dir, 'service.yml')}: detection.selection.user|expand: unsupported: placeholder %ServiceAccounts% has no value`,
    ]);
  });

  it('reads a YAML file and checks the map', () => {
    const file = join(dir, 'placeholders.yaml');
    writeFileSync(file, 'ServiceAccounts: [svc_backup]\nPort: 4444\n');
    expect(readPlaceholders(file)).toEqual({ ServiceAccounts: ['svc_backup'], Port: ['4444'] });
    expect(() => placeholdersFrom(['x'], 'f.yaml')).toThrow('f.yaml: expected a map of placeholder name → value(s)');
    expect(() => placeholdersFrom({ '%x%': 'a' }, 'f.yaml')).toThrow("placeholder name '%x%' is not letters, digits and _");
    expect(() => placeholdersFrom({ x: { y: 1 } }, 'f.yaml')).toThrow('placeholder x: expected a string or a list of strings');
  });
});
