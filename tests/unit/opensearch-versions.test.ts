import { describe, expect, it } from 'vitest';
import { compareVersions, matchesRequest, mavenVersionSpec, parseVersionRequest } from '../../app/managed/versions.js';
import { defaultVersionRequest } from '../../app/opensearch/versions.js';

describe('OpenSearch version requests', () => {
  it('defaults to the newest 2.19.x on Java 17 and to 3.x on Java 21+', () => {
    expect(defaultVersionRequest(17)).toEqual({ kind: 'line', line: '2.19' });
    expect(defaultVersionRequest(21)).toEqual({ kind: 'line', line: '3' });
    expect(defaultVersionRequest(25)).toEqual({ kind: 'line', line: '3' });
  });

  it('turns a release line into a Maven range that excludes the next line', () => {
    expect(mavenVersionSpec({ kind: 'line', line: '2.19' })).toBe('[2.19.0,2.20.0)');
    expect(mavenVersionSpec({ kind: 'line', line: '3' })).toBe('[3.0.0,4.0.0)');
    expect(mavenVersionSpec({ kind: 'exact', version: '2.19.6' })).toBe('2.19.6');
  });

  it('parses exact versions and lines, and rejects anything else', () => {
    expect(parseVersionRequest('2.19.6')).toEqual({ kind: 'exact', version: '2.19.6' });
    expect(parseVersionRequest('2.19')).toEqual({ kind: 'line', line: '2.19' });
    expect(() => parseVersionRequest('latest')).toThrow(/not an OpenSearch version/);
    expect(() => parseVersionRequest('2.19.6; rm -rf /')).toThrow();
  });

  it('matches cached versions to a line without confusing 2.1 with 2.19', () => {
    expect(matchesRequest('2.19.6', { kind: 'line', line: '2.19' })).toBe(true);
    expect(matchesRequest('2.1.0', { kind: 'line', line: '2.19' })).toBe(false);
    expect(matchesRequest('2.19.6', { kind: 'line', line: '2.1' })).toBe(false);
  });

  it('compares versions numerically', () => {
    expect(['2.19.10', '2.19.9', '2.19.6'].sort(compareVersions)).toEqual(['2.19.6', '2.19.9', '2.19.10']);
  });
});
