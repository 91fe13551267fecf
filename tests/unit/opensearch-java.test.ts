import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectJava, javaMajor, parseJavaProperties } from '../../app/managed/java.js';
import { ActionableError } from '../../platform/errors.js';

function fakeJavaHome(version: string): string {
  const home = mkdtempSync(join(tmpdir(), 'fortiems-fake-java-'));
  mkdirSync(join(home, 'bin'));
  const script = `#!/bin/sh\necho "Property settings:" >&2\necho "    java.home = ${home}" >&2\necho "    java.version = ${version}" >&2\n`;
  writeFileSync(join(home, 'bin', 'java'), script);
  chmodSync(join(home, 'bin', 'java'), 0o755);
  return home;
}

describe('Java detection', () => {
  it('reads major versions in both the old and the new scheme', () => {
    expect(javaMajor('1.8.0_392')).toBe(8);
    expect(javaMajor('17.0.15')).toBe(17);
    expect(javaMajor('21')).toBe(21);
    expect(javaMajor('25-ea')).toBe(25);
  });

  it('parses the properties dump', () => {
    const dump = 'Property settings:\n    java.home = /usr/lib/jvm/java-17\n    java.version = 17.0.15\n';
    expect(parseJavaProperties(dump)).toEqual({ home: '/usr/lib/jvm/java-17', version: '17.0.15', major: 17 });
  });

  it('finds the machine Java (17+)', () => {
    const java = detectJava();
    expect(java.major).toBeGreaterThanOrEqual(17);
  });

  it('refuses a too-old Java and names the fix', () => {
    const home = fakeJavaHome('11.0.2');
    const error = (() => {
      try {
        detectJava({ JAVA_HOME: home, PATH: '/nonexistent' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ActionableError);
    expect((error as ActionableError).message).toMatch(/11\.0\.2 .* too old/);
    expect((error as ActionableError).fix).toMatch(/openjdk-17/);
  });

  it('says so when there is no Java at all', () => {
    expect(() => detectJava({ PATH: '/nonexistent' })).toThrow(/no Java runtime found/);
  });
});
